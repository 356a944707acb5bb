"""The web application: a public dashboard of protected figures (each page with a JSON twin)
and a registry workspace with roles, CSRF-protected forms and an audit trail.

    from victim_monitor.web import WebSettings, create_app
    app = create_app(WebSettings.from_env())
"""

from typing import TYPE_CHECKING

from victim_monitor.lazy import exports

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


__getattr__ = exports(__name__, _HOME)


__all__ = ["ROUTERS", "WebSettings", "create_app"]
