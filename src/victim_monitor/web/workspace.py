"""The registry workspace: login, submissions and their problems, review, persons, publish.

Every page names the right it needs (:data:`victim_monitor.web.deps.RIGHTS`); reporters are
confined to their organisation inside the queries. Every read of person-level data and every
change goes to the audit trail. Forms carry CSRF tokens; login is throttled.

Nothing here blocks the event loop: page routes are plain functions (FastAPI runs them in its
thread pool), a form's handler reads the body on the loop and does the rest in a thread, an
upload's intake runs in a thread of its own limiter (:data:`INTAKE`) and a publication is a job
(:mod:`victim_monitor.web.jobs`) with a page of its own.
"""

from __future__ import annotations

import re
import tempfile
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from victim_monitor.linkage import record_decision, review_queue
from victim_monitor.linkage.review import QueuePage, queue_page
from victim_monitor.registry.intake import IntakeResult, import_submission
from victim_monitor.registry.records import (
    PAGE,
    PersonDetail,
    PersonRow,
    SubmissionDetail,
    list_persons,
    list_submissions,
    person_detail,
    submission_detail,
)
from victim_monitor.registry.status import SubmissionLine
from victim_monitor.web import audit_batch, jobs, sessions, throttle
from victim_monitor.web.accounts import User, authenticate, username_key
from victim_monitor.web.deps import (
    RecordId,
    check_csrf,
    check_lang,
    context,
    current_user,
    log,
    may,
    render,
    require,
)
from victim_monitor.web.i18n import Lang
from victim_monitor.web.limits import UPLOAD
from victim_monitor.web.publishing import check_years, publish
from victim_monitor.web.security import client_address

router = APIRouter()

# Intakes at once per worker process; more wait their turn. A limiter of their own, so that
# uploads never take the threads that serve pages (an intake can take seconds to minutes).
INTAKE = anyio.CapacityLimiter(2)
PUBLISH_JOB = "publish"
REFRESH_SECONDS = 2  # how often a job's page reloads itself while the job runs

MAX_NAME = 120  # characters of an uploaded file's stored name
ENCODER = Path(__file__).parent / "static" / "encoder" / "encoder.js"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_next(target: str | None, lang: str) -> str:
    # Only local workspace paths: never an open redirect.
    if target and re.fullmatch(r"/(nl|en)/[A-Za-z0-9/_.-]*", target):
        return target
    return f"/{lang}/workspace/"


