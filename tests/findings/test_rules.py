"""Findings as sentences, by the documented rules, each tied to the cells it rests on."""

from __future__ import annotations

import pytest

from tests.findings.tables import YEARS, table
from victim_monitor.findings import findings, number, trends
from victim_monitor.published import CellKey, Finding, PublishedTable, YearEstimate


def _find(
    tables: list[PublishedTable], estimates: tuple[YearEstimate, ...] = ()
) -> dict[str, Finding]:
    found = trends(tables, YEARS)
    return {f.id: f for f in findings({t.name: t for t in tables}, found, estimates, YEARS)}


def test_nearly_halved_in_five_years() -> None:
    t = table("victims_by_year", None, {"": [1218, 1120, 952, 958, 668]})
    found = _find([t])["registered/nearly_halved"]
    assert found.text.en == (
        "The number of registered victims nearly halved in five years: from 1,218 in 2014 "
        "to 668 in 2018."
    )
    assert found.text.nl == (
        "Het aantal geregistreerde slachtoffers is in vijf jaar bijna gehalveerd: van 1.218 in "
        "2014 naar 668 in 2018."
    )
    assert found.cells == (
        CellKey.of("victims_by_year", {"year": "2014"}),
        CellKey.of("victims_by_year", {"year": "2018"}),
    )


def test_percent_fewer_than_in_the_first_two_years() -> None:
    forms = table("victims_by_form", "form_group", {"domestic_sexual": [340, 320, 250, 230, 132]})
    found = _find([forms])["form_domestic_sexual/fewer_than_first_years"]
    assert found.numbers["percent"] == 60
    assert found.text.en == (
        "In 2018 there were 60% fewer registered victims of domestic sexual exploitation than "
        "on average in 2014 and 2015: only 132."
    )
    assert "60% minder geregistreerde slachtoffers van binnenlandse seksuele uitbuiting" in (
        found.text.nl
    )
    assert len(found.cells) == 3


def test_noise_gets_no_rise_or_fall() -> None:
    t = table("victims_by_year", None, {"": [650, 610, 640, 600, 630]})
    found = _find([t])
    assert set(found) == {"registered/no_clear_change"}
    assert "did not change clearly" in found["registered/no_clear_change"].text.en
    small = table("victims_by_age", "age_group", {"minor": [14, 12, 11, 10, 9]})
    assert _find([small]) == {}  # 14 to 9 is within what chance gives


def test_a_suppressed_year_silences_the_rules_that_need_it() -> None:
    t = table("victims_by_year", None, {"": [None, 1120, 952, 958, 668]})
    assert not [f for f in _find([t]) if "halved" in f]


def test_only_a_small_share_is_registered() -> None:
    cell = CellKey.of("victims_by_year", {"year": "2018"})
    estimate = YearEstimate(
        "2018", 132, cell, 5000.0, 4400.0, 6600.0, "profile", 0.026, 0.02, 0.03, ("P",), "",
    )  # fmt: skip
    found = _find([], (estimate,))["coverage/2018"]
    assert "only 2.0 to 3.0% were registered" in found.text.en  # as the factsheet's table
    assert "slechts 2,0% tot 3,0% geregistreerd" in found.text.nl
    assert found.cells == (cell,)
    wide = YearEstimate(
        "2018", 132, cell, 200.0, 150.0, 260.0, "profile", 0.66, 0.5, 0.88, ("P",), "",
    )  # fmt: skip
    assert _find([], (wide,)) == {}


def test_numbers_are_written_as_in_each_language() -> None:
    assert number(5000, "nl") == "5.000"
    assert number(5000, "en") == "5,000"
    assert number(668, "nl") == "668"


