"""What every route needs: the app's context, the user, the rights table, rendering, CSRF."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.convertors import Convertor, register_url_convertor

from victim_monitor.web import audit_batch, sessions
from victim_monitor.web.accounts import ROLE_LABELS, Role, User
from victim_monitor.web.i18n import LANGS, Lang, category, dimension, translator
from victim_monitor.web.limits import FORM, FormLimits, first_part
from victim_monitor.web.security import CSRF_FIELD, CSRF_HEADER, csrf_token, csrf_valid
from victim_monitor.web.settings import WebSettings

TEMPLATES = Path(__file__).parent / "templates"


class LangConvertor(Convertor[str]):
    """``{lang:lang}`` in a path matches only ``nl`` or ``en``, so ``/api/...`` never does."""

    regex = "nl|en"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("lang", LangConvertor())

# Record ids in paths and queries: positive and within a 32-bit integer on both databases
# (a larger one overflows SQLite's integer: a 500 instead of a 422).
MAX_ID = 2_147_483_647
RecordId = Annotated[int, PathParam(ge=1, le=MAX_ID)]

CSRF_WRONG = "CSRF token missing or wrong; reload the page and try again"

# Need-to-know: which roles may do what. Routes name a right, never a role.
RIGHTS: dict[str, frozenset[Role]] = {
    "submit": frozenset({Role.REPORTER}),  # upload and see own organisation's submissions
    "submissions_all": frozenset({Role.STAFF}),
    "review": frozenset({Role.STAFF}),
    "persons": frozenset({Role.STAFF}),
    "publish": frozenset({Role.ANALYST}),
    "programme": frozenset({Role.ANALYST}),  # record measure status and follow-up changes
    "users": frozenset({Role.ADMIN}),
    "audit": frozenset({Role.ADMIN}),
}


@dataclass(frozen=True, slots=True)
class WebContext:
    settings: WebSettings
    engine: Engine
    templates: Jinja2Templates


def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.web
    return ctx


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise HTTPException(404)
    return "nl" if lang == "nl" else "en"


def current_user(request: Request) -> User | None:
    ctx = context(request)
    user = sessions.lookup(ctx.engine, request.cookies.get(sessions.COOKIE))
    request.state.user = user
    return user


def may(user: User | None, right: str) -> bool:
    return user is not None and user.role in RIGHTS[right]


def require(request: Request, right: str) -> User:
    """The user if they hold ``right``; 401 when logged out, 403 otherwise (and logged)."""
    user = current_user(request)
    if user is None:
        raise HTTPException(401)
    if not may(user, right):
        audit_batch.append(
            context(request).engine,
            actor=user.username,
            role=user.role.value,
            action="denied",
            record=right,
            screen=request.url.path,
        )
        raise HTTPException(403)
    return user


def log(request: Request, user: User, action: str, record: str, **detail: Any) -> None:
    """Record a read of person-level data or a change, with the screen it happened on."""
    audit_batch.append(
        context(request).engine,
        actor=user.username,
        role=user.role.value,
        action=action,
        record=record,
        screen=request.url.path,
        detail=detail,
    )


async def check_csrf(request: Request, limits: FormLimits = FORM) -> dict[str, Any]:
    """The submitted form, after checking its CSRF token (403 when wrong or missing).

    The token comes in the ``X-CSRF-Token`` header or, in a multipart body, as its first part,
    and is checked before the rest of the body is read; a urlencoded body (small: the body
    limit) is read whole first. ``limits`` bound the files and fields the parser keeps (400).
    """
    secret = context(request).settings.secret
    submitted = request.headers.get(CSRF_HEADER)
    source = request
    if submitted is None:
        first, source = await first_part(request)
        if first is not None and first[0] == CSRF_FIELD:
            submitted = first[1]
        elif source.headers.get("content-type", "").lower().startswith("multipart/"):
            submitted = ""  # the token was not the first part: refused unread
    if submitted is not None and not csrf_valid(secret, request, submitted):
        raise HTTPException(403, CSRF_WRONG)
    form = await source.form(
        max_files=limits.files, max_fields=limits.fields, max_part_size=limits.field_bytes
    )
    if submitted is None:
        token = form.get(CSRF_FIELD)
        if not csrf_valid(secret, request, token if isinstance(token, str) else None):
            raise HTTPException(403, CSRF_WRONG)
    return dict(form)


async def _csrf_form(request: Request) -> dict[str, Any]:
    return await check_csrf(request)


# A form post's fields, its CSRF token checked: as a dependency, the body is read on the event
# loop and a plain ``def`` route does the rest in the thread pool, its database work off the
# loop (an ``async def`` route that awaited check_csrf would do it on the loop).
CsrfForm = Annotated[dict[str, Any], Depends(_csrf_form)]


def _switch(request: Request, lang: Lang) -> str:
    other = "en" if lang == "nl" else "nl"
    path = request.url.path
    rest = path[3:] if path.startswith(("/nl", "/en")) else "/"
    query = f"?{request.url.query}" if request.url.query else ""
    return f"/{other}{rest or '/'}{query}"


def render(
    request: Request, template: str, lang: Lang, status_code: int = 200, **values: Any
) -> HTMLResponse:
    ctx = context(request)
    user = getattr(request.state, "user", None)
    binding = getattr(request.state, "csrf_binding", "")
    values.update(
        request=request,
        lang=lang,
        t=translator(lang),
        user=user,
        role_label=ROLE_LABELS[user.role](lang) if user else "",
        may=lambda right: may(user, right),
        csrf_field=CSRF_FIELD,
        csrf=csrf_token(ctx.settings.secret, binding),
        switch_url=_switch(request, lang),
        category=lambda dim, code: category(dim, str(code), lang),
        dimension=lambda dim: dimension(dim, lang),
        other_lang="en" if lang == "nl" else "nl",
    )
    return ctx.templates.TemplateResponse(request, template, values, status_code=status_code)
