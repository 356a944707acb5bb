"""Dates at the source: day-first and ISO layouts, partial dates, age at report."""

from __future__ import annotations

from datetime import date

import pytest

from victim_monitor.pseudonymise.dates import (
    DateError,
    PartialDate,
    age_at,
    parse_full_date,
    parse_partial_date,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-05-12", PartialDate(1990, 5, 12)),
        ("1990-5-2", PartialDate(1990, 5, 2)),
        ("12-05-1990", PartialDate(1990, 5, 12)),
        ("12/05/1990", PartialDate(1990, 5, 12)),
        ("12.05.1990", PartialDate(1990, 5, 12)),
        ("2-5-1990", PartialDate(1990, 5, 2)),
        ("19900512", PartialDate(1990, 5, 12)),
        ("1990-05-12 00:00:00", PartialDate(1990, 5, 12)),
        ("1990-05-12T00:00", PartialDate(1990, 5, 12)),
        ("1990-05", PartialDate(1990, 5)),
        ("05-1990", PartialDate(1990, 5)),
        ("1990", PartialDate(1990)),
        ("1990-05-00", PartialDate(1990, 5)),
        ("00-05-1990", PartialDate(1990, 5)),
        ("00-00-1990", PartialDate(1990)),
        ("19900000", PartialDate(1990)),
        ("  1990 ", PartialDate(1990)),
    ],
)
def test_accepted_layouts(text: str, expected: PartialDate) -> None:
    assert parse_partial_date(text) == expected


def test_empty_is_no_date() -> None:
    assert parse_partial_date("") is None
    assert parse_full_date(" ") is None


@pytest.mark.parametrize(
    "text", ["31-02-1990", "1990-13-01", "05-25-1990", "12-05-90", "gisteren", "1990-00-12"]
)
def test_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_partial_date(text)


def test_full_date_refuses_partial_dates() -> None:
    with pytest.raises(DateError, match="day and month"):
        parse_full_date("2021-03")
    assert parse_full_date("04-03-2021") == date(2021, 3, 4)


def test_iso_text_of_partial_dates() -> None:
    assert PartialDate(1990).iso() == "1990"
    assert PartialDate(1990, 5).iso() == "1990-05"
    assert PartialDate(1990, 5, 2).iso() == "1990-05-02"


@pytest.mark.parametrize(
    ("birth", "report", "age"),
    [
        (PartialDate(2000, 6, 15), date(2018, 6, 14), 17),
        (PartialDate(2000, 6, 15), date(2018, 6, 15), 18),
        (PartialDate(2000, 2, 29), date(2018, 2, 28), 17),
        (PartialDate(2000, 2, 29), date(2018, 3, 1), 18),
        # Year and month: born on the 15th.
        (PartialDate(2000, 6), date(2018, 6, 14), 17),
        (PartialDate(2000, 6), date(2018, 6, 15), 18),
        (PartialDate(2000, 6), date(2018, 5, 31), 17),
        # Year only: born on 1 July.
        (PartialDate(2000), date(2018, 6, 30), 17),
        (PartialDate(2000), date(2018, 7, 1), 18),
    ],
)
def test_age_at_report(birth: PartialDate, report: date, age: int) -> None:
    assert age_at(birth, report) == age
