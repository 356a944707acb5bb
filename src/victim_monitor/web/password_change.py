"""A logged-in user changes their own password; every other session of theirs ends.

The current password is checked under the login throttle (a wrong one counts as a failed
login), the new one under the password policy; argon2 runs in a worker thread. The browser
that made the change gets a new session, so no session from before the change survives.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from victim_monitor.vocab import Label
from victim_monitor.web import passwords, sessions, throttle
from victim_monitor.web.accounts import User, authenticate, set_password
from victim_monitor.web.deps import check_csrf, check_lang, context, current_user, log, render
from victim_monitor.web.i18n import WORDS, Lang
from victim_monitor.web.security import client_address

router = APIRouter()


def _page(
    request: Request,
    lang: Lang,
    status_code: int = 200,
    error: Label | None = None,
    retry_after: int | None = None,
) -> HTMLResponse:
    return render(
        request,
        "password.html",
        lang,
        status_code=status_code,
        error=error(lang) if error else None,
        retry_after=retry_after,
        done=request.query_params.get("changed") == "1",
    )


def _logged_in(request: Request) -> User:
    user = current_user(request)
    if user is None:
        raise HTTPException(401)
    return user


@router.get("/{lang:lang}/workspace/password", response_class=HTMLResponse, include_in_schema=False)
def password_page(request: Request, lang: str) -> HTMLResponse:
    language = check_lang(lang)
    _logged_in(request)
    return _page(request, language)


@router.post(
    "/{lang:lang}/workspace/password", response_class=HTMLResponse, include_in_schema=False
)
async def password_change(request: Request, lang: str) -> Response:
    language = check_lang(lang)
    form = await check_csrf(request)
    user = _logged_in(request)
    ctx = context(request)
    current, new = str(form.get("current", "")), str(form.get("new", ""))
    if new != str(form.get("repeat", "")):
        return _page(request, language, 422, WORDS["passwords_differ"])
    problem = passwords.problem(new, user.username)
    if problem is not None:  # before any hash: the policy costs nothing
        return _page(request, language, 422, problem)
    device = throttle.device_of(
        ctx.settings.secret, request.cookies.get(throttle.DEVICE_COOKIE), user.username
    )
    attempt = throttle.Attempt(user.username, client_address(request), throttle.device_tag(device))
    known, verdict = await run_in_threadpool(
        throttle.guarded,
        ctx.engine,
        attempt,
        lambda: authenticate(ctx.engine, user.username, current),
        request.url.path,
    )
    if not verdict.allowed:
        response = _page(
            request, language, 429, WORDS["login_blocked"], retry_after=verdict.retry_after
        )
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    if known is None:
        return _page(request, language, 422, WORDS["current_password_wrong"])
    await run_in_threadpool(set_password, ctx.engine, user.id, new)  # ends all its sessions
    token = await run_in_threadpool(sessions.start, ctx.engine, user, ctx.settings.session_hours)
    log(request, user, "change_password", f"user:{user.username}", **attempt.detail())
    # A redirect, so that the page's forms carry a CSRF token of the new session.
    done = RedirectResponse(f"/{language}/workspace/password?changed=1", status_code=303)
    sessions.set_cookie(done, token, ctx.settings)
    return done
