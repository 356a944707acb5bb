"""Rendered public responses, kept per publication snapshot, with strong ETags and gzip.

An anonymous public page or JSON twin is a pure function of the published release, the
factsheet folder, the path and the query string, so once rendered it is kept (bounded, least
recently used first out) until the release's manifest or the factsheet folder changes. A hit
costs two ``stat`` calls and a dictionary lookup: no routing, no query, no template. Each entry
holds its body, its gzip twin and a strong ETag per representation, so ``If-None-Match``
answers ``304`` and a client that accepts gzip gets the precompressed bytes. Concurrent misses
for one answer render it once (the others wait for it).

The programme pages (:data:`REGISTER`) also read the programme register, which changes without
a new release: they are kept for :data:`REGISTER_SECONDS` only, and a worker drops them when it
handles any change. So an edit shows at once in the worker that made it, and within two seconds
everywhere else.

Never cached: anything outside :data:`PUBLIC` and :data:`REGISTER` (the workspace, admin,
login), any request carrying a session cookie (a logged-in user's
page names them and carries their CSRF token), any method but GET, any answer but a plain 200,
and any answer that sets a cookie.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from victim_monitor.web.published import release_stamp
from victim_monitor.web.sessions import COOKIE as SESSION_COOKIE
from victim_monitor.web.settings import WebSettings

# The public routes whose answer depends only on the release, path and query string.
PUBLIC = re.compile(
    r"/(nl|en)/(tables/[A-Za-z0-9_]+|downloads)?"
    r"|/api/(overview|tables/[A-Za-z0-9_]+)"
    r"|/downloads/((manifest|estimates|trends|findings|datapackage)\.json"
    r"|(estimates|estimates-sensitivity|trends)\.csv|tables\.xlsx"
    r"|tables/[a-z0-9_]+\.(json|csv)|sdmx/[a-z0-9_]+\.csv)"
)
# Public pages that also read the programme register, which analysts edit in the workspace and
# `victim-monitor programme import` replaces: kept only briefly (a "micro-cache"), and dropped
# by this worker as soon as it handles any change (a request other than GET or HEAD).
REGISTER = re.compile(
    r"/(nl|en)/(programme|programme/[^/]+/measures/[^/]+|recommendations/[^/]+)"
    r"|/api/(programme|programme/[^/]+/measures/[^/]+|recommendations/[^/]+)"
)
REGISTER_SECONDS = 2.0
_clock = time.monotonic  # a name the tests can move forward
MAX_ENTRIES = 512
MAX_BODY = 4 * 1024 * 1024
MIN_GZIP = 512  # smaller bodies gain nothing from compression
# Browsers revalidate every time (a 304 is cheap); pages differ for a logged-in user.
CACHE_CONTROL = b"no-cache"
VARY = b"Accept-Encoding, Cookie"
_DROPPED = {b"content-length", b"content-encoding", b"etag", b"last-modified", b"vary"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One rendered response: headers without length, body, its gzip twin and their ETags."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes
    gzipped: bytes | None
    gzip_etag: bytes
    expires: float | None = None  # the monotonic clock's time after which it is rendered again


def entry(
    status: int, headers: list[tuple[bytes, bytes]], body: bytes, expires: float | None = None
) -> Entry:
    """The cache entry for a rendered response (gzip only when it saves bytes)."""
    digest = hashlib.sha256(body).hexdigest()[:32]
    kept = tuple((k, v) for k, v in headers if k.lower() not in _DROPPED)
    packed = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= MIN_GZIP else None
    if packed is not None and len(packed) >= len(body):
        packed = None
    return Entry(
        status, kept, body, f'"{digest}"'.encode(), packed, f'"{digest}-gz"'.encode(), expires
    )


def _accepts_gzip(headers: Headers) -> bool:
    accepted = headers.get("accept-encoding", "")
    for part in accepted.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def _matches(if_none_match: str, etags: tuple[bytes, ...]) -> bytes | None:
    """The ETag the client holds, if it is one of ours (weak comparison, RFC 9110 13.1.2)."""
    if if_none_match.strip() == "*":
        return etags[0]
    held = {t.strip().removeprefix("W/").encode() for t in if_none_match.split(",")}
    return next((t for t in etags if t in held), None)


class PublicCache:
    """ASGI middleware that answers anonymous public GETs from rendered, bounded entries."""

    def __init__(self, app: ASGIApp, *, max_entries: int = MAX_ENTRIES) -> None:
        self.app = app
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[object, ...], Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[tuple[object, ...], asyncio.Future[Entry | None]] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    @staticmethod
    def _snapshot(settings: WebSettings) -> tuple[object, ...] | None:
        """What the public answers depend on besides path and query (None: nothing published)."""
        release = release_stamp(settings.release_dir)
        if release is None:
            return None
        folder = settings.factsheet_dir
        if folder is None:
            return (str(settings.release_dir), *release)
        try:
            stat = folder.stat()
        except OSError:
            return (str(settings.release_dir), *release, str(folder))
        return (str(settings.release_dir), *release, str(folder), stat.st_ino, stat.st_mtime_ns)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            try:
                await self.app(scope, receive, send)
            finally:
                self._forget_register()  # a change may have reached the programme register
            return
        path: str = scope["path"]
        brief = REGISTER.fullmatch(path) is not None
        if scope["method"] != "GET" or not (brief or PUBLIC.fullmatch(path)):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = headers.get("cookie", "")
        if SESSION_COOKIE in cookies:  # logged in, or was: never cached, never served a copy
            await self.app(scope, receive, send)
            return
        # The settings as the app holds them now (read per request, never copied here).
        snapshot = self._snapshot(scope["app"].state.web.settings)
        if snapshot is None:
            await self.app(scope, receive, send)
            return
        key = (snapshot, path, scope["query_string"])
        now = _clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found.expires is not None and found.expires <= now:
                del self._entries[key]
                found = None
            if found is not None:
                self._entries.move_to_end(key)
        if found is None and key in self._pending:
            # The same answer is being rendered: wait for it rather than render it again.
            found = await asyncio.shield(self._pending[key])
        if found is None:
            self.misses += 1
            expires = now + REGISTER_SECONDS if brief else None
            found = await self._render_once(key, scope, receive, send, expires)
            if found is None:
                return  # answered as rendered, uncached
        else:
            self.hits += 1
        await _answer(found, headers, send)

    def _forget_register(self) -> None:
        with self._lock:
            for key in [k for k, e in self._entries.items() if e.expires is not None]:
                del self._entries[key]

    async def _render_once(
        self,
        key: tuple[object, ...],
        scope: Scope,
        receive: Receive,
        send: Send,
        expires: float | None,
    ) -> Entry | None:
        """Render, keep and share with concurrent requests for the same key."""
        pending: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(key, pending)
        found = None
        try:
            found = await self._render(scope, receive, send, expires)
            if found is not None:
                with self._lock:
                    self._entries[key] = found
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
        finally:
            if self._pending.get(key) is pending:
                del self._pending[key]
            pending.set_result(found)  # None: the others render their own
        return found

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, expires: float | None
    ) -> Entry | None:
        """Run the app; the entry when its answer may be kept, else pass the answer on."""
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        # The test client's ``http.response.debug`` message is no part of the answer.
        kept = [m for m in messages if m["type"] != "http.response.debug"]
        start = kept[0] if kept else None
        body = b"".join(m.get("body", b"") for m in kept[1:])
        raw: list[tuple[bytes, bytes]] = list(start.get("headers", [])) if start else []
        cacheable = (
            start is not None
            and start["type"] == "http.response.start"
            and start["status"] == 200
            and all(m["type"] == "http.response.body" for m in kept[1:])
            and not any(k.lower() in (b"set-cookie", b"content-encoding") for k, _ in raw)
            and len(body) <= MAX_BODY
        )
        if cacheable and start is not None:
            return entry(start["status"], raw, body, expires)
        for message in messages:
            await send(message)
        return None


async def _answer(found: Entry, request_headers: Headers, send: Send) -> None:
    use_gzip = found.gzipped is not None and _accepts_gzip(request_headers)
    etag = found.gzip_etag if use_gzip else found.etag
    common = [(b"cache-control", CACHE_CONTROL), (b"vary", VARY), (b"etag", etag)]
    held = request_headers.get("if-none-match")
    matched = _matches(held, (etag,)) if held else None
    if matched is not None:
        await send({"type": "http.response.start", "status": 304, "headers": common})
        await send({"type": "http.response.body", "body": b""})
        return
    body = found.gzipped if use_gzip and found.gzipped is not None else found.body
    headers = [*found.headers, *common, (b"content-length", str(len(body)).encode())]
    if use_gzip:
        headers.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": found.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
