"""The analyst's text: placeholders resolved, every literal number checked, bad text stops."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reporting.fixture import publication
from victim_monitor.reporting import (
    FactsheetError,
    Figures,
    Published,
    build_factsheet,
    check_editorial,
    default_editorial,
)
from victim_monitor.reporting.figures import Kind, Lang, format_int

INTRO = "{#intro}\n\n"
_PUBLISHED_VALUES = sorted(
    {c.value for t in publication().tables.values() for c in t.cells if c.value is not None}
)


def _editorial_dir(
    tmp_path: Path, change: Callable[[str], str] = lambda t: t, lang: Lang = "nl"
) -> Path:
    """The shipped editorial files in a directory of their own, one of them changed."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for each in ("nl", "en"):
        text = default_editorial("2014-2018", each).read_text("utf-8")
        if each == lang:
            text = change(text)
        (tmp_path / f"factsheet-2014-2018.{each}.md").write_text(text, "utf-8")
    return tmp_path


def _check(published: Published, tmp_path: Path, change: Callable[[str], str]) -> list[str]:
    path = _editorial_dir(tmp_path, change) / "factsheet-2014-2018.nl.md"
    editorial = check_editorial(path, Figures(published))
    return [p.code for p in editorial.problems]


def _intro(sentence: str) -> Callable[[str], str]:
    return lambda text: text.replace(INTRO, INTRO + sentence + "\n\n")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_shipped_text_checks_out(published: Published, lang: Lang) -> None:
    editorial = check_editorial(default_editorial("2014-2018", lang), Figures(published))
    assert editorial.problems == ()
    assert editorial.numbers >= 15
    assert set(editorial.sections) == {"intro", "headlines", "approach", "recommendations",
                                       "colophon"}  # fmt: skip
    intro = editorial.sections["intro"].markdown
    assert "{{" not in intro
    assert "673" in intro
    assert "5.000" in intro if lang == "nl" else "5,000" in intro


def test_a_text_with_the_police_tables_former_name_reads_the_same(
    published: Published, tmp_path: Path
) -> None:
    """A text written before may cite police_reports_by_group: the same figures, no problem."""
    assert "police_reports_by_group" not in published.tables

    def former(text: str) -> str:
        assert "police_reports_by_form[" in text
        return text.replace("police_reports_by_form[", "police_reports_by_group[")

    path = _editorial_dir(tmp_path, former) / "factsheet-2014-2018.nl.md"
    editorial = check_editorial(path, Figures(published))
    shipped = check_editorial(default_editorial("2014-2018", "nl"), Figures(published))
    assert editorial.problems == ()
    assert editorial.numbers == shipped.numbers
    assert editorial.sections == shipped.sections


def test_a_wrong_literal_number_is_located_in_its_sentence(
    published: Published, tmp_path: Path
) -> None:
    path = _editorial_dir(tmp_path, _intro("Eerste zin. In 2018 waren er 674 slachtoffers. Klaar."))
    editorial = check_editorial(path / "factsheet-2014-2018.nl.md", Figures(published))
    [problem] = editorial.problems
    assert problem.code == "VM802"
    assert problem.file == str(path / "factsheet-2014-2018.nl.md")
    lines = (path / "factsheet-2014-2018.nl.md").read_text("utf-8").split("\n")
    assert problem.row is not None
    assert "674" in lines[problem.row - 1]
    assert 'in "In 2018 waren er 674 slachtoffers."' in problem.message
    assert "674" in problem.message


def test_a_right_literal_number_passes(published: Published, tmp_path: Path) -> None:
    ok = "In 2018 waren er 673 geregistreerde slachtoffers."
    assert _check(published, tmp_path, _intro(ok)) == []
    assert _check(published, tmp_path, _intro("In 2014 waren 1.105 slachtoffers gemeld.")) == []
    # English notation in a Dutch text is another number (1.105 is not 1,105):
    wrong = "In 2014 waren er 1,105 slachtoffers gemeld."
    assert _check(published, tmp_path, _intro(wrong)) == ["VM802"]


