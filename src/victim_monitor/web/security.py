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
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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

_RAW = tuple((name.lower().encode(), value.encode()) for name, value in HEADERS.items())

# Login throttle: failures within the window, per username and per client address.
WINDOW = dt.timedelta(minutes=15)
MAX_PER_USER = 5
MAX_PER_CLIENT = 20


class SecurityHeaders:
    """Adds the headers, HSTS on HTTPS, and a CSRF cookie to browsers that lack one.

    Plain ASGI (not ``BaseHTTPMiddleware``, which costs a task and a stream per request).
    """

    def __init__(self, app: ASGIApp, *, secure_cookies: bool) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seed = HTTPConnection(scope).cookies.get(CSRF_COOKIE)
        fresh = None if seed else secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf_seed"] = seed or fresh
        path: str = scope["path"]
        pages = path == "/" or path.startswith(("/nl", "/en"))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {name.lower() for name, _ in raw}
                raw.extend(h for h in _RAW if h[0] not in present)
                if self.secure_cookies:
                    raw.append((b"strict-transport-security", b"max-age=31536000"))
                if pages and b"cache-control" not in present:
                    raw.append((b"cache-control", b"no-store"))
                if fresh is not None:
                    secure = "; Secure" if self.secure_cookies else ""
                    cookie = f"{CSRF_COOKIE}={fresh}; HttpOnly; Path=/; SameSite=strict{secure}"
                    raw.append((b"set-cookie", cookie.encode()))
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
