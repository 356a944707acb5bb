"""Run the web application with uvicorn (``victim-monitor serve``, the demo).

The command itself is :mod:`victim_monitor.cli.serve`; this is what it and the demo call.
"""

from __future__ import annotations

import gc
from typing import Any, TypeVar

T = TypeVar("T")


def run(settings: object, host: str, port: int, workers: int) -> None:
    """Serve ``settings``' application; with several workers each builds its own app."""
    import os

    import uvicorn

    from victim_monitor.storage import connect
    from victim_monitor.storage.engine import require_register
    from victim_monitor.web.app import create_app
    from victim_monitor.web.settings import WebSettings
    from victim_monitor.web.workers import balanced
    from victim_monitor.web.workers import serve as serve_workers

    assert isinstance(settings, WebSettings)
    probe = connect(settings.database_url)
    require_register(probe)  # serving never makes a register (VM903)
    probe.dispose()
    if workers > 1:
        # Workers re-import the app from the environment; pass the settings through it.
        os.environ.update(
            VICTIM_MONITOR_DATABASE_URL=settings.database_url,
            VICTIM_MONITOR_RELEASE_DIR=str(settings.release_dir),
            VICTIM_MONITOR_SECRET=settings.secret,
            VICTIM_MONITOR_SECURE_COOKIES="1" if settings.secure_cookies else "0",
            VICTIM_MONITOR_FORWARDED_ALLOW_IPS=",".join(settings.forwarded_allow_ips),
        )
        if settings.factsheet_dir is not None:
            os.environ["VICTIM_MONITOR_FACTSHEET_DIR"] = str(settings.factsheet_dir)
        factory = "victim_monitor.web.serve:app_from_env"
        if balanced():  # each worker on a socket of its own (victim_monitor.web.workers)
            code = serve_workers(factory, host, port, workers, UVICORN)
            if code:
                raise SystemExit(code)
        else:
            uvicorn.run(factory, factory=True, host=host, port=port, workers=workers, **UVICORN)
    else:
        uvicorn.run(frozen(create_app(settings)), host=host, port=port, **UVICORN)


UVICORN: dict[str, Any] = {
    "log_level": "warning",
    "access_log": False,  # a log line per request costs; the audit trail logs what matters
    "proxy_headers": False,  # the app believes only settings.forwarded_allow_ips
}


def app_from_env() -> object:
    from victim_monitor.web.app import create_app
    from victim_monitor.web.settings import WebSettings

    return frozen(create_app(WebSettings.from_env()))


def frozen(app: T) -> T:
    """``app``, with everything alive at start moved out of the garbage collector's sight.

    A served worker holds ~240,000 objects from its imports (FastAPI, SQLAlchemy, Jinja, the
    vocabularies), and a full collection walks them all: 200-300 ms during which the worker
    answers nothing, about once every thousand page views under load (measured on the
    workspace's list pages). They live as long as the process, so the collector need never
    look at them again (``gc.freeze``, as pre-fork servers do); collections of what requests
    allocate then take well under a millisecond.
    """
    gc.freeze()
    return app
