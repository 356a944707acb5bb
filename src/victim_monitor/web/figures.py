"""The factsheet's charts on the dashboard: the same Altair specifications and vl-convert SVG
as the publication (``victim_monitor.reporting.charts``), so the two never differ.

Rendering takes a second or two, so each language's charts are made once per publication and
kept until the publication changes. The SVG carries no script and no inline style (checked),
so it passes the page's CSP.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from victim_monitor.published import Publication
from victim_monitor.web.i18n import Lang

_lock = threading.Lock()
_cache: dict[tuple[int, Lang], tuple[Publication, list[Figure]]] = {}


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    title: str
    alt: str
    svg: str


def _make(publication: Publication, lang: Lang) -> list[Figure]:
    from victim_monitor.reporting.charts import charts
    from victim_monitor.reporting.published import from_publication

    figures = [
        Figure(c.key, c.title, c.alt, c.svg) for c in charts(from_publication(publication), lang)
    ]
    for figure in figures:
        if "<script" in figure.svg or "style=" in figure.svg:
            raise ValueError(f"chart {figure.key} would break the page's CSP")
    return figures


def factsheet_figures(publication: Publication, lang: Lang) -> list[Figure]:
    """The factsheet's charts of ``publication`` in ``lang`` (empty when they cannot be made)."""
    key = (id(publication), lang)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] is publication:
            return cached[1]
        try:
            figures = _make(publication, lang)
        except (KeyError, ValueError, TypeError, AttributeError):
            figures = []  # a publication without the factsheet's tables: tables only
        if len(_cache) > 8:
            _cache.clear()
        _cache[key] = (publication, figures)
        return figures