def test_years_plain_numbers_and_list_markers_are_not_figures(
    published: Published, tmp_path: Path
) -> None:
    text = "Van 2014 tot 2018, jongeren van 18 tot 22 jaar.\n\n1. Een punt.\n2. Nog een."
    assert _check(published, tmp_path, _intro(text)) == []
    assert _check(published, tmp_path, _intro("Jongeren van 19 jaar.")) == ["VM802"]


def test_bound_literals_are_checked_against_their_figure(
    published: Published, tmp_path: Path
) -> None:
    good = "Er waren {{ victims_by_year[2018] = 673 }} geregistreerde slachtoffers."
    assert _check(published, tmp_path, _intro(good)) == []
    # 132 is a published figure, but not this one:
    bad = "Er waren {{ victims_by_year[2018] = 132 }} geregistreerde slachtoffers."
    assert _check(published, tmp_path, _intro(bad)) == ["VM803"]
    fell = (
        "Een daling van {{ abs(change(victims_by_year[2014], victims_by_year[2018])) = 39% }} "
        "geregistreerde slachtoffers tussen 2014 en 2018."
    )
    assert _check(published, tmp_path, _intro(fell)) == []
    assert _check(published, tmp_path, _intro(fell.replace("39%", "45%"))) == ["VM803"]
    # The same fact rounded another way (to fives) is VM814, not a different number:
    assert _check(published, tmp_path, _intro(fell.replace("39%", "40%"))) == ["VM814"]
    # A derived number written plainly is not a published figure: it must be bound.
    assert _check(published, tmp_path, _intro("Een daling van 39%.")) == ["VM802"]


def test_placeholders_that_name_nothing_or_a_suppressed_cell(
    published: Published, tmp_path: Path
) -> None:
    unknown = "Er waren {{ victims_by_year[2019] }} slachtoffers."
    assert _check(published, tmp_path, _intro(unknown)) == ["VM804"]
    hidden = "Onbekend: {{ victims_by_form[2014, unknown] }}."
    assert _check(published, tmp_path, _intro(hidden)) == ["VM805"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda t: t.replace("+++", "", 1), "front matter"),
        (lambda t: t.replace('lang = "nl"', 'lang = "de"'), "lang"),
        (lambda t: t.replace("date = 2019-10-18\n", ""), "date"),
        (lambda t: t.replace("{#approach}", "{#box}"), "box"),
        (lambda t: t.replace("title = ", "title = = "), "TOML"),
    ],
)
def test_malformed_files(
    published: Published, tmp_path: Path, change: Callable[[str], str], fragment: str
) -> None:
    path = _editorial_dir(tmp_path, change) / "factsheet-2014-2018.nl.md"
    problems = check_editorial(path, Figures(published)).problems
    assert problems
    assert "VM801" in {p.code for p in problems}
    assert any(fragment in p.message for p in problems), [p.message for p in problems]


def test_a_wrong_number_stops_the_build_before_any_file_is_written(
    published: Published, tmp_path: Path
) -> None:
    editorial = _editorial_dir(tmp_path / "text", _intro("Er waren 674 slachtoffers."), "en")
    out = tmp_path / "out"
    with pytest.raises(FactsheetError) as info:
        build_factsheet(published, out, editorial_dir=editorial)
    assert [p.code for p in info.value.problems] == ["VM802"]
    assert "factsheet-2014-2018.en.md" in str(info.value)
    assert not out.exists() or list(out.iterdir()) == []


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(number=st.one_of(st.sampled_from(_PUBLISHED_VALUES), st.integers(0, 20_000)))
def test_a_plain_literal_passes_exactly_when_it_is_published(
    published: Published, tmp_path: Path, number: int
) -> None:
    """Any whole number: accepted in the text if and only if some published figure prints so."""
    if 1900 <= number <= 2100 or number in (18, 22, 23):
        return  # years and plain_numbers are not figures
    figures = Figures(published)
    counts = {f.shown() for f in figures.universe() if f.kind is Kind.COUNT}
    estimates = {f.shown() for f in figures.universe() if f.kind is Kind.ESTIMATE}
    text = f"Er waren {format_int(number, 'nl')} slachtoffers gemeld."
    codes = _check(published, tmp_path, _intro(text))
    assert (codes == []) == (number in counts), (number, codes)
    if number in estimates and number not in counts:  # an estimate never stands bare
        assert codes == ["VM808"], (number, codes)
