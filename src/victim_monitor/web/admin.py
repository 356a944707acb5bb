"""Administration: users and organisations (the audit trail's pages: web.audit_routes).

Admins manage accounts but read no person-level data; every change they make is audited.
"""

from __future__ import annotations

import ipaddress
from functools import partial

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from victim_monitor.registry.organisations import (
    Organisation,
    OrganisationCodeError,
    organisation_code,
    registered_organisations,
    sync_organisations,
)
from victim_monitor.vocab import EstimationList, Label, ReporterType
from victim_monitor.web import sessions, throttle
from victim_monitor.web.accounts import (
    ROLE_LABELS,
    AccountError,
    Role,
    User,
    create_user,
    end_sessions,
    get_user,
    list_users,
    set_active,
)
from victim_monitor.web.deps import (
    CsrfForm,
    RecordId,
    check_csrf,
    check_lang,
    context,
    log,
    render,
    require,
)

router = APIRouter()

_NOT_AN_ADDRESS = Label("Geen IP-adres.", "Not an IP address.")


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
        sessions=sessions.live_counts(context(request).engine),
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
        user = await run_in_threadpool(  # argon2 hashes off the event loop
            partial(
                create_user,
                context(request).engine,
                str(form.get("username", "")),
                str(form.get("password", "")),
                str(form.get("role", "")),
                organisation=str(form.get("organisation", "")) or None,
                display_name=str(form.get("display_name", "")),
            )
        )
    except AccountError as exc:
        return _users_page(request, lang, status_code=422, error=exc.label(check_lang(lang)))
    except ValueError as exc:
        return _users_page(request, lang, status_code=422, error=str(exc))
    log(request, admin, "create_user", f"user:{user.username}", role=user.role.value)
    return RedirectResponse(f"/{check_lang(lang)}/admin/users", status_code=303)


@router.post("/{lang:lang}/admin/users/{user_id}/active", include_in_schema=False)
def user_active(request: Request, lang: str, user_id: RecordId, form: CsrfForm) -> Response:
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


@router.post("/{lang:lang}/admin/users/{user_id}/sessions", include_in_schema=False)
def user_end_sessions(request: Request, lang: str, user_id: RecordId, _form: CsrfForm) -> Response:
    """End every session of a user: each browser they are logged in on is logged out."""
    admin = require(request, "users")
    engine = context(request).engine
    user = get_user(engine, user_id)
    if user is None:
        raise HTTPException(404, f"no user #{user_id}")
    ended = end_sessions(engine, user_id)
    log(request, admin, "end_sessions", f"user:{user.username}", ended=ended)
    return RedirectResponse(f"/{check_lang(lang)}/admin/users", status_code=303)


@router.post("/{lang:lang}/admin/users/{user_id}/throttle", include_in_schema=False)
def user_clear_throttle(
    request: Request, lang: str, user_id: RecordId, _form: CsrfForm
) -> Response:
    """Clear a username's login delays (from every address and browser)."""
    admin = require(request, "users")
    user = get_user(context(request).engine, user_id)
    if user is None:
        raise HTTPException(404, f"no user #{user_id}")
    # The audit event is the clear: the throttle reads it back (web.throttle).
    log(request, admin, throttle.CLEARED, f"user:{user.username}")
    return RedirectResponse(f"/{check_lang(lang)}/admin/users", status_code=303)


@router.post("/{lang:lang}/admin/throttle", include_in_schema=False)
def client_clear_throttle(request: Request, lang: str, form: CsrfForm) -> Response:
    """Clear an address's login delays (every username tried from it)."""
    admin = require(request, "users")
    try:
        client = str(ipaddress.ip_address(str(form.get("client", "")).strip()))
    except ValueError:
        return _users_page(request, lang, status_code=422, error=_NOT_AN_ADDRESS(check_lang(lang)))
    log(request, admin, throttle.CLEARED, f"client:{client}")
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
def organisation_save(request: Request, lang: str, form: CsrfForm) -> Response:
    language = check_lang(lang)
    admin = require(request, "users")
    try:
        org = Organisation(
            code=organisation_code(str(form.get("code", ""))),
            name_nl=str(form.get("name_nl", "")).strip()[:200],
            name_en=str(form.get("name_en", "")).strip()[:200],
            reporter_type=ReporterType(str(form.get("reporter_type", ""))),
            investigative=str(form.get("investigative", "")) == "1",
            estimation_list=EstimationList(str(form.get("estimation_list", ""))),
        )
        if not org.name_nl or not org.name_en:
            raise ValueError("both names are required")
    except ValueError as exc:
        message = exc.label(language) if isinstance(exc, OrganisationCodeError) else str(exc)
        return render(
            request,
            "organisations.html",
            language,
            status_code=422,
            organisations=_organisations(request),
            reporter_types=[t.value for t in ReporterType],
            lists=[x.value for x in EstimationList],
            error=message,
        )
    sync_organisations(context(request).engine, (org,))
    log(request, admin, "save_organisation", f"organisation:{org.code}")
    return RedirectResponse(f"/{language}/admin/organisations", status_code=303)
