"""The real 2014-2018 edition, rebuilt from its published figures: the factsheet's statements on
numbers nobody here made up (the seed factsheet's), in Dutch and English, as the HTML prints them.

The expected statements are the Rapporteur's own (``../shared/seed/``), not this code's output.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

from victim_monitor.publication.from_figures import publish_figures
from victim_monitor.reporting.build import build_factsheet, check
from victim_monitor.reporting.figures import Figures
from victim_monitor.reporting.published import load_published

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "slachtoffermonitor-2014-2018"


class _Text(HTMLParser):
    """The text a reader sees: no style, no SVG (its text is the chart's, not the prose)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "svg", "script"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "svg", "script"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text("utf-8"))
    # one line, hyphenation hints and non-breaking spaces out
    return re.sub(r"\s+", " ", " ".join(parser.parts).replace("\xad", "").replace("\xa0", " "))


@pytest.fixture(scope="module")
def edition(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("real")
    publish_figures(EXAMPLE / "figures.csv", range(2014, 2019), root / "publication")
    published = load_published(root / "publication")
    # no editorial_dir: a publication from published figures gets its edition's own text
    result = build_factsheet(published, root, formats=("html",))
    return {o.lang: _text(o.path) for o in result.outputs}


def test_the_registered_victims_nearly_halved_from_1255_to_668(edition: dict[str, str]) -> None:
    assert re.search(r"bijna gehalveerd: van 1\.255 in 2014 naar 668 in 2018", edition["nl"])
    assert re.search(
        r"nearly halved in five years: from 1,255 in 2014 to 668 in 2018", edition["en"]
    )


def test_the_estimate_is_5000_to_7500_a_year_for_the_years_it_holds_for(
    edition: dict[str, str],
) -> None:
    assert (
        "in 2014 en 2015 naar schatting tussen de 5.000 en 7.500 slachtoffers per jaar"
        in (edition["nl"])
    )
    assert "In 2014 and 2015 there were an estimated 5,000 to 7,500 victims a year" in edition["en"]


def test_132_victims_of_domestic_sexual_exploitation_of_whom_29_minors(
    edition: dict[str, str],
) -> None:
    nl = (
        "132 geregistreerde slachtoffers van binnenlandse seksuele uitbuiting, "
        "onder wie 29 minderjarigen"
    )
    assert nl in edition["nl"]
    assert (
        "132 victims of domestic sexual exploitation were registered, 29 of them minors"
        in (edition["en"])
    )
    # the seed's "2% tot 3%" of the estimated 1,300 minors
    assert "29 geregistreerde minderjarigen zijn 2,2% van de naar schatting 1.300" in edition["nl"]
    assert "29 registered minors are 2.2% of the estimated 1,300" in edition["en"]


def test_non_investigative_reporters_about_550_a_year_against_150(
    edition: dict[str, str],
) -> None:
    assert "in 2014-2017 gemiddeld ruim 550 per jaar, in 2018 nog 150" in edition["nl"]
    assert "just over 550 a year in 2014-2017, and 150 in 2018" in edition["en"]


def test_figures_not_published_are_not_available_not_suppressed(edition: dict[str, str]) -> None:
    assert "niet beschikbaar: hiervoor is geen cijfer gepubliceerd" in edition["nl"]
    assert "not available: no figure was published" in edition["en"]
    # nothing was withheld: no "not published, to protect victims" anywhere
    assert "ter bescherming van slachtoffers" not in edition["nl"]
    assert "to protect victims" not in edition["en"]
    assert "geen statistische beveiliging opnieuw" in edition["nl"]


def test_a_mean_over_a_range_of_years_is_the_mean_of_its_cells_or_the_published_mean(
    tmp_path: Path,
) -> None:
    publish_figures(EXAMPLE / "figures.csv", range(2014, 2019), tmp_path / "pub")
    figures = Figures(load_published(tmp_path / "pub"))
    # cells all published: the mean of the cells (1,150, 952 and 956)
    shown = figures.evaluate("mean(victims_by_year[2015:2017])")
    assert shown.value == pytest.approx((1150 + 952 + 956) / 3)
    # cells not available, the period's mean published: that mean
    assert (
        figures.evaluate("mean(victims_by_reporter_type[2014:2017, non_investigative])").value
        == 550
    )
    with pytest.raises(ValueError, match="no figure was published"):
        figures.evaluate("mean(victims_by_reporter_type[2015:2017, non_investigative])")
    minors = figures.evaluate("estimates[2015, domestic_sexual, minor]")
    assert minors.value == 1300
    with pytest.raises(ValueError, match="no low"):
        figures.evaluate("estimates[2015, domestic_sexual, minor].low")


def test_the_shipped_demo_text_says_less_on_the_real_figures_but_checks_out(
    tmp_path: Path,
) -> None:
    publish_figures(EXAMPLE / "figures.csv", range(2014, 2019), tmp_path / "pub")
    published = load_published(tmp_path / "pub")
    shipped = Path(str(resources.files("victim_monitor.reporting").joinpath("editorial")))
    checked = check(published, ("nl", "en"), shipped)  # no FactsheetError
    for lang in ("nl", "en"):
        text = checked[lang].sections["headlines"].markdown
        assert ("1.255" if lang == "nl" else "1,255") in text
        assert "Dublin" in text  # the text without numbers stays; the numbers' blocks go
        assert not any("dublin_claimants[" in line for line in text.splitlines())
        assert any("dublin_claimants" in d for d in checked[lang].dropped)


def test_the_key_figure_is_the_latest_published_estimate_beside_that_years_count(
    edition: dict[str, str],
) -> None:
    # the estimate holds for 2014-2015; 2015's registered count is 1,150 (figures.csv)
    assert re.search(r"5\.000 – 7\.500 slachtoffers in 2015 \(schatting\)", edition["nl"])
    assert re.search(r"1\.150 slachtoffers in beeld in 2015", edition["nl"])
    assert re.search(r"5,000 – 7,500 victims in 2015 \(estimate\)", edition["en"])
