"""The factsheet as one self-contained HTML page (charts inline as SVG, no CDN)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import jinja2
from markupsafe import Markup

from victim_monitor.reporting.content import Factsheet
from victim_monitor.reporting.labels import WORDS
from victim_monitor.reporting.markup import to_html


@cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("victim_monitor.reporting", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("factsheet.html.j2")


def _css() -> str:
    path = resources.files("victim_monitor.reporting").joinpath("templates/factsheet.css")
    return path.read_text("utf-8")


def render_html(factsheet: Factsheet) -> str:
    """The page for one language."""
    return _template().render(
        f=factsheet,
        css=Markup(_css()),
        html=lambda markdown: Markup(to_html(markdown)),
        hidden_word=WORDS["hidden"](factsheet.lang),
    )
