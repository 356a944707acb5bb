"""The submission API for organisations' own systems, and the admin page of its tokens.

``POST /api/submissions`` takes a submission file with ``Authorization: Bearer <token>``
(:mod:`.tokens`): a multipart form with a ``file`` part, or the file as the raw body with its
name in ``X-Filename``. It answers with the intake's result as ``victim-monitor import --json``
prints it: 201 accepted, 200 duplicate, 422 rejected. ``GET /api/submissions/{id}`` gives a
submission's status, only to a token of its organisation (another's does not exist: 404).

Order of checks: the body limit (:mod:`.limits`, the upload maximum for this path) refuses a
declared length over it before anything; the token is checked before a byte of the body is
read (the route declares no body parameter, so FastAPI reads none before the dependency), so
a request without a valid token is refused 401 unread. Then the per-token rate limit
(:class:`TokenRate`). No cookie is looked at: a browser cannot attach a bearer token to a
cross-site request, so there is no CSRF token to check. The intake runs in a thread of the
workspace's intake limiter, never on the event loop. Every use of a token (and every refused
use of a known token) is in the audit trail.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, HTTPException, Request, Response, Security
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import TypeAdapter
from starlette.datastructures import UploadFile

from victim_monitor.problems import ProblemError
from victim_monitor.registry.intake import IntakeResult, Outcome, import_submission
from victim_monitor.registry.organisations import registered_organisations
from victim_monitor.registry.records import SubmissionDetail, submission_detail
from victim_monitor.web import audit_batch
from victim_monitor.web.deps import (
    CsrfForm,
    RecordId,
    check_lang,
    context,
    render,
    require,
)
from victim_monitor.web.i18n import WORDS
from victim_monitor.web.limits import UPLOAD
from victim_monitor.web.tokens import (
    MAX_EXPIRY_DAYS,
    Actor,
    ApiToken,
    NewToken,
    check_token,
    create_token,
    get_token,
    list_tokens,
    revoke_token,
)
from victim_monitor.web.workspace import INTAKE, stored_name

router = APIRouter()

FILENAME_HEADER = "x-filename"
API_ROLE = "api"  # the audit trail's role of a token's requests
RATE_REQUESTS = 60  # requests per token per window and worker: an hourly batch job needs few
RATE_WINDOW = 60.0  # seconds
SPOOL_BYTES = 1 << 20  # a raw body is kept in memory up to this, then on disk

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="apiToken",
    description="An organisation's API token (`vmt_...`), made by an admin on the tokens "
    "page or with `victim-monitor token create`; shown once.",
)

NO_TOKEN = "a valid API token is required: Authorization: Bearer vmt_..."


class TokenRate:
    """At most :data:`RATE_REQUESTS` requests per token in any :data:`RATE_WINDOW` seconds
    (a sliding window, in this worker's memory)."""

    def __init__(self, requests: int = RATE_REQUESTS, window: float = RATE_WINDOW) -> None:
        self.requests = requests
        self.window = window
        self._lock = threading.Lock()
        self._seen: dict[int, deque[float]] = {}

    def take(self, token_id: int) -> float:
        """0 when the request may go ahead (and it is counted), else the seconds to wait."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault(token_id, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.requests:
                return seen[0] + self.window - now
            seen.append(now)
            return 0.0


RATE = TokenRate()


def _audit(request: Request, token: ApiToken, action: str, record: str, **detail: Any) -> None:
    audit_batch.append(
        context(request).engine,
        actor=f"api_token:{token.id}",
        role=API_ROLE,
        action=action,
        record=record,
        screen=request.url.path,
        detail={"organisation": token.organisation, "prefix": token.prefix, **detail},
    )


def authorised(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> ApiToken:
    """The request's live token (401 otherwise, 429 over its rate); nothing of the body read.

    A plain function: FastAPI runs it in its thread pool, the database off the event loop.
    """
    presented = credentials.credentials if credentials is not None else None
    check = check_token(context(request).engine, presented)
    token = check.token
    if token is not None:
        wait = RATE.take(token.id)
        if wait > 0:
            raise HTTPException(
                429,
                "too many requests with this token; try again later",
                headers={"Retry-After": str(math.ceil(wait))},
            )
        if check.refused:  # a known token, revoked or expired: someone still uses it
            _audit(request, token, "api_refused", f"api_token:{token.id}", reason=check.refused)
    if token is None or check.refused:
        raise HTTPException(401, NO_TOKEN, headers={"WWW-Authenticate": "Bearer"})
    return token


Token = Annotated[ApiToken, Depends(authorised)]


# --- the API --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowCounts:
    total: int
    new: int
    changed: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class ProblemOut:
    code: str
    severity: str
    file: str | None
    row: int | None
    field: str | None
    value: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Receipt:
    """The intake's result, as ``victim-monitor import --json`` prints it."""

    file: str
    organisation: str
    outcome: str  # accepted, duplicate or rejected
    file_format: str
    content_sha256: str
    submission_id: int | None
    rows: RowCounts
    errors: int
    warnings: int
    problem_counts: dict[str, int]
    problems: list[ProblemOut]


_RECEIPT = TypeAdapter(Receipt)
STATUS = {Outcome.ACCEPTED: 201, Outcome.DUPLICATE: 200}

REQUEST_BODY = {
    "required": True,
    "description": "The submission file (format v1: CSV, JSON Lines, JSON or an Excel "
    "workbook; the extension of its name says which), as a multipart form's `file` part, or "
    "as the raw body with its name in the `X-Filename` header.",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    },
}
FILENAME_PARAMETER = {
    "name": "X-Filename",
    "in": "header",
    "required": False,
    "description": "The file's name, for a raw body (its extension gives the format).",
    "schema": {"type": "string", "maxLength": 255},
}


