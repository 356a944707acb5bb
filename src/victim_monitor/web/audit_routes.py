"""The audit trail's pages (admins only): view, verify, export, and signed checkpoints.

The page verifies incrementally: this process remembers the last event it found intact and
recomputes only the events after it (the remembered event must still be there, unchanged);
``?full=1`` recomputes the whole chain. A checkpoint downloaded here and kept elsewhere is
uploaded again to check that nothing was cut from the end or rebuilt (web.checkpoint).
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from victim_monitor.web import audit, checkpoint
from victim_monitor.web.audit import AuditEvent, ChainCheck
from victim_monitor.web.deps import MAX_ID, check_csrf, check_lang, context, log, render, require
from victim_monitor.web.limits import FormLimits

router = APIRouter()

Before = Annotated[int | None, Query(ge=1, le=MAX_ID)]
Action = Annotated[str | None, Query(max_length=32)]
# The checkpoint upload: one small file, the token and the "full" box.
CHECKPOINT_FORM = FormLimits(files=1, fields=4, field_bytes=checkpoint.MAX_BYTES)


# One verifier at a time: views that arrive together would otherwise each recompute the same
# unverified tail (after a start, the whole chain, once per view); waiting, they find it done.
_VERIFYING = threading.Lock()


def checked(request: Request, *, full: bool = False) -> ChainCheck:
    """The chain verified from where this process last found it intact (everything if full).
    Called from the thread pool (the routes are plain ``def``): the lock never holds the loop."""
    state = request.app.state
    with _VERIFYING:
        since = None if full else getattr(state, "audit_checked", None)
        check = audit.verify(context(request).engine, since=since)
        if check.intact:
            state.audit_checked = check
    return check


def _page(
    request: Request,
    lang: str,
    check: ChainCheck,
    *,
    before: int | None = None,
    action: str | None = None,
    against: ChainCheck | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    engine = context(request).engine
    key = audit.bound_key(engine)
    return render(
        request,
        "audit.html",
        check_lang(lang),
        status_code=status_code,
        events=audit.events(engine, limit=100, before=before, action=action or None),
        check=check,
        against=against,
        error=error,
        key_id=audit.key_id(key) if key else None,
        action=action or "",
    )


@router.get("/{lang:lang}/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request, lang: str, before: Before = None, action: Action = None, full: bool = False
) -> HTMLResponse:
    require(request, "audit")
    return _page(request, lang, checked(request, full=full), before=before, action=action)


@router.get("/api/admin/audit", tags=["admin"])
def audit_json(
    request: Request,
    before: Before = None,
    action: Action = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEvent]:
    """The latest audit events, newest first (admins only)."""
    require(request, "audit")
    return list(audit.events(context(request).engine, limit=limit, before=before, action=action))


@router.get("/api/admin/audit/check", tags=["admin"])
def audit_check_json(request: Request, full: bool = False) -> dict[str, Any]:
    """The chain's check as on the audit page: the events since the last check, or all."""
    require(request, "audit")
    return checked(request, full=full).as_dict()


@router.get("/admin/audit.csv", tags=["admin"], response_class=StreamingResponse)
def audit_export(request: Request) -> StreamingResponse:
    """The whole audit trail as CSV with its hashes, so that a copy can be verified."""
    user = require(request, "audit")
    log(request, user, "export_audit", "audit_trail")
    return StreamingResponse(
        audit.export_csv(context(request).engine),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit-trail.csv"'},
    )


@router.get("/admin/audit/checkpoint.json", tags=["admin"])
def checkpoint_download(request: Request) -> Response:
    """A checkpoint of the trail as it is now, signed under the audit key, to keep elsewhere."""
    user = require(request, "audit")
    log(request, user, "audit_checkpoint", "audit_trail")  # so the checkpoint covers itself
    check = checked(request)
    if not check.intact:
        raise HTTPException(409, f"no checkpoint of a broken trail: {check.summary()}")
    made = checkpoint.make(check, audit.bound_key(context(request).engine))
    return Response(
        made.to_json(),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="audit-checkpoint-{made.last_id}.json"'
        },
    )


@router.post("/{lang:lang}/admin/audit/checkpoint", include_in_schema=False)
async def checkpoint_verify(request: Request, lang: str) -> Response:
    """Verify the trail against an uploaded checkpoint (incremental unless "full" is ticked)."""
    form = await check_csrf(request, CHECKPOINT_FORM)
    user = require(request, "audit")
    upload = form.get("checkpoint")
    raw = await upload.read(checkpoint.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    try:
        given = checkpoint.parse(raw or str(form.get("checkpoint_text", "")))
    except checkpoint.CheckpointError as exc:
        check = await run_in_threadpool(checked, request)
        return _page(request, lang, check, error=str(exc), status_code=422)
    full = str(form.get("full", "")) == "1"
    state = None if full else getattr(request.app.state, "audit_checked", None)
    engine = context(request).engine
    against = await run_in_threadpool(checkpoint.verify_against, engine, given, since=state)
    if against.intact:
        request.app.state.audit_checked = against
    log(
        request,
        user,
        "verify_audit",
        "audit_trail",
        checkpoint=given.last_id,
        intact=against.intact,
        full=full,
    )
    return _page(request, lang, against, against=against)