def test_on_average_then_only_in_the_last_year() -> None:
    types = table(
        "victims_by_reporter_type",
        "reporter_type",
        {"non_investigative": [600, 560, 520, 540, 150]},
    )
    found = _find([types])
    only = found["non_investigative/average_then_only"]
    assert only.text.en == (
        "In 2014-2017 there were on average 555 victims reported by non-investigative "
        "organisations a year, in 2018 only 150."
    )
    assert "gemiddeld 555 door niet-opsporingsinstanties gemelde slachtoffers per jaar" in (
        only.text.nl
    )
    assert len(only.cells) == 5
    assert "non_investigative/fewer_than_first_years" in found
    assert "non_investigative/rose_last_year" not in found


def test_the_share_registered_of_a_form_of_exploitation() -> None:
    key = {"year": "2018", "form_group": "domestic_sexual"}
    cell = CellKey.of("victims_by_form", key)
    stratum = (("form_group", "domestic_sexual"),)
    finite = YearEstimate(
        "2017", 230, cell, 3000.0, 2300.0, 4600.0, "profile", 0.077, 0.05, 0.1, ("P",), "",
        stratum=stratum,
    )  # fmt: skip
    unbounded = YearEstimate(
        "2018", 132, cell, 2100.0, 700.0, None, "profile", 0.063, None, 0.19, ("P",), "",
        stratum=stratum,
    )  # fmt: skip
    found = _find([], (finite, unbounded))
    share = found["coverage/domestic_sexual/2017"]  # 2018 has no upper limit: not used
    assert share.text.en == (
        "Of the estimated 2,300 to 4,600 victims of domestic sexual exploitation in 2017, "
        "only 5.0 to 10.0% were registered (230)."
    )


@pytest.mark.parametrize(
    ("series", "nl", "en"),
    [
        ([93, 120, 130, 110, 230], "meer dan verdubbeld", "more than doubled"),
        ([100, 120, 150, 180, 201], "verdubbeld", "doubled"),
        ([37, 63, 74, 73, 196], "ruim vervijfvoudigd", "increased more than fivefold"),
        ([60, 90, 110, 150, 180], "verdrievoudigd", "tripled"),
    ],
)
def test_a_rise_is_worded_as_a_multiple(series: list[int], nl: str, en: str) -> None:
    forms = table("victims_by_form", "form_group", {"labour": series})
    found = _find([forms])
    [overall] = [f for k, f in found.items() if k.startswith("form_labour/")
                 and f.rule in ("doubled", "multiplied")]  # fmt: skip
    assert f"vijf jaar {nl}: van" in overall.text.nl
    assert f"labour exploitation {en} in five years" in overall.text.en
    assert "voudige" not in overall.text.nl
    assert "-fold" not in overall.text.en


def test_a_fall_that_turned_says_so() -> None:
    police = table("police_reports_by_form", "form_group", {"Total": [900, 800, 400, 450, 560]})
    overall = _find([police])["police/nearly_halved"]  # 900 to 560
    assert overall.text.nl.startswith(
        "Het aantal politiemeldingen is in vijf jaar bijna gehalveerd"
    )
    assert "Na 2016 (400) steeg het aantal weer, tot 560 in 2018." in overall.text.nl
    assert "After 2016 (400) the number rose again, to 560 in 2018." in overall.text.en
    steady = table("police_reports_by_form", "form_group", {"Total": [646, 574, 500, 480, 470]})
    assert "weer" not in _find([steady])["police/fell"].text.nl


def test_a_change_from_the_first_year_alone_is_not_stated() -> None:
    """600 then about 470 a year: 2014 to 2018 is a fall, the mean of 2014-2017 (505) against
    2018 (480) is not; the seed's period comparison decides, so no first-to-last sentence."""
    police = table("police_reports_by_form", "form_group", {"Total": [600, 450, 500, 470, 480]})
    assert not [k for k in _find([police]) if k.startswith("police/")]


def test_a_change_is_rounded_as_the_factsheet_rounds_it() -> None:
    """One rounding rule: 314 to 115 is printed 63% wherever it appears, not 65% here."""
    forms = table("victims_by_form", "form_group", {"domestic_sexual": [314, 308, 243, 231, 115]})
    found = _find([forms])["form_domestic_sexual/fell"]
    assert "met 63% gedaald" in found.text.nl
    assert found.numbers["percent"] == 63
