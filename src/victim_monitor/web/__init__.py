"""The web application: a public dashboard of protected figures (each page with a JSON twin)
and a registry workspace with roles, CSRF-protected forms and an audit trail.

    from victim_monitor.web import WebSettings, create_app
    app = create_app(WebSettings.from_env())
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from victim_monitor.web.app import ROUTERS, create_app
    from victim_monitor.web.settings import WebSettings

# Where each public name lives: imported on first use, so that starting the command line
# (`victim-monitor --help`, a command's --help) does not load this stage's dependencies.
_HOME = {
    "ROUTERS": "app",
    "create_app": "app",
    "WebSettings": "settings",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = ["ROUTERS", "WebSettings", "create_app"]
