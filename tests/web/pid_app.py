"""App factories for the worker supervisor's tests (victim_monitor.web.workers): served in
processes started by spawn, so they live in a module those processes can import."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Any

Send = Callable[[dict[str, Any]], Awaitable[None]]


def app() -> Callable[..., Awaitable[None]]:
    """An app that answers every request with the id of the process that served it."""

    async def serve(scope: dict[str, Any], receive: Any, send: Send) -> None:
        assert scope["type"] == "http"
        body = str(os.getpid()).encode()
        headers = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return serve


def broken() -> Callable[..., Awaitable[None]]:
    """A factory that cannot make its app (as a worker with a bad setting)."""
    raise RuntimeError("no app today")
