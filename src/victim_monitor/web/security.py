"""Security headers, CSRF tokens and the client's address (the throttle: :mod:`.throttle`).

Every response carries a strict Content-Security-Policy (scripts and styles only from this
server's own ``/static``, no inline script, no framing) and the usual hardening headers.

CSRF: every form carries a token, an HMAC under the deployment's secret of the session token
when logged in, else of a random per-browser cookie (for the login form). A POST must echo it
(:func:`victim_monitor.web.deps.check_csrf`); a cookie an attacker planted gives them no token
for the victim's session. A request with a foreign ``Origin`` (or, without one, ``Referer``)
is refused with 403 before its body is read.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from victim_monitor.web.sessions import COOKIE as SESSION_COOKIE

CSRF_COOKIE = "vm_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"  # the same token, for fetch(): checked before the body is read
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

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


class SecurityHeaders:
    """Adds the headers, HSTS on HTTPS, and a CSRF cookie to browsers that lack one; refuses
    an unsafe request from a foreign origin (403) before the app reads its body.

    Plain ASGI (not ``BaseHTTPMiddleware``, which costs a task and a stream per request).
    """

    def __init__(self, app: ASGIApp, *, secure_cookies: bool) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = HTTPConnection(scope).cookies
        seed = cookies.get(CSRF_COOKIE)
        fresh = None if seed else secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf_binding"] = csrf_binding(cookies) or f"browser:{fresh}"
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

        if scope["method"] not in SAFE_METHODS and not same_origin(
            Headers(scope=scope), secure=self.secure_cookies
        ):
            refusal = PlainTextResponse("cross-origin request refused", status_code=403)
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def csrf_binding(cookies: Mapping[str, str]) -> str | None:
    """What a CSRF token is bound to: the session when there is one, else the browser cookie."""
    session = cookies.get(SESSION_COOKIE)
    if session:
        return f"session:{session}"
    seed = cookies.get(CSRF_COOKIE)
    return f"browser:{seed}" if seed else None


def csrf_token(secret: str, binding: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: str, request: Request, submitted: str | None) -> bool:
    binding = csrf_binding(request.cookies)
    if not binding or not submitted:
        return False
    return hmac.compare_digest(csrf_token(secret, binding), submitted)


_DEFAULT_PORTS = {"https": ":443", "http": ":80"}


def same_origin(headers: Headers, *, secure: bool) -> bool:
    """Whether an unsafe request's ``Origin`` (else ``Referer``) is this server's own.

    Neither header: a client that is not a browser, or one that sends neither; the CSRF token
    still has to be right. The host is compared with ``Host``, not with a configured name, and
    the scheme must be https when cookies are secure (a proxy may end TLS, so the scheme of
    the connection itself says nothing).
    """
    claimed = headers.get("origin") or headers.get("referer")
    if claimed is None:
        return True
    host = headers.get("host", "").lower()
    if claimed == "null" or not host:
        return False
    parts = urlsplit(claimed)
    default_port = _DEFAULT_PORTS.get(parts.scheme)
    if default_port is None or (secure and parts.scheme != "https"):
        return False
    netloc = parts.netloc.lower().removesuffix(default_port)
    return netloc == host.removesuffix(default_port)


def client_address(request: Request) -> str:
    """The peer's address; a proxy's ``X-Forwarded-For`` only from a configured proxy.

    ``create_app`` rewrites the peer from the header only when the connection comes from one
    of ``WebSettings.forwarded_allow_ips`` (``serve --forwarded-allow-ips``); uvicorn's own
    handling, which trusts loopback by default, is off.
    """
    return request.client.host if request.client else "unknown"
