"""Administration: users and organisations, and the audit trail (view, verify, export).

Admins manage accounts but read no person-level data; every change they make is audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from victim_monitor.registry.organisations import (
    Organisation,
    registered_organisations,
    sync_organisations,
)
from victim_monitor.vocab import EstimationList, ReporterType
from victim_monitor.web import audit
from victim_monitor.web.accounts import (
    ROLE_LABELS,
    AccountError,
    Role,
    User,
    create_user,
    list_users,
    set_active,
)
from victim_monitor.web.audit import AuditEvent
from victim_monitor.web.deps import RecordId, check_csrf, check_lang, context, log, render, require

router = APIRouter()


def _organisations(request: Request) -> list[Organisation]:
    with context(request).engine.connect() as conn:
        return list(registered_organisations(conn).values())


def _users_page(
    request: Request, lang: str, status_code: int = 200, error: str | None = None
) -> HTMLResponse:
    language = check_lang(lang)
    return render(
        request,
        "users.html",
        language,
        status_code=status_code,
        users=list_users(context(request).engine),
        organisations=_organisations(request),
        roles=[(r.value, ROLE_LABELS[r](language)) for r in Role],
        error=error,
    )


@router.get("/{lang:lang}/admin/users", response_class=HTMLResponse, include_in_schema=False)
def users_page(request: Request, lang: str) -> HTMLResponse:
    require(request, "users")
    return _users_page(request, lang)


@router.get("/api/admin/users", tags=["admin"])
def users_json(request: Request) -> list[User]:
    """Every workspace user (never a password hash)."""
    require(request, "users")
    return list(list_users(context(request).engine))


@router.post("/{lang:lang}/admin/users", response_class=HTMLResponse, include_in_schema=False)
async def user_create(request: Request, lang: str) -> Response:
    form = await check_csrf(request)
    admin = require(request, "users")
    try:
        user = create_user(
            context(request).engine,
            str(form.get("username", "")),
            str(form.get("password", "")),
            str(form.get("role", "")),
            organisation=str(form.get("organisation", "")) or None,
            display_name=str(form.get("display_name", "")),
        )
    except (AccountError, ValueError) as exc:
        return _users_page(request, lang, status_code=422, error=str(exc))
    log(request, admin, "create_user", f"user:{user.username}", role=user.role.value)
    return RedirectResponse(f"/{check_lang(lang)}/admin/users", status_code=303)


@router.post("/{lang:lang}/admin/users/{user_id}/active", include_in_schema=False)
async def user_active(request: Request, lang: str, user_id: RecordId) -> Response:
    form = await check_csrf(request)
    admin = require(request, "users")
    active = str(form.get("active", "")) == "1"
    if user_id == admin.id and not active:
        return _users_page(request, lang, status_code=422, error="you cannot block yourself")
    try:
        user = set_active(context(request).engine, user_id, active)
    except AccountError as exc:
        raise HTTPException(404, str(exc)) from exc
    log(request, admin, "block_user" if not active else "unblock_user", f"user:{user.username}")
    return RedirectResponse(f"/{check_lang(lang)}/admin/users", status_code=303)


@router.get(
    "/{lang:lang}/admin/organisations", response_class=HTMLResponse, include_in_schema=False
)
def organisations_page(request: Request, lang: str) -> HTMLResponse:
    language = check_lang(lang)
    require(request, "users")
    return render(
        request,
        "organisations.html",
        language,
        organisations=_organisations(request),
        reporter_types=[t.value for t in ReporterType],
        lists=[x.value for x in EstimationList],
        error=None,
    )


@router.post("/{lang:lang}/admin/organisations", include_in_schema=False)
async def organisation_save(request: Request, lang: str) -> Response:
    language = check_lang(lang)
    form = await check_csrf(request)
    admin = require(request, "users")
    try:
        org = Organisation(
            code=str(form.get("code", "")).strip().upper()[:16],
            name_nl=str(form.get("name_nl", "")).strip()[:200],
            name_en=str(form.get("name_en", "")).strip()[:200],
            reporter_type=ReporterType(str(form.get("reporter_type", ""))),
            investigative=str(form.get("investigative", "")) == "1",
            estimation_list=EstimationList(str(form.get("estimation_list", ""))),
        )
        if not org.code.isalnum() or not org.name_nl or not org.name_en:
            raise ValueError("code (letters and digits) and both names are required")
    except ValueError as exc:
        return render(
            request,
            "organisations.html",
            language,
            status_code=422,
            organisations=_organisations(request),
            reporter_types=[t.value for t in ReporterType],
            lists=[x.value for x in EstimationList],
            error=str(exc),
        )
    sync_organisations(context(request).engine, (org,))
    log(request, admin, "save_organisation", f"organisation:{org.code}")
    return RedirectResponse(f"/{language}/admin/organisations", status_code=303)


@router.get("/{lang:lang}/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    lang: str,
    before: Annotated[int | None, Query(ge=1)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
) -> HTMLResponse:
    language = check_lang(lang)
    require(request, "audit")
    engine = context(request).engine
    return render(
        request,
        "audit.html",
        language,
        events=audit.events(engine, limit=100, before=before, action=action or None),
        check=audit.verify(engine),
        action=action or "",
    )


@router.get("/api/admin/audit", tags=["admin"])
def audit_json(
    request: Request,
    before: Annotated[int | None, Query(ge=1)] = None,
    action: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEvent]:
    """The latest audit events, newest first (admins only)."""
    require(request, "audit")
    return list(audit.events(context(request).engine, limit=limit, before=before, action=action))


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
