"""Request bodies bounded before they are read: by ``Content-Length``, and while they stream.

Each request's limit follows from its method, path and content type (:func:`body_limit`): a
multipart upload of a submission (or the submission API's form or raw file) may be as large as
the configured maximum, the programme's text forms 64 KiB, anything else 16 KiB. A declared
length over the limit is refused with 413 before a byte is read; a body without one (chunked)
is counted as it arrives and refused as soon as it passes the limit, so no more than the limit
is ever spooled. Within that, the form parser keeps at most :data:`FORM` or :data:`UPLOAD`'s
files, fields and field sizes.

:func:`first_part` reads a multipart body only until its first part is complete, so that the
CSRF token it carries is checked before the rest (a file) is read.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import HTTPException
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from victim_monitor.vocab import Label

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FORM_BYTES = 16 * 1024  # login, logout, decisions, users, organisations, publish
# Two texts of 2,000 characters and an address, percent-encoded (up to 9 bytes a character).
TEXT_FORM_BYTES = 64 * 1024
MULTIPART_OVERHEAD = 64 * 1024  # an upload's boundaries, part headers and small fields
FIRST_PART_BYTES = 4 * 1024  # the token's part must be complete within the first 4 KiB

UPLOAD_PATH = re.compile(r"/(nl|en)/workspace/submissions")
API_UPLOAD_PATH = "/api/submissions"  # web.api_upload: a form or the file as the raw body
TEXT_FORM_PATH = re.compile(r"/(nl|en)/workspace/(programme|recommendations)/.+")


@dataclass(frozen=True, slots=True)
class FormLimits:
    """What the form parser keeps of a body that passed its size limit."""

    files: int
    fields: int
    field_bytes: int  # each field that is not a file


FORM = FormLimits(files=0, fields=32, field_bytes=TEXT_FORM_BYTES)
UPLOAD = FormLimits(files=1, fields=4, field_bytes=1024)


TOO_LARGE = Label(
    "Het verzoek is te groot: hoogstens {size}.", "The request is too large: at most {size}."
)


class BodyTooLarge(HTTPException):
    """A body passed its limit while it was read."""

    def __init__(self, limit: int, path: str) -> None:
        size = f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit >> 10} KiB"
        words = TOO_LARGE.nl if path.startswith("/nl") else TOO_LARGE.en
        super().__init__(413, words.format(size=size))


def body_limit(method: str, path: str, content_type: str, upload_bytes: int) -> int:
    """The most body bytes a request may send (``upload_bytes``: a submission's maximum)."""
    multipart = content_type.lower().startswith("multipart/form-data")
    if method == "POST" and multipart and UPLOAD_PATH.fullmatch(path):
        return upload_bytes + MULTIPART_OVERHEAD
    if method == "POST" and path == API_UPLOAD_PATH:
        return upload_bytes + MULTIPART_OVERHEAD
    if method == "POST" and TEXT_FORM_PATH.fullmatch(path):
        return TEXT_FORM_BYTES
    return FORM_BYTES


def _refusal(path: str, status: int, detail: str) -> Response:
    if path.startswith("/api"):
        return JSONResponse({"detail": detail}, status_code=status)
    return PlainTextResponse(detail, status_code=status)


class BodyLimit:
    """Refuses a body over its request's limit, by its declared length or as it streams.

    Plain ASGI, as :class:`~victim_monitor.web.security.SecurityHeaders`. The route sees
    :class:`BodyTooLarge` from ``receive`` (rendered as the app's 413 page); if it escapes the
    app before a response started, the 413 is sent here.
    """

    def __init__(self, app: ASGIApp, *, upload_bytes: int) -> None:
        self.app = app
        self.upload_bytes = upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = Headers(scope=scope)
        limit = body_limit(
            scope["method"], path, headers.get("content-type", ""), self.upload_bytes
        )
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            bad = not declared.isdigit()
            detail = "bad Content-Length" if bad else str(BodyTooLarge(limit, path).detail)
            await _refusal(path, 400 if bad else 413, detail)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit, path)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except BodyTooLarge as exc:
            if started:
                raise
            await _refusal(path, 413, str(exc.detail))(scope, receive, send)


async def first_part(request: Request) -> tuple[tuple[str, str] | None, Request]:
    """A multipart body's first field (name, value), read alone, and a request to read the
    whole form from (it replays what was read).

    None instead of the field when the body is not multipart, the first part is a file, or it
    is not complete within :data:`FIRST_PART_BYTES`.
    """
    kind, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    read: list[Message] = []
    if kind != b"multipart/form-data" or not boundary:
        return None, request
    part = _FirstPart()
    parser = MultipartParser(boundary, part.callbacks())
    size = 0
    while not part.done and size <= FIRST_PART_BYTES:
        message = await request.receive()
        read.append(message)
        chunk = message.get("body", b"")
        size += len(chunk)
        try:
            parser.write(chunk)
        except MultipartParseError:
            break  # the full parse reports it, if the token was right after all
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    return part.field(), Request(request.scope, _replaying(read, request.receive))


class _FirstPart:
    """Collects the headers and data of a multipart body's first part."""

    def __init__(self) -> None:
        self.parts = 0
        self.done = False
        self.headers: dict[bytes, bytes] = {}
        self.name = bytearray()
        self.value = bytearray()
        self.data = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda data, start, end: self._keep(self.name, data[start:end]),
            "on_header_value": lambda data, start, end: self._keep(self.value, data[start:end]),
            "on_header_end": self._header_end,
            "on_part_data": lambda data, start, end: self._keep(self.data, data[start:end]),
            "on_part_end": self._end,
        }

    def _first(self) -> bool:
        return self.parts == 1 and not self.done

    def _keep(self, into: bytearray, data: bytes) -> None:
        if self._first():
            into.extend(data)

    def _begin(self) -> None:
        self.parts += 1

    def _header_end(self) -> None:
        if self._first():
            self.headers[bytes(self.name).lower()] = bytes(self.value)
        self.name.clear()
        self.value.clear()

    def _end(self) -> None:
        self.done = self.done or self.parts == 1

    def field(self) -> tuple[str, str] | None:
        if not self.done or len(self.data) > FIRST_PART_BYTES:
            return None
        _kind, options = parse_options_header(self.headers.get(b"content-disposition", b""))
        if b"filename" in options or b"name" not in options:
            return None
        return options[b"name"].decode("latin-1"), self.data.decode("utf-8", "replace")


def _replaying(read: list[Message], receive: Receive) -> Receive:
    pending = deque(read)

    async def again() -> Message:
        return pending.popleft() if pending else await receive()

    return again
