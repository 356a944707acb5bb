"""The HTML page, read as a reader's browser would: every figure equals the protected table's."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from victim_monitor.published import Publication
from victim_monitor.reporting import FactsheetResult

# The modules that read the built factsheet run on one worker: it is built once, not once
# per worker (about 18 s each).
pytestmark = pytest.mark.xdist_group("factsheet")


class _Page(HTMLParser):
    """Collects the figures (``data-ref`` elements), charts and external references."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[tuple[str, str, str]] = []  # (ref, text, class)
        self.charts: list[str] = []  # aria-labels of role=img
        self.svgs = 0
        self.external: list[str] = []
        self.lang = ""
        self._open: tuple[str, str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "svg":
            self.svgs += 1
        if a.get("role") == "img":
            self.charts.append(a.get("aria-label", ""))
        for name in ("src", "href"):
            if a.get(name, "").startswith(("http:", "https:", "//")):
                self.external.append(a[name])
        if "data-ref" in a:
            self._open = (a["data-ref"], a.get("class", ""))
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag in ("td", "span"):
            self.figures.append((self._open[0], "".join(self._text).strip(), self._open[1]))
            self._open = None


def _number(text: str, lang: str) -> float:
    group, decimal = (".", ",") if lang == "nl" else (",", ".")
    return float(text.replace("%", "").replace(group, "").replace(decimal, ".").replace("−", "-"))


def _expected(ref: str, pub: Publication) -> tuple[str, float | None, float | None]:
    """What the publication itself says a reference is: (kind, value, second value)."""
    if match := re.fullmatch(r"(estimates|coverage)\[(\d{4})\](\.low-high)?", ref):
        e = pub.estimate(match[2])
        if match[1] == "estimates":
            return "range", e.low, e.high
        if match[3]:
            return "percent range", e.coverage_low, e.coverage_high
        return "percent", e.coverage, None
    match = re.fullmatch(r"(\w+)\[(.+)\]", ref)
    assert match, ref
    table = pub.table(match[1])
    key = dict(zip(table.dimensions, match[2].split(", "), strict=True))
    return "count", table.value(**key), None


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_figure_equals_the_published_one(
    built: FactsheetResult, publication: Publication, lang: str
) -> None:
    [html] = [o.path for o in built.outputs if o.lang == lang and o.format == "html"]
    page = _Page()
    page.feed(html.read_text("utf-8"))
    assert page.lang == lang
    assert len(page.figures) > 100
    checked = {"count": 0, "suppressed": 0, "range": 0, "percent": 0, "percent range": 0}
    for ref, text, css in page.figures:
        kind, value, second = _expected(ref, publication)
        if kind == "count" and value is None:
            # Suppressed: marked, never a number (so never a zero).
            assert (text, css) == ("×", "hidden"), ref
            checked["suppressed"] += 1
        elif kind == "count":
            assert _number(text, lang) == value, ref
        elif kind == "range":
            assert value is not None
            assert second is not None
            low, high = (_number(t, lang) for t in re.split(r"\s*[-–]\s*", text))
            # Estimates print at two significant digits, the interval rounded outwards.
            assert value - 0.1 * value <= low <= value, ref
            assert second <= high <= second + 0.1 * second, ref
        elif kind == "percent range":
            assert value is not None
            assert second is not None
            low, high = (_number(t, lang) for t in text.split("-"))
            # Rounded outwards to whole percentages (tenths below 10%).
            assert 100 * value - 1 < low <= 100 * value, ref
            assert 100 * second <= high < 100 * second + 1, ref
        else:
            assert value is not None
            assert abs(_number(text, lang) - 100 * value) <= 0.5, ref
        checked[kind] += 1
    assert checked["suppressed"] >= 5
    assert min(checked.values()) > 0, checked


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_charts_are_inline_accessible_and_offline(built: FactsheetResult, lang: str) -> None:
    [html] = [o.path for o in built.outputs if o.lang == lang and o.format == "html"]
    text = html.read_text("utf-8")
    page = _Page()
    page.feed(text)
    assert page.svgs == len(page.charts) == 5
    for alt in page.charts:
        assert len(alt) > 40, alt
        assert re.search(r"\d", alt), alt
    assert page.external == []
    assert "<script" not in text
    # Suppressed cells are named in the alt text, not given a number.
    hidden_word = "niet gepubliceerd" if lang == "nl" else "not published"
    assert any(hidden_word in alt for alt in page.charts)


def test_the_languages_say_the_same_numbers(built: FactsheetResult) -> None:
    pages = {}
    for lang in ("nl", "en"):
        [html] = [o.path for o in built.outputs if o.lang == lang and o.format == "html"]
        page = _Page()
        page.feed(html.read_text("utf-8"))
        pages[lang] = [(ref, _number(t, lang) if t != "×" else None) for ref, t, _ in
                       page.figures if "-" not in t and "–" not in t]  # fmt: skip
    assert pages["nl"] == pages["en"]
