"""The web application: a public dashboard of protected figures (each page with a JSON twin)
and a registry workspace with roles, CSRF-protected forms and an audit trail.

    from victim_monitor.web import WebSettings, create_app
    app = create_app(WebSettings.from_env())
"""

from victim_monitor.web.app import ROUTERS, create_app
from victim_monitor.web.settings import WebSettings

__all__ = ["ROUTERS", "WebSettings", "create_app"]
