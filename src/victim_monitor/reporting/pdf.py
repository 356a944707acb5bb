"""The factsheet as A4 PDF, compiled by Typst (see docs/decisions on why Typst).

The content is written as ``data.json`` beside the packaged template and the chart SVGs, in a
temporary directory, and compiled in-process: no network, no system libraries.

The text grows and shrinks with the edition, so the body size is fitted: the template is
compiled at 9 pt and, unless that fills the pages well, at body sizes of 8.5-10 pt and line
spacings of 0.48-0.68 em, nearest the design first. A layout is scored by its empty space: the
empty part of the last page, the gaps at the foot of the columns before it (a recommendation
that did not fit moves whole to the next column), a small penalty for a fourth page and for
straying from the design. A layout is refused if it is not 2-4 pages, if Typst's layout did not
converge (the template places its floats by where the text falls), or if text runs into the
footer (an unbreakable recommendation taller than the column under the chart bands); if every
one is refused, the recommendations may break. A compile takes 0.1-0.3 s, most builds try one
to six; the choice is deterministic (same input, same bytes).
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import typst

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
GOOD = 0.15  # a layout whose empty space scores this or less ends the search
REFUSED = 10.0  # added to the score of a layout outside the rules
GAP_ALLOWED = 0.04  # share of a column that may stay empty at its foot before it counts
FOURTH_PAGE = 0.1  # a fourth page counts as this much empty space
# Page geometry of the template (points): A4, top and bottom margins, the middle of the page.
PAGE_HEIGHT, TOP, BOTTOM, MIDDLE = 841.89, 14 / 25.4 * 72, 15 / 25.4 * 72, 595.28 / 2
FOOTER_SIZE = 8.0  # the footer's size; larger text under the body is text that ran over


@dataclass(frozen=True, slots=True)
class Layout:
    """How a compiled PDF came out: pages, how full its last page is, the empty space at the
    foot of the columns before it (shares of a column, summed), the body size used."""

    pages: int
    last_page_fill: float
    body_size: float
    leading: float
    gaps: float = 0.0
    whole_recommendations: bool = True


def _data(
    factsheet: Factsheet,
    body_size: float = DESIGN_SIZE,
    leading: float = DESIGN_LEADING,
    keep_whole: bool = True,
) -> dict[str, Any]:
    """The template's input: text as strings, editorial Markdown as Typst markup."""
    f = factsheet
    key = f.key_figure
    return {
        "lang": f.lang,
        "body_size": body_size,
        "leading": leading,
        "keep_whole": keep_whole,
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


@dataclass(frozen=True, slots=True)
class Fill:
    """Where the text ends in each column of a PDF, as shares of the column's height."""

    columns: tuple[tuple[float, float], ...]  # per page: left, right (0 = empty)
    overflow: bool  # body text under the body area, in the footer's margin

    @property
    def last_page(self) -> float:
        """The share of the last page's two columns down to their lowest line of text."""
        return sum(self.columns[-1]) / 2

    @property
    def gaps(self) -> float:
        """Empty space at the foot of the columns before the last page, beyond a little."""
        return sum(max(0.0, 1 - used - GAP_ALLOWED) for p in self.columns[:-1] for used in p)


def _column_feet(text: Any) -> tuple[list[float], bool]:
    """The lowest line of text in each column of a page (y up), and whether text ran over.

    ``text`` is the page's PDFium text page: each character with its origin on the baseline
    and its size in points (pypdf's text positions give the same to 1e-4 pt on every variant of
    the test, demo and from-figures factsheets, at a fifth of the time).
    """
    lowest = [PAGE_HEIGHT - TOP, PAGE_HEIGHT - TOP]
    overflow = False
    x, y = ctypes.c_double(), ctypes.c_double()
    for i in range(text.count_chars()):
        if chr(pdfium_c.FPDFText_GetUnicode(text, i)).isspace():
            continue
        pdfium_c.FPDFText_GetCharOrigin(text, i, x, y)
        if BOTTOM < y.value < PAGE_HEIGHT - TOP:
            column = 0 if x.value < MIDDLE else 1
            lowest[column] = min(lowest[column], y.value)
        elif y.value <= BOTTOM:
            overflow |= pdfium_c.FPDFText_GetFontSize(text, i) > FOOTER_SIZE + 0.2
    return lowest, overflow


def measure_fill(pdf: bytes) -> Fill:
    """How far down the text goes in each column of each page (PDFium's text positions).

    Text in the footer's margin is left out, unless it is larger than the footer: that is body
    text that ran over the foot of a column.
    """
    height = PAGE_HEIGHT - TOP - BOTTOM
    columns: list[tuple[float, float]] = []
    overflow = False
    document = pdfium.PdfDocument(pdf)
    try:
        for page in document:
            text = page.get_textpage()
            try:
                lowest, over = _column_feet(text)
            finally:
                text.close()
                page.close()
            left, right = ((PAGE_HEIGHT - TOP - y) / height for y in lowest)
            columns.append((left, right))
            overflow |= over
    finally:
        document.close()
    return Fill(tuple(columns), overflow)


def count_pages(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    document = pdfium.PdfDocument(pdf)
    try:
        return len(document)
    finally:
        document.close()


def last_page_fill(pdf: bytes) -> tuple[int, float]:
    """Pages, and the share of the last page's two columns down to their lowest line of text.

    Text outside the body (the footer, in the bottom margin) is left out; an empty column
    counts as 0.
    """
    fill = measure_fill(pdf)
    return len(fill.columns), fill.last_page


def _compile(
    factsheet: Factsheet, root: Path, when: float, size: float, leading: float, keep_whole: bool
) -> tuple[bytes, bool]:
    """The PDF, and whether Typst's layout converged (other warnings, e.g. a missing fallback
    font, do not make a layout worse)."""
    data = json.dumps(_data(factsheet, size, leading, keep_whole), ensure_ascii=False)
    (root / "data.json").write_text(data, "utf-8")
    pdf, warnings = typst.compile_with_warnings(
        str(root / "factsheet.typ"), root=str(root), timestamp=int(when)
    )
    unsettled = ("did not converge", "did not stabilize")
    return pdf, not any(u in w.message for w in warnings for u in unsettled)


def render_pdf(factsheet: Factsheet, timestamp: dt.datetime | None = None) -> bytes:
    """The PDF for one language; ``timestamp`` fixes the document date (reproducible bytes)."""
    return render_pdf_layout(factsheet, timestamp)[0]


def render_pdf_layout(
    factsheet: Factsheet, timestamp: dt.datetime | None = None
) -> tuple[bytes, Layout]:
    """The PDF and its layout: the variant with the least empty space (see the module)."""
    with tempfile.TemporaryDirectory(prefix="factsheet-") as tmp:
        root = Path(tmp)
        (root / "charts").mkdir()
        for chart in factsheet.charts:
            (root / "charts" / f"{chart.key}.svg").write_text(chart.svg, "utf-8")
        (root / "factsheet.typ").write_text(typst_source(), "utf-8")
        when = (timestamp or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)).timestamp()
        best: tuple[float, bytes, Layout] | None = None
        for keep_whole in (True, False):
            for size, leading in VARIANTS:
                stray = _stray(size, leading)
                if best is not None and stray >= best[0]:
                    break  # sorted by stray: no later variant can score better
                pdf, converged = _compile(factsheet, root, when, size, leading, keep_whole)
                fill = measure_fill(pdf)
                pages = len(fill.columns)
                refused = not (2 <= pages <= 4 and converged and not fill.overflow)
                empty = (1 - fill.last_page) + fill.gaps + FOURTH_PAGE * (pages == 4)
                score = REFUSED * refused + empty + stray
                if best is None or score < best[0]:
                    layout = Layout(pages, fill.last_page, size, leading, fill.gaps, keep_whole)
                    best = (score, pdf, layout)
                if not refused and empty <= GOOD:
                    break
            if best is not None and best[0] < REFUSED:
                break  # the recommendations break only if no layout kept them whole
        assert best is not None
        return best[1], best[2]
