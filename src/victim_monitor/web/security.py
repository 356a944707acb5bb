"""Security headers, CSRF tokens and the login throttle.

Every response carries a strict Content-Security-Policy (scripts and styles only from this
server's own ``/static``, no inline script, no framing) and the usual hardening headers. Every
form carries a CSRF token: an HMAC, under the deployment's secret, of a random per-browser
cookie, which a POST must echo (and which a cross-site page can neither read nor set).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import Engine
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from victim_monitor.web import audit

CSRF_COOKIE = "vm_csrf"
CSRF_FIELD = "csrf_token"

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Login throttle: failures within the window, per username and per client address.
WINDOW = dt.timedelta(minutes=15)
MAX_PER_USER = 5
MAX_PER_CLIENT = 20


class SecurityHeaders(BaseHTTPMiddleware):
    """Adds the headers, HSTS on HTTPS, and a CSRF cookie to browsers that lack one."""

    def __init__(self, app: object, *, secure_cookies: bool) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.secure_cookies = secure_cookies

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        fresh = None
        if CSRF_COOKIE not in request.cookies:
            fresh = secrets.token_urlsafe(24)
            request.state.csrf_seed = fresh
        else:
            request.state.csrf_seed = request.cookies[CSRF_COOKIE]
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if self.secure_cookies:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if request.url.path.startswith(("/nl", "/en")) or request.url.path == "/":
            response.headers.setdefault("Cache-Control", "no-store")
        if fresh is not None:
            response.set_cookie(
                CSRF_COOKIE,
                fresh,
                httponly=True,
                samesite="strict",
                secure=self.secure_cookies,
            )
        return response


def csrf_token(secret: str, seed: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{seed}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: str, request: Request, submitted: str | None) -> bool:
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, seed), submitted)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login_blocked(engine: Engine, username: str, client: str) -> bool:
    """Too many failed logins lately for this username or from this client."""
    since = dt.datetime.now(dt.UTC) - WINDOW
    per_user = audit.count_since(engine, "login_failed", since, record=f"user:{username}")
    if per_user >= MAX_PER_USER:
        return True
    return audit.count_since(engine, "login_failed", since, client=client) >= MAX_PER_CLIENT
