"""The web application: the public dashboard and the registry workspace, in one FastAPI app.

``create_app`` wires settings, the register, templates, static files, security headers, the
cache of rendered public answers and the routers. A stage adds its pages by naming its
router module in ``ROUTERS`` (one line).
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from victim_monitor import __version__
from victim_monitor.problems import ProblemError
from victim_monitor.registry.register import open_register
from victim_monitor.storage.engine import in_memory
from victim_monitor.web import audit
from victim_monitor.web.cache import PublicCache
from victim_monitor.web.deps import TEMPLATES, WebContext, render
from victim_monitor.web.limits import BodyLimit
from victim_monitor.web.security import SecurityHeaders
from victim_monitor.web.settings import WebSettings

STATIC = Path(__file__).parent / "static"

# Router modules, each with a module-level ``router``; order is the order of matching.
ROUTERS: tuple[str, ...] = (
    "victim_monitor.web.public",
    "victim_monitor.web.workspace",
    "victim_monitor.web.admin",
    "victim_monitor.web.audit_routes",
    "victim_monitor.web.password_change",
    "victim_monitor.web.programme_routes",
    "victim_monitor.web.programme_edit",
    "victim_monitor.web.api_upload",
)


# Threads for plain ``def`` routes, per worker process (anyio's default is 40). Few, on purpose:
# the sqlite3 and psycopg drivers let go of the GIL at every step of a query, and with 40
# threads wanting it each hand-back waits in a convoy: at 50 connections a workspace page took
# 2-4 times the CPU it takes alone (the submissions page 12-18 ms instead of 3-5 ms; with 4
# threads 5-7 ms). Eight leave room for requests that wait on a lock (an audit event behind an
# import's write) without that convoy.
THREADS = 8
# Threads that may hold a database connection at once: the route threads, the intakes
# (workspace.INTAKE, 2), the job runner (1) and the event loop's own short uses (2). The pool
# keeps that many open (a connection beyond the pool's size is closed when it comes back, and
# opening one costs more than the query), so no thread waits for one. On PostgreSQL these are
# server connections: max_connections must cover 20 per worker process.
POOL = {"pool_size": THREADS + 5, "max_overflow": 7}


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    yield


def pool_options(url: str) -> dict[str, Any]:
    """The pool's size for a register at ``url`` (none for an in-memory SQLite database)."""
    return {} if in_memory(url) else dict(POOL)


def create_app(settings: WebSettings, engine: Engine | None = None) -> FastAPI:
    """The application for ``settings`` (opening and migrating the register unless given)."""
    engine = engine or open_register(
        settings.database_url, settings.organisations_file, **pool_options(settings.database_url)
    )
    app = FastAPI(
        title="victim-monitor",
        version=__version__,
        description=(
            "Public, disclosure-protected figures of the human trafficking victim monitor "
            "(JSON twins of the dashboard's pages), and the registry workspace's data for "
            "logged-in users."
        ),
        docs_url=None,  # the interactive docs load scripts from a CDN; the schema is enough
        redoc_url=None,
        lifespan=_lifespan,
    )
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.autoescape = True
    # Templates ship with the package: no stat of each template file at every render.
    templates.env.auto_reload = False
    app.state.web = WebContext(settings, engine, templates)
    # Every append chains under the audit key; a trail keyed under another key stops the start.
    audit.use_key(engine, settings.audit_key)
    # The middleware added last is outermost: security headers wrap cached answers too, and the
    # origin check and body limits refuse a request before anything reads its body.
    app.add_middleware(PublicCache)
    app.add_middleware(BodyLimit, upload_bytes=settings.max_upload_mb << 20)
    app.add_middleware(SecurityHeaders, secure_cookies=settings.secure_cookies)
    if settings.forwarded_allow_ips:
        # Outermost: the client's address is the proxy's word only from a configured proxy.
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.forwarded_allow_ips))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)

    @app.exception_handler(ProblemError)
    async def _problems(request: Request, exc: ProblemError) -> Response:
        # Coded problems a route did not handle (a review decision refused, VM33x, and the
        # like): 422, with the problems as the command line shows them (no value from a file
        # is in a problem's message).
        if request.url.path.startswith("/api"):
            detail = [p.as_dict() for p in exc.problems]
            return JSONResponse({"detail": detail}, status_code=422)
        return await _errors(request, HTTPException(422, "; ".join(map(str, exc.problems))))

    @app.exception_handler(HTTPException)
    async def _errors(request: Request, exc: HTTPException) -> Response:
        path = request.url.path
        lang = "en" if path.startswith("/en") else "nl"
        if exc.status_code == 401 and not path.startswith("/api"):
            return RedirectResponse(f"/{lang}/login?next={path}", status_code=303)
        if path.startswith(("/api", "/downloads", "/openapi")):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return render(
            request,
            "error.html",
            "en" if lang == "en" else "nl",
            status_code=exc.status_code,
            status=exc.status_code,
            detail=exc.detail,
        )

    return app
