"""The factsheet as A4 PDF, compiled by Typst (see docs/decisions on why Typst).

The content is written as ``data.json`` beside the packaged template and the chart SVGs, in a
temporary directory, and compiled in-process: no network, no system libraries.

The text grows and shrinks with the edition, so the body size is fitted: the template is
compiled at 9 pt and, if the last page is less than 75% full, at body sizes of 8.5-10 pt and
line spacings of 0.48-0.68 em, nearest the design first, until one is 90% full; the PDF with
the least empty space on its last page (2-4 pages) wins, with a small penalty for straying from
the design. A compile takes 0.1-0.25 s, so most builds try one to six; the choice is
deterministic (same input, same bytes).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import typst
from pypdf import PdfReader

from victim_monitor.reporting.content import Factsheet
from victim_monitor.reporting.markup import to_typst

PUBLISHER = "victim-monitor"
DESIGN_SIZE, DESIGN_LEADING = 9.0, 0.52  # points, em: the body text the template is drawn for


def _stray(size: float, leading: float) -> float:
    """How far a variant is from the design, in the units of empty last page it is worth."""
    return abs(size - DESIGN_SIZE) / 20 + abs(leading - DESIGN_LEADING) / 4


# The body sizes and line spacings tried (8.5-10 pt, 0.48-0.68 em), nearest the design first.
VARIANTS = tuple(
    sorted(
        ((size, leading) for size in (9.0, 8.5, 9.5, 10.0) for leading in (0.52, 0.48, 0.6, 0.68)),
        key=lambda v: _stray(*v),
    )
)
WELL_FILLED = 0.75  # share of the last page's two columns that needs no other size
FULL = 0.9  # a variant this full ends the search
# Page geometry of the template (points): A4, top and bottom margins, the middle of the page.
PAGE_HEIGHT, TOP, BOTTOM, MIDDLE = 841.89, 14 / 25.4 * 72, 15 / 25.4 * 72, 595.28 / 2


@dataclass(frozen=True, slots=True)
class Layout:
    """How a compiled PDF came out: pages, how full its last page is, the body size used."""

    pages: int
    last_page_fill: float
    body_size: float
    leading: float


def _data(
    factsheet: Factsheet, body_size: float = DESIGN_SIZE, leading: float = DESIGN_LEADING
) -> dict[str, Any]:
    """The template's input: text as strings, editorial Markdown as Typst markup."""
    f = factsheet
    key = f.key_figure
    return {
        "lang": f.lang,
        "body_size": body_size,
        "leading": leading,
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
                "source": c.source,
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


def last_page_fill(pdf: bytes) -> tuple[int, float]:
    """Pages, and the share of the last page's two columns down to their lowest line of text.

    Text outside the body (the footer, in the bottom margin) is left out; an empty column
    counts as 0.
    """
    pages = PdfReader(io.BytesIO(pdf)).pages
    lowest = {0: PAGE_HEIGHT - TOP, 1: PAGE_HEIGHT - TOP}

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, _size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if BOTTOM < y < PAGE_HEIGHT - TOP:
            column = 0 if x < MIDDLE else 1
            lowest[column] = min(lowest[column], y)

    pages[-1].extract_text(visitor_text=visit)
    height = PAGE_HEIGHT - TOP - BOTTOM
    used = [(PAGE_HEIGHT - TOP - y) / height for y in lowest.values()]
    return len(pages), sum(used) / len(used)


def _compile(factsheet: Factsheet, root: Path, when: float, size: float, leading: float) -> bytes:
    data = json.dumps(_data(factsheet, size, leading), ensure_ascii=False)
    (root / "data.json").write_text(data, "utf-8")
    pdf: bytes = typst.compile(str(root / "factsheet.typ"), root=str(root), timestamp=int(when))
    return pdf


def render_pdf(factsheet: Factsheet, timestamp: dt.datetime | None = None) -> bytes:
    """The PDF for one language; ``timestamp`` fixes the document date (reproducible bytes)."""
    return render_pdf_layout(factsheet, timestamp)[0]


def render_pdf_layout(
    factsheet: Factsheet, timestamp: dt.datetime | None = None
) -> tuple[bytes, Layout]:
    """The PDF and its layout: the body size whose last page is fullest (see the module)."""
    with tempfile.TemporaryDirectory(prefix="factsheet-") as tmp:
        root = Path(tmp)
        (root / "charts").mkdir()
        for chart in factsheet.charts:
            (root / "charts" / f"{chart.key}.svg").write_text(chart.svg, "utf-8")
        (root / "factsheet.typ").write_text(typst_source(), "utf-8")
        when = (timestamp or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).timestamp()
        best: tuple[float, bytes, Layout] | None = None
        for size, leading in VARIANTS:
            stray = _stray(size, leading)
            if best is not None and stray >= best[0]:
                break  # sorted by stray: no later variant can score better
            pdf = _compile(factsheet, root, when, size, leading)
            pages, fill = last_page_fill(pdf)
            # Empty space on the last page, a little against straying from the design;
            # a page count outside 2-4 only if nothing else fits.
            fits = 2 <= pages <= 4
            score = (0.0 if fits else 10.0) + (1 - fill) + stray
            if best is None or score < best[0]:
                best = (score, pdf, Layout(pages, fill, size, leading))
            if fits and (fill >= FULL or (stray == 0 and fill >= WELL_FILLED)):
                break
        assert best is not None
        return best[1], best[2]
