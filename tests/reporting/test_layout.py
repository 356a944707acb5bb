"""The printed page: nothing under 8 pt, no word broken in a heading or table, 2-4 pages with
a last page worth printing, recommendations that read whole and never around a chart."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import typst
from pypdf import PdfReader

from victim_monitor.reporting import FactsheetResult, Published
from victim_monitor.reporting.build import check
from victim_monitor.reporting.content import compose
from victim_monitor.reporting.figures import Lang
from victim_monitor.reporting.pdf import GAP_ALLOWED, Fill, measure_fill, typst_source

MIN_SIZE = 8.0
PAGE = (595.28, 841.89)
MARGIN_TOP, MARGIN_BOTTOM = 14 / 25.4 * 72, 15 / 25.4 * 72
SOFT_HYPHEN = "\u00ad"  # how pdftotext shows a hyphen Typst put in to break a word

# The modules that read the built factsheet run on one worker: it is built once, not once
# per worker (about 18 s each).
pytestmark = pytest.mark.xdist_group("factsheet")


def _pdf(built: FactsheetResult, lang: str) -> Path:
    [path] = [o.path for o in built.outputs if o.lang == lang and o.format == "pdf"]
    return path


def _sizes(pdf: Path) -> list[tuple[float, str]]:
    """Every text run's size on paper: font size times the text and transformation matrices."""
    runs: list[tuple[float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            c = tm[2] * cm[0] + tm[3] * cm[2]
            d = tm[2] * cm[1] + tm[3] * cm[3]
            runs.append((size * math.hypot(c, d), text.strip()))

    for page in PdfReader(pdf).pages:
        page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_text_under_8_points(built: FactsheetResult, lang: str) -> None:
    """Body, tables, notes, footer and the charts' own labels (SVG text stays text in the PDF)."""
    runs = _sizes(_pdf(built, lang))
    assert len(runs) > 200
    small = [(round(s, 2), t) for s, t in runs if s < MIN_SIZE - 0.01]
    assert not small, small[:10]
    assert any(t == "2016" for _, t in runs)  # the charts' axis labels were measured too


def test_the_template_sets_no_size_under_8_points() -> None:
    sizes = [float(s) for s in re.findall(r"size:\s*([\d.]+)pt", typst_source())]
    assert sizes
    assert min(sizes) >= MIN_SIZE


def _words(pdf: Path, page: int | None = None) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) from pdftotext -bbox, y from the top of the page."""
    pages = [] if page is None else ["-f", str(page), "-l", str(page)]
    out = subprocess.run(
        ["pdftotext", "-bbox", *pages, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    found = re.findall(pattern, out)
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in found]


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


@needs_poppler
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_word_is_broken_in_headings_or_small_print(built: FactsheetResult, lang: str) -> None:
    """Hyphenation only in body text: never in a heading (upper case) or at 8 pt (tables,
    notes, legends), where "VERSLECH-TERT" and "seksu-eel" used to be."""
    broken = [w for w in _words(_pdf(built, lang)) if w[4].endswith(SOFT_HYPHEN)]
    for _x0, y0, _x1, y1, word in broken:
        assert not word.rstrip(SOFT_HYPHEN).isupper(), word
        assert y1 - y0 > MIN_SIZE + 0.25, word  # pdftotext: the box is the font size high


@needs_poppler
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_last_page_is_worth_printing(built: FactsheetResult, lang: str) -> None:
    """Two to four pages, and the last page's two columns at least half full on average."""
    pdf = _pdf(built, lang)
    pages = len(PdfReader(pdf).pages)
    assert 2 <= pages <= 4
    words = _words(pdf, pages)
    body = [w for w in words if w[3] < PAGE[1] - MARGIN_BOTTOM]  # not the footer
    height = PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM
    fill = []
    for left, right in ((0, PAGE[0] / 2), (PAGE[0] / 2, PAGE[0])):
        column = [w[3] for w in body if left <= w[0] < right]
        fill.append((max(column) - MARGIN_TOP) / height if column else 0.0)
    assert sum(fill) / 2 >= 0.5, fill


def _find(words: list[tuple[float, float, float, float, str]], phrase: list[str]) -> list[int]:
    """Indices in a page's words where the phrase starts (pdftotext keeps reading order);
    spaces are left out, so "niet-" at a line end and "opsporingsinstanties" match too."""
    target = "".join(phrase)
    found = []
    for i in range(len(words)):
        text = ""
        for w in words[i:]:
            text += w[4]
            if len(text) >= len(target):
                break
        if text == target:
            found.append(i)
    return found


def _where(pdf: Path, pages: int, phrase: list[str]) -> tuple[int, int, float]:
    """(page, column, y) of a phrase's first word; the phrase must occur exactly once."""
    found = [
        (page, 0 if words[i][0] < PAGE[0] / 2 else 1, words[i][1])
        for page in range(1, pages + 1)
        for words in [_words(pdf, page)]
        for i in _find(words, phrase)
    ]
    assert len(found) == 1, (phrase, found)
    return found[0]


@needs_poppler
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_recommendations_read_whole_and_never_around_a_chart(
    built: FactsheetResult, published: Published, lang: Lang
) -> None:
    """Each recommendation starts and ends in one column, and no chart title on its page lies
    below its start: the charts sit above the text (bands at the top of a page), so a reader
    never jumps over a chart in the middle of a recommendation (as on page 2 of the layout with
    charts as column floats)."""
    content = compose(published, check(published, (lang,))[lang])
    items = re.split(r"^\d+\.\s", content.recommendations.markdown, flags=re.M)[1:]
    assert len(items) >= 3
    pdf = _pdf(built, lang)
    pages = len(PdfReader(pdf).pages)
    titles = [_where(pdf, pages, c.title.split()) for c in content.charts]
    assert titles
    for item in items:
        words = item.replace("**", "").split()
        start = _where(pdf, pages, words[:4])
        end = _where(pdf, pages, words[-4:])
        assert start[:2] == end[:2], ("split over a column or page", words[:4], start, end)
        below = [t for t in titles if t[0] == start[0] and t[2] > start[2]]
        assert not below, ("a chart below a recommendation's start", words[:4], below)


def test_text_run_over_the_foot_of_a_page_is_seen() -> None:
    """An unbreakable block taller than the page runs into the footer's margin: the fitter
    must see it (and refuse the layout); the 8 pt footer itself is not an overflow."""
    page = (
        '#set page(paper: "a4", margin: (x: 16mm, top: 14mm, bottom: 15mm),\n'
        "  footer: text(size: 8pt)[footer])\n#set text(size: 9pt)\n#lorem(20)\n"
    )
    fits = measure_fill(typst.compile(page.encode()))
    assert not fits.overflow
    assert len(fits.columns) == 1
    over = measure_fill(typst.compile((page + "#block(breakable: false, lorem(1400))").encode()))
    assert over.overflow


def test_white_at_column_feet_counts_before_the_last_page() -> None:
    fill = Fill(columns=((1.0, 0.99), (0.5, 1.0), (0.6, 0.0)), overflow=False)
    assert fill.gaps == pytest.approx(0.5 - GAP_ALLOWED)  # 0.99 is within the allowance
    assert fill.last_page == pytest.approx(0.3)