async def _received(request: Request) -> UploadFile:
    """The submitted file, from a multipart form or the raw body (the body limit applies)."""
    if request.headers.get("content-type", "").lower().startswith("multipart/"):
        form = await request.form(
            max_files=UPLOAD.files, max_fields=UPLOAD.fields, max_part_size=UPLOAD.field_bytes
        )
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            await form.close()
            raise HTTPException(400, "send the file as the form's 'file' part, with its name")
        return upload
    name = request.headers.get(FILENAME_HEADER, "").strip()
    if not name:
        raise HTTPException(400, "name the file in the X-Filename header (or send a form)")
    # Closed by the intake (or below): it outlives this function.
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    upload = UploadFile(spool, filename=name)  # type: ignore[arg-type]  # as Starlette's own
    try:
        async for chunk in request.stream():
            await upload.write(chunk)
    except BaseException:
        await upload.close()
        raise
    await upload.seek(0)
    return upload


def _intake(request: Request, token: ApiToken, upload: UploadFile) -> IntakeResult:
    """Store the file under a safe name, import it, audit it (in an :data:`INTAKE` thread)."""
    max_bytes = context(request).settings.max_upload_mb << 20
    try:
        with tempfile.TemporaryDirectory(prefix="vm-api-") as folder:
            path = Path(folder) / stored_name(upload.filename)
            with path.open("wb") as handle:
                shutil.copyfileobj(upload.file, handle, 1 << 20)
            if path.stat().st_size > max_bytes:
                raise HTTPException(413, f"a submission may be at most {max_bytes >> 20} MB")
            result = import_submission(context(request).engine, path, token.organisation)
    finally:
        upload.file.close()
    _audit(
        request,
        token,
        "api_upload",
        f"submission:{result.submission_id or '-'}",
        file=result.file,
        outcome=str(result.outcome),
        rows=result.rows_total,
        errors=result.errors,
    )
    return result


