"""Figure references: what they name, how they print, and what they refuse."""

from __future__ import annotations

import pytest

from victim_monitor.reporting import Figures, Published
from victim_monitor.reporting.figures import (
    FigureError,
    Kind,
    format_int,
    format_percent,
    round_significant,
)


def test_a_cell_is_its_published_value(published: Published) -> None:
    figures = Figures(published)
    figure = figures.evaluate("victims_by_form[2018, domestic_sexual]")
    assert (figure.value, figure.kind) == (132, Kind.COUNT)
    assert figures.evaluate("victims_by_year[2014]").display("nl") == "1.105"
    assert figures.evaluate("victims_by_year[2014]").display("en") == "1,105"


def test_estimates_print_rounded_and_coverage_as_percent(published: Published) -> None:
    figures = Figures(published)
    assert figures.evaluate("estimates[2018].low").display("nl") == "5.000"
    assert figures.evaluate("estimates[2018].high").display("en") == "7,500"
    assert figures.evaluate("estimates[2018]").display("en") == "6,200"
    coverage = figures.evaluate("coverage[2018]")
    assert coverage.kind is Kind.PERCENT
    # 673 / 6210 = 10.8%: its interval starts below 10% (9.0%), so the whole range has a decimal
    assert coverage.display("en") == "10.8%"
    assert figures.evaluate("coverage[2018].low").display("nl") == "9,0%"


def test_functions(published: Published) -> None:
    figures = Figures(published)
    change = figures.evaluate("change(victims_by_year[2014], victims_by_year[2018])")
    assert change.value == pytest.approx(673 / 1105 - 1)
    assert change.display("nl") == "−39%"
    assert (
        figures.evaluate("abs(change(victims_by_year[2014], victims_by_year[2018]))").display("en")
        == "39%"
    )
    share = figures.evaluate("share(victims_by_form[2018, labour], victims_by_year[2018])")
    assert share.value == pytest.approx(120 / 673)
    assert figures.evaluate("mean(victims_by_year[2014], victims_by_year[2015])").value == 1107


def test_a_suppressed_cell_cannot_be_cited_even_inside_a_function(published: Published) -> None:
    figures = Figures(published)
    for reference in (
        "victims_by_form[2014, unknown]",
        "sum(victims_by_form[2014, labour], victims_by_form[2014, unknown])",
        "change(police_reports_by_form[2014, criminal], police_reports_by_form[2018, criminal])",
    ):
        with pytest.raises(FigureError) as info:
            figures.evaluate(reference)
        assert info.value.hidden, reference


def test_a_former_table_name_names_the_published_table(published: Published) -> None:
    """police_reports_by_group, the factsheet's name for the police table before it used the
    publication's, reads police_reports_by_form: the same figure, resting on the same cell."""
    figures = Figures(published)
    assert "police_reports_by_group" not in published.tables
    former = figures.evaluate("police_reports_by_group[2018, Total]")
    published_name = figures.evaluate("police_reports_by_form[2018, Total]")
    assert (former.value, former.parts) == (published_name.value, published_name.parts)
    assert former.value == 475
    mean = figures.evaluate("mean(police_reports_by_group[2014:2017, Total])")
    assert mean.value == pytest.approx((600 + 590 + 540 + 480) / 4)
    assert {p.table for p in mean.parts} == {"police_reports_by_form"}


@pytest.mark.parametrize(
    "reference",
    [
        "no_such_table[2018]",
        "victims_by_form[2018]",  # one key for two dimensions
        "victims_by_form[2019, labour]",
        "estimates[2014]",  # not estimated
        "estimates[2018].median",
        "__import__('os').system('true')",
        "victims_by_year[2018] + 1",
        "open('x')",
        "victims_by_year",
    ],
)
def test_anything_else_is_not_a_figure(published: Published, reference: str) -> None:
    with pytest.raises(FigureError) as info:
        Figures(published).evaluate(reference)
    assert not info.value.hidden


def test_number_formats() -> None:
    assert format_int(1234567, "nl") == "1.234.567"
    assert format_int(-5000, "en") == "−5,000"
    assert format_percent(0.024, "nl") == "2,4%"
    assert format_percent(0.6, "en") == "60%"
    assert [round_significant(v) for v in (7480, 5020, 1349, 96, 0)] == [7500, 5000, 1300, 96, 0]


def test_literal_matching_follows_what_is_printed(published: Published) -> None:
    figures = Figures(published)
    low = figures.evaluate("estimates[2018].low")
    assert low.matches(5000, percent=False, decimals=0)
    assert not low.matches(5020, percent=False, decimals=0)  # one rounding rule: 5.000 only
    assert low.matches_unrounded(5020, percent=False, decimals=0)
    assert not low.matches(5100, percent=False, decimals=0)
    change = figures.evaluate("change(victims_by_year[2014], victims_by_year[2018])")
    assert change.matches(39, percent=True, decimals=0)  # "39% fewer"
    assert not change.matches(40, percent=True, decimals=0)
    assert not figures.evaluate("victims_by_year[2018]").matches(673, percent=True, decimals=0)


def test_one_finding_per_subject() -> None:
    from victim_monitor.published import Finding
    from victim_monitor.reporting.content import select_findings
    from victim_monitor.vocab import Label

    found = [Finding(k, "", Label(k, k), ()) for k in ("a/fell", "a/fewer", "b/rose", "c", "b/x")]
    assert [f.id for f in select_findings(found)] == ["a/fell", "b/rose", "c"]