@router.get("/{lang:lang}/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, lang: str, next: str | None = None) -> HTMLResponse:
    language = check_lang(lang)
    return render(request, "login.html", language, next=_safe_next(next, language), error=None)


@router.post("/{lang:lang}/login", response_class=HTMLResponse, include_in_schema=False)
async def login(request: Request, lang: str) -> Response:
    language = check_lang(lang)
    form = await check_csrf(request)
    ctx = context(request)
    username = username_key(str(form.get("username", "")))[:64]
    password = str(form.get("password", ""))  # over the maximum: wrong, never cut to fit
    target = _safe_next(str(form.get("next", "")), language)
    secret = ctx.settings.secret
    device = throttle.device_of(secret, request.cookies.get(throttle.DEVICE_COOKIE), username)
    attempt = throttle.Attempt(username, client_address(request), throttle.device_tag(device))
    # The audit trail's reads and argon2 (tens of ms) run in a worker thread, off the loop.
    user, verdict = await run_in_threadpool(
        throttle.guarded,
        ctx.engine,
        attempt,
        lambda: authenticate(ctx.engine, username, password),
        request.url.path,
    )
    if not verdict.allowed:
        return throttled(request, language, verdict, next=target)
    if user is None:
        return render(
            request, "login.html", language, status_code=401, next=target, error="login_failed"
        )
    token = await run_in_threadpool(sessions.start, ctx.engine, user, ctx.settings.session_hours)
    log(request, user, "login", f"user:{user.username}", **attempt.detail())
    response = RedirectResponse(target, status_code=303)
    sessions.set_cookie(response, token, ctx.settings)
    response.set_cookie(
        throttle.DEVICE_COOKIE,
        throttle.device_cookie(secret, user.username, device),
        httponly=True,
        samesite="strict",
        secure=ctx.settings.secure_cookies,
        max_age=throttle.DEVICE_DAYS * 86400,
    )
    return response


def _logout(request: Request) -> None:
    user = current_user(request)
    if user is not None:
        log(request, user, "logout", f"user:{user.username}")
    sessions.end(context(request).engine, request.cookies.get(sessions.COOKIE))


def throttled(request: Request, lang: Lang, verdict: throttle.Verdict, **values: Any) -> Response:
    """429 with ``Retry-After``: the login page saying how long to wait."""
    response = render(
        request,
        "login.html",
        lang,
        status_code=429,
        error="login_blocked",
        retry_after=verdict.retry_after,
        **values,
    )
    response.headers["Retry-After"] = str(verdict.retry_after)
    return response


@router.post("/{lang:lang}/logout", include_in_schema=False)
async def logout(request: Request, lang: str) -> RedirectResponse:
    language = check_lang(lang)
    await check_csrf(request)
    await run_in_threadpool(_logout, request)
    response = RedirectResponse(f"/{language}/", status_code=303)
    response.delete_cookie(sessions.COOKIE)
    return response


@router.get("/{lang:lang}/workspace/", response_class=HTMLResponse, include_in_schema=False)
def workspace_home(request: Request, lang: str) -> HTMLResponse:
    language = check_lang(lang)
    user = current_user(request)
    if user is None:
        raise HTTPException(401)
    key = _key_file(request, user) is not None
    return render(
        request,
        "workspace.html",
        language,
        key_available=key,
        encoder_available=ENCODER.is_file(),
    )


@router.get("/{lang:lang}/workspace/encode", response_class=HTMLResponse, include_in_schema=False)
def encode_page(request: Request, lang: str) -> HTMLResponse:
    """Encoding in the browser: the raw file is read and encoded there, only the result sent."""
    language = check_lang(lang)
    require(request, "submit")
    if not ENCODER.is_file():
        raise HTTPException(404)
    return render(request, "encode.html", language)


# --- submissions ---------------------------------------------------------------------------


def _scope(request: Request) -> tuple[User, str | None]:
    """The user and the organisation they are confined to (None: all, for staff)."""
    user = current_user(request)
    if user is None:
        raise HTTPException(401)
    if may(user, "submissions_all"):
        return user, None
    return require(request, "submit"), user.organisation


# A page of a list (submissions, persons: records.PAGE rows each).
Page = Annotated[int, Query(ge=1, le=100_000)]


@router.get(
    "/{lang:lang}/workspace/submissions", response_class=HTMLResponse, include_in_schema=False
)
def submissions_page(request: Request, lang: str, page: Page = 1) -> HTMLResponse:
    language = check_lang(lang)
    _user, organisation = _scope(request)
    rows, total = list_submissions(context(request).engine, organisation, page=page)
    return render(
        request,
        "submissions.html",
        language,
        rows=rows,
        total=total,
        page=page,
        per_page=PAGE,
        result=None,
        encoder_available=ENCODER.is_file(),
    )


@router.get("/api/workspace/submissions", tags=["workspace"])
def submissions_json(request: Request, page: Page = 1) -> list[SubmissionLine]:
    """One page (50, newest first) of the submissions the user may see: their organisation's
    (reporter) or all (staff)."""
    _user, organisation = _scope(request)
    return list_submissions(context(request).engine, organisation, page=page)[0]


def stored_name(filename: str | None) -> str:
    """A safe name of at most 120 characters for an uploaded file, its extension kept (the
    format is read from it)."""
    name = _SAFE_NAME.sub("_", Path(filename or "").name).lstrip(".")
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 10:
        return name[:MAX_NAME] or "submission.csv"
    return f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"


def _store_upload(upload: UploadFile, folder: Path, max_mb: int) -> Path:
    target = folder / stored_name(upload.filename)
    size = 0
    try:
        with target.open("wb") as handle:
            while chunk := upload.file.read(1 << 20):
                size += len(chunk)
                if size > max_mb << 20:
                    raise HTTPException(413, f"a submission may be at most {max_mb} MB")
                handle.write(chunk)
    finally:
        upload.file.close()
    return target


def _intake(request: Request, user: User, upload_file: UploadFile) -> Response:
    """Store the uploaded file, import it, log it and answer (in an :data:`INTAKE` thread)."""
    assert user.organisation is not None
    ctx = context(request)
    with tempfile.TemporaryDirectory(prefix="vm-upload-") as folder:
        path = _store_upload(upload_file, Path(folder), ctx.settings.max_upload_mb)
        result: IntakeResult = import_submission(ctx.engine, path, user.organisation)
    log(
        request,
        user,
        "upload",
        f"submission:{result.submission_id or '-'}",
        file=result.file,
        outcome=str(result.outcome),
        rows=result.rows_total,
        errors=result.errors,
    )
    language = check_lang(request.path_params["lang"])
    if result.submission_id is not None:
        return RedirectResponse(
            f"/{language}/workspace/submissions/{result.submission_id}", status_code=303
        )
    rows, total = list_submissions(ctx.engine, user.organisation)
    return render(
        request,
        "submissions.html",
        language,
        status_code=422,
        rows=rows,
        total=total,
        page=1,
        per_page=PAGE,
        result=result,
    )


@router.post(
    "/{lang:lang}/workspace/submissions", response_class=HTMLResponse, include_in_schema=False
)
async def upload(request: Request, lang: str) -> Response:
    check_lang(lang)
    # First: an anonymous upload's body is never read.
    user = await run_in_threadpool(require, request, "submit")
    form = await check_csrf(request, UPLOAD)
    upload_file = form.get("file")
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        raise HTTPException(400, "choose a file to upload")
    # The file's checks and import run in a thread: the event loop serves other requests.
    return await anyio.to_thread.run_sync(
        _intake, request, user, upload_file, limiter=INTAKE, abandon_on_cancel=False
    )


def _detail(request: Request, submission_id: RecordId) -> SubmissionDetail:
    user, organisation = _scope(request)
    found = submission_detail(context(request).engine, submission_id, organisation)
    if found is None:
        raise HTTPException(404)  # another organisation's submission does not exist for you
    log(request, user, "read", f"submission:{submission_id}")
    return found


@router.get(
    "/{lang:lang}/workspace/submissions/{submission_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def submission_page(request: Request, lang: str, submission_id: RecordId) -> HTMLResponse:
    language = check_lang(lang)
    return render(request, "submission.html", language, view=_detail(request, submission_id))


@router.get("/api/workspace/submissions/{submission_id}", tags=["workspace"])
def submission_json(request: Request, submission_id: RecordId) -> SubmissionDetail:
    """One submission with its validation report: coded problems per row and field."""
    return _detail(request, submission_id)


# --- linkage review ------------------------------------------------------------------------


def _queue(request: Request, status: str, page: int | None = None) -> QueuePage:
    """The pairs with ``status`` (one page of :data:`REVIEW_PAGE` when ``page`` is given, with
    the last run's quality), and how many there are in all."""
    user = require(request, "review")
    engine = context(request).engine
    if page is None:
        pairs = review_queue(engine, status=status)
        found = QueuePage(pairs, len(pairs), None)
    else:
        offset = REVIEW_PAGE * (page - 1)
        found = queue_page(engine, status=status, limit=REVIEW_PAGE, offset=offset)
    log(request, user, "read", "review_queue", status=status, pairs=len(found.pairs), page=page)
    return found


Status = Annotated[str, Query(pattern="^(pending|same|different|all)$")]
# Pairs per review page: each comes with its evidence, history and form. A reviewer decides one
# pair and is sent back to the first page, so a page need only show what one decides on in a
# sitting (Splink's and dedupe's review tools show one pair at a time). The whole queue of the
# demo, 58 pairs, took 8-11 ms of the server's CPU a view; 20 read as a page 4-5 ms under load,
# most of it rendering; 10, 3.2-3.7 ms.
REVIEW_PAGE = 10


@router.get("/{lang:lang}/workspace/review", response_class=HTMLResponse, include_in_schema=False)
def review_page(
    request: Request,
    lang: str,
    status: Status = "pending",
    page: Page = 1,
) -> HTMLResponse:
    language = check_lang(lang)
    found = _queue(request, status, page)
    return render(
        request,
        "review.html",
        language,
        pairs=found.pairs,
        status=status,
        quality=found.quality,
        page=page,
        total=found.total,
        per_page=REVIEW_PAGE,
    )


@router.get("/api/workspace/review", tags=["workspace"])
def review_json(request: Request, status: Status = "pending") -> list[dict[str, Any]]:
    """Pairs of reports for review, with their evidence (never clear names: there are none)."""
    return [p.as_dict() for p in _queue(request, status).pairs]


@router.post("/{lang:lang}/workspace/review/{pair_id}", include_in_schema=False)
async def decide(request: Request, lang: str, pair_id: RecordId) -> Response:
    language = check_lang(lang)
    form = await check_csrf(request)
    decision = str(form.get("decision", ""))
    reason = str(form.get("reason", ""))[:500]
    await run_in_threadpool(_decide, request, pair_id, decision, reason)
    return RedirectResponse(f"/{language}/workspace/review", status_code=303)


def _decide(request: Request, pair_id: int, decision: str, reason: str) -> None:
    user = require(request, "review")
    # A refusal (ReviewError, VM33x) is answered 422 with its problem (app._problems).
    record_decision(context(request).engine, pair_id, decision, user.username, reason)
    log(request, user, "decide", f"pair:{pair_id}", decision=decision, reason=reason)


# --- persons -------------------------------------------------------------------------------


@router.get("/{lang:lang}/workspace/persons", response_class=HTMLResponse, include_in_schema=False)
def persons_page(request: Request, lang: str, page: Page = 1) -> HTMLResponse:
    language = check_lang(lang)
    rows, total = _persons(request, page)
    return render(request, "persons.html", language, rows=rows, total=total, page=page)


def _persons(request: Request, page: int) -> tuple[list[PersonRow], int]:
    user = require(request, "persons")
    rows, total = list_persons(context(request).engine, page=page)
    log(request, user, "read", "persons", page=page, ids=[r.id for r in rows])
    return rows, total


@router.get("/api/workspace/persons", tags=["workspace"])
def persons_json(request: Request, page: Page = 1) -> list[PersonRow]:
    """One page of persons (staff only; every read is in the audit trail)."""
    return _persons(request, page)[0]


def _person(request: Request, person_id: RecordId) -> PersonDetail:
    user = require(request, "persons")
    found = person_detail(context(request).engine, person_id)
    if found is None:
        raise HTTPException(404)
    log(request, user, "read", f"person:{person_id}")
    return found


@router.get(
    "/{lang:lang}/workspace/persons/{person_id}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def person_page(request: Request, lang: str, person_id: RecordId) -> HTMLResponse:
    language = check_lang(lang)
    return render(request, "person.html", language, view=_person(request, person_id))


@router.get("/api/workspace/persons/{person_id}", tags=["workspace"])
def person_json(request: Request, person_id: RecordId) -> PersonDetail:
    """One person with the reports linked to them."""
    return _person(request, person_id)


# --- publish -------------------------------------------------------------------------------


@router.get("/{lang:lang}/workspace/publish", response_class=HTMLResponse, include_in_schema=False)
def publish_page(request: Request, lang: str) -> HTMLResponse:
    language = check_lang(lang)
    require(request, "publish")
    running = jobs.runner(request).active(PUBLISH_JOB)
    return render(request, "publish.html", language, result=None, error=None, running=running)


@router.post("/{lang:lang}/workspace/publish", response_class=HTMLResponse, include_in_schema=False)
async def publish_action(request: Request, lang: str) -> Response:
    """Start a publication as a job and go to its page (one publication at a time)."""
    check_lang(lang)
    form = await check_csrf(request)
    return await run_in_threadpool(_start_publish, request, form)


def _start_publish(request: Request, form: dict[str, Any]) -> Response:
    language = check_lang(request.path_params["lang"])
    user = require(request, "publish")
    ctx = context(request)
    try:
        first, last = int(str(form.get("year_from", ""))), int(str(form.get("year_to", "")))
        years = range(first, last + 1)
        check_years(years)
    except ValueError as exc:
        log(request, user, "publish", "release", ok=False, error=str(exc))
        return render(
            request, "publish.html", language, status_code=422, result=None, error=str(exc)
        )
    work = partial(_publish, ctx.engine, years, ctx.settings.release_dir)
    finish = partial(_published, ctx.engine, user, request.url.path, years)
    # One publication at a time: while one runs, the form leads to its page.
    job, started = jobs.runner(request).submit_single(PUBLISH_JOB, user.username, work, finish)
    if started:
        log(request, user, "publish_start", f"job:{job.id}", years=f"{first}-{last}")
    return RedirectResponse(f"/{language}/workspace/jobs/{job.id}", status_code=303)


def _publish(engine: Any, years: range, out: Path) -> str:
    return publish(engine, years, out).summary


def _published(engine: Any, user: User, screen: str, years: range, job: jobs.Job) -> None:
    """The publication's audit event, when its job ends (in the job's thread)."""
    audit_batch.append(
        engine,
        actor=user.username,
        role=user.role.value,
        action="publish",
        record="release",
        screen=screen,
        detail={
            "ok": job.state == "done",
            "error": job.error,
            "job": job.id,
            "years": f"{years[0]}-{years[-1]}",
        },
    )


JobId = Annotated[str, PathParam(pattern=jobs.ID_PATTERN)]


def _job(request: Request, job_id: str) -> jobs.Job:
    require(request, "publish")  # the only kind of job so far
    job = jobs.runner(request).get(job_id)
    if job is None:
        raise HTTPException(404, "no such job in this server process (it may have restarted)")
    return job


@router.get(
    "/{lang:lang}/workspace/jobs/{job_id}", response_class=HTMLResponse, include_in_schema=False
)
def job_page(request: Request, lang: str, job_id: JobId) -> HTMLResponse:
    """A job's state; the page reloads itself (``Refresh`` header) until the job is done."""
    language = check_lang(lang)
    job = _job(request, job_id)
    response = render(request, "job.html", language, job=job)
    if not job.finished:
        response.headers["Refresh"] = str(REFRESH_SECONDS)  # no script: the CSP stays strict
    return response


@router.get("/api/workspace/jobs/{job_id}", tags=["workspace"])
def job_json(request: Request, job_id: JobId) -> jobs.Job:
    """A workspace job (a publication): queued, running, done (with its summary) or failed."""
    return _job(request, job_id)


# --- key file ------------------------------------------------------------------------------


def _key_file(request: Request, user: User) -> Path | None:
    folder = context(request).settings.key_dir
    if folder is None or user.organisation is None:
        return None
    path = folder / f"{user.organisation}.key"
    return path if path.is_file() else None


@router.get("/{lang:lang}/workspace/key", include_in_schema=False)
def key_download(request: Request, lang: str) -> FileResponse:
    check_lang(lang)
    user = require(request, "submit")
    path = _key_file(request, user)
    if path is None:
        raise HTTPException(404, "this deployment does not hand out key files")
    log(request, user, "download_key", f"organisation:{user.organisation}")
    return FileResponse(path, filename=path.name, media_type="application/octet-stream")