@router.post(
    "/api/submissions",
    tags=["submission API"],
    status_code=201,
    response_description="Accepted: the file's new and changed reports are in the register.",
    responses={
        200: {"model": Receipt, "description": "The same file was sent before (VM302)."},
        400: {"description": "No file, or no name for a raw body."},
        401: {"description": "No valid API token (the body was not read)."},
        413: {"description": "The file is over the upload maximum."},
        422: {"model": Receipt, "description": "Rejected: the problems say why."},
        429: {"description": "Too many requests with this token (see Retry-After)."},
    },
    openapi_extra={"requestBody": REQUEST_BODY, "parameters": [FILENAME_PARAMETER]},
)
async def submit(request: Request, token: Token, response: Response) -> Receipt:
    """Submit a file for the token's organisation; the answer is the intake's result.

    201: accepted (new reports counted); 200: a duplicate of an earlier file, counted once;
    422: rejected, nothing stored but the attempt. ``Location`` names the submission's status.
    """
    upload = await _received(request)
    # The checks and the import run in a thread: the event loop serves other requests.
    result = await anyio.to_thread.run_sync(
        partial(_intake, request, token, upload), limiter=INTAKE, abandon_on_cancel=False
    )
    response.status_code = STATUS.get(result.outcome, 422)
    if result.submission_id is not None:
        response.headers["Location"] = f"/api/submissions/{result.submission_id}"
    return _RECEIPT.validate_python(result.as_dict())


@router.get(
    "/api/submissions/{submission_id}",
    tags=["submission API"],
    responses={
        401: {"description": "No valid API token."},
        404: {"description": "No such submission of the token's organisation."},
        429: {"description": "Too many requests with this token (see Retry-After)."},
    },
)
def submission_status(request: Request, token: Token, submission_id: RecordId) -> SubmissionDetail:
    """A submission of the token's organisation: its outcome, counts and coded problems."""
    found = submission_detail(context(request).engine, submission_id, token.organisation)
    if found is None:
        raise HTTPException(404)  # another organisation's submission does not exist for you
    _audit(request, token, "api_read", f"submission:{submission_id}")
    return found


# --- the admin page of the tokens -----------------------------------------------------------


def _actor(request: Request) -> Actor:
    admin = require(request, "users")
    return Actor(admin.username, admin.role.value, request.url.path)


def _tokens_page(
    request: Request,
    lang: str,
    *,
    status_code: int = 200,
    made: NewToken | None = None,
    error: str | None = None,
) -> HTMLResponse:
    language = check_lang(lang)
    engine = context(request).engine
    with engine.connect() as conn:
        organisations = list(registered_organisations(conn).values())
    return render(
        request,
        "tokens.html",
        language,
        status_code=status_code,
        tokens=list_tokens(engine),
        organisations=organisations,
        made=made,
        error=error,
        max_days=MAX_EXPIRY_DAYS,
    )


@router.get("/{lang:lang}/admin/tokens", response_class=HTMLResponse, include_in_schema=False)
def tokens_page(request: Request, lang: str) -> HTMLResponse:
    require(request, "users")
    return _tokens_page(request, lang)


@router.get("/api/admin/tokens", tags=["admin"])
def tokens_json(request: Request) -> list[dict[str, Any]]:
    """Every API token: its organisation, prefix, dates and state (never the token)."""
    require(request, "users")
    return [t.as_dict() for t in list_tokens(context(request).engine)]


@router.post("/{lang:lang}/admin/tokens", response_class=HTMLResponse, include_in_schema=False)
def token_create(request: Request, lang: str, form: CsrfForm) -> HTMLResponse:
    """Make a token and show it once, on this answer only (never in a URL or a redirect)."""
    by = _actor(request)
    days = str(form.get("expires_days", "")).strip()
    if days and not (days.isdigit() and 1 <= int(days) <= MAX_EXPIRY_DAYS):
        rule = WORDS["token_days_rule"](check_lang(lang)).format(n=MAX_EXPIRY_DAYS)
        return _tokens_page(request, lang, status_code=422, error=rule)
    try:
        made = create_token(
            context(request).engine,
            str(form.get("organisation", "")),
            by=by,
            name=str(form.get("name", "")),
            expires_days=int(days) if days else None,
        )
    except ProblemError as exc:  # VM301: no such organisation
        return _tokens_page(request, lang, status_code=422, error=exc.problems[0].message)
    return _tokens_page(request, lang, made=made)


@router.post("/{lang:lang}/admin/tokens/{token_id}/revoke", include_in_schema=False)
def token_revoke(request: Request, lang: str, token_id: RecordId, _form: CsrfForm) -> Response:
    language = check_lang(lang)
    by = _actor(request)
    if get_token(context(request).engine, token_id) is None:
        raise HTTPException(404)
    revoke_token(context(request).engine, token_id, by=by)
    return RedirectResponse(f"/{language}/admin/tokens", status_code=303)
