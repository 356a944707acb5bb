"""The factsheet as A4 PDF, compiled by Typst (see docs/decisions on why Typst).

The content is written as ``data.json`` beside the packaged template and the chart SVGs, in a
temporary directory, and compiled in-process: no network, no system libraries.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import typst

from victim_monitor.reporting.content import Factsheet
from victim_monitor.reporting.markup import to_typst

PUBLISHER = "victim-monitor"


def _data(factsheet: Factsheet) -> dict[str, Any]:
    """The template's input: text as strings, editorial Markdown as Typst markup."""
    f = factsheet
    key = f.key_figure
    return {
        "lang": f.lang,
        "publisher": PUBLISHER,
        "title": f.title,
        "subtitle": f.subtitle,
        "edition": f.edition,
        "date": f.date,
        "page_word": f.page_word,
        "intro": to_typst(f.intro.markdown),
        "key_figure": None
        if key is None
        else {
            "estimate": key.estimate,
            "estimate_label": key.estimate_label,
            "registered": key.registered,
            "registered_label": key.registered_label,
        },
        "headlines": to_typst(f.headlines.markdown),
        "approach_title": f.approach.title,
        "approach": to_typst(f.approach.markdown),
        "charts_title": f.charts_title,
        "charts": [
            {
                "key": c.key,
                "title": c.title,
                "alt": c.alt,
                "svg": f"charts/{c.key}.svg",
                "corner": c.table.corner,
                "header": list(c.table.header),
                "rows": [
                    {"name": name, "values": [{"text": v.text, "hidden": v.hidden} for v in vs]}
                    for name, vs in c.table.rows
                ],
                "notes": list(c.notes),
            }
            for c in f.charts
        ],
        "statements_title": f.statements_title,
        "statements": list(f.statements),
        "findings_title": f.findings_title,
        "findings_note": f.findings_note,
        "findings": list(f.findings),
        "recommendations_title": f.recommendations.title,
        "recommendations": to_typst(f.recommendations.markdown),
        "extra": [{"title": s.title, "body": to_typst(s.markdown)} for s in f.extra],
        "colophon_title": f.colophon.title,
        "colophon": [list(item) for item in f.colophon.items],
        "colophon_extra": "" if f.colophon.extra is None else to_typst(f.colophon.extra.markdown),
    }


def typst_source() -> str:
    """The packaged Typst template."""
    path = resources.files("victim_monitor.reporting").joinpath("templates/factsheet.typ")
    return path.read_text("utf-8")


def render_pdf(factsheet: Factsheet, timestamp: dt.datetime | None = None) -> bytes:
    """The PDF for one language; ``timestamp`` fixes the document date (reproducible bytes)."""
    with tempfile.TemporaryDirectory(prefix="factsheet-") as tmp:
        root = Path(tmp)
        (root / "charts").mkdir()
        for chart in factsheet.charts:
            (root / "charts" / f"{chart.key}.svg").write_text(chart.svg, "utf-8")
        data = json.dumps(_data(factsheet), ensure_ascii=False)
        (root / "data.json").write_text(data, "utf-8")
        (root / "factsheet.typ").write_text(typst_source(), "utf-8")
        when = (timestamp or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).timestamp()
        pdf: bytes = typst.compile(str(root / "factsheet.typ"), root=str(root), timestamp=int(when))
        return pdf
