"""The pure core: raw rows to submission rows, and a located problem for each bad cell."""

from __future__ import annotations

import re

import pytest

from tests.pseudonymise.people import PEOPLE, TODAY, person
from victim_monitor.problems import Severity
from victim_monitor.pseudonymise import SUBMISSION_COLUMNS, Key, RowResult, encode_rows

PSEUDONYM_COLUMNS = [c for c in SUBMISSION_COLUMNS if c.startswith("pn_")]


def _encode(rows: list[dict[str, str]], key: Key) -> list[RowResult]:
    return list(encode_rows(rows, key, today=TODAY))


def _one(key: Key, **changes: str) -> RowResult:
    return _encode([person(**changes)], key)[0]


def test_canonical_values_in_clear(key: Key) -> None:
    rows = [r.encoded for r in _encode(list(PEOPLE), key)]
    assert all(rows)
    first, second, third, fourth = (r.as_dict() for r in rows if r is not None)
    assert first["format_version"] == "1"
    assert first["key_id"] == key.key_id
    assert (first["sex"], first["birth_year"], first["age_at_report"]) == ("F", "1990", "30")
    assert (first["nationality"], first["exploitation"], first["sector"]) == (
        "PL",
        "sexual;labour",
        "hospitality",
    )
    assert (first["border_crossed"], first["country_of_exploitation"]) == ("yes", "NL")
    assert (first["dublin_claimant"], first["residence_permit"], first["police_report"]) == (
        "no",
        "applied",
        "yes",
    )
    assert first["report_date"] == "2021-03-04"
    assert (second["nationality"], second["dublin_claimant"], second["residence_permit"]) == (
        "UA",
        "unknown",
        "none",
    )
    assert (third["birth_year"], third["age_at_report"], third["sex"]) == ("2006", "16", "F")
    assert (fourth["sex"], fourth["birth_year"], fourth["age_at_report"]) == ("M", "", "")


def test_pseudonyms_are_64_hex_or_empty(key: Key) -> None:
    for result in _encode(list(PEOPLE), key):
        assert result.encoded is not None
        for column in PSEUDONYM_COLUMNS:
            assert re.fullmatch(r"([0-9a-f]{64})?", getattr(result.encoded, column))


def test_partial_birth_dates(key: Key) -> None:
    month = _one(key, birth_date="1990-05").encoded
    year = _one(key, birth_date="1990").encoded
    full = _one(key).encoded
    assert month is not None
    assert year is not None
    assert full is not None
    assert month.pn_birth_date == ""
    assert month.pn_birth_year_month == full.pn_birth_year_month
    assert year.pn_birth_year_month == ""
    assert year.pn_sex_birth_year == full.pn_sex_birth_year
    assert month.birth_year == year.birth_year == "1990"
    assert month.bloom
    assert year.bloom


def test_same_input_same_output_and_another_key_another_output(key: Key, other_key: Key) -> None:
    once = [r.encoded for r in _encode(list(PEOPLE), key)]
    again = [r.encoded for r in _encode(list(PEOPLE), key)]
    other = [r.encoded for r in _encode(list(PEOPLE), other_key)]
    assert once == again
    for mine, theirs in zip(once, other, strict=True):
        assert mine is not None
        assert theirs is not None
        for column in [*PSEUDONYM_COLUMNS, "bloom"]:
            if getattr(mine, column):
                assert getattr(mine, column) != getattr(theirs, column)
        assert mine.sex == theirs.sex


def test_name_variants_share_pseudonyms(key: Key) -> None:
    base = _one(key, first_name="Anna", last_name="van der Berg").encoded
    variant = _one(key, first_name="ANNA", last_name="Berg, van der").encoded
    swapped = _one(key, first_name="van der Berg", last_name="Anna").encoded
    assert base is not None
    assert variant is not None
    assert swapped is not None
    assert base.pn_first_name == variant.pn_first_name
    assert base.pn_last_name == variant.pn_last_name
    assert base.pn_full_name == variant.pn_full_name
    assert base.pn_name_sorted == swapped.pn_name_sorted
    assert base.pn_last_name != swapped.pn_last_name


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("birth_date", "31-02-1990", "VM404"),
        ("birth_date", "1890-01-01", "VM404"),
        ("birth_date", "2022-01-01", "VM404"),  # after the report date
        ("report_date", "", "VM405"),
        ("report_date", "2021-03", "VM405"),
        ("report_date", "1999-12-31", "VM405"),
        ("report_date", "2030-01-01", "VM405"),
        ("sex", "q", "VM406"),
        ("sector", "ruimtevaart", "VM408"),
        ("border_crossed", "misschien", "VM408"),
        ("dublin_claimant", "perhaps", "VM408"),
        ("residence_permit", "B9", "VM408"),
        ("police_report", "2", "VM408"),
        ("exploitation", "seksueel; bedelarij", "VM408"),
        ("case_reference", "", "VM410"),
        ("case_reference", "T 0001", "VM410"),
        ("case_reference", "T" * 65, "VM410"),
    ],
)
def test_each_error_names_its_row_and_field(key: Key, field: str, value: str, code: str) -> None:
    rows = [PEOPLE[1], person(**{field: value})]
    results = list(encode_rows(rows, key, first_row=2, today=TODAY))
    assert results[0].problems == ()
    assert results[0].encoded is not None
    bad = results[1]
    assert bad.encoded is None
    assert [(p.code, p.row, p.field, p.severity) for p in bad.problems] == [
        (code, 3, field, Severity.ERROR)
    ]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("nationality", "Atlantisch", "VM407"),
        ("country_of_exploitation", "Narnia", "VM407"),
        ("first_name", "N.N.", "VM409"),
        ("last_name", "", "VM409"),
    ],
)
def test_warnings_still_encode(key: Key, field: str, value: str, code: str) -> None:
    result = _one(key, **{field: value})
    assert result.encoded is not None
    assert [(p.code, p.row, p.field, p.severity) for p in result.problems] == [
        (code, 1, field, Severity.WARNING)
    ]
    if code == "VM407":
        assert getattr(result.encoded, field) == ""


def test_repeated_case_reference(key: Key) -> None:
    rows = [PEOPLE[0], PEOPLE[1], PEOPLE[0]]
    results = _encode(rows, key)
    assert results[2].encoded is None
    assert [(p.code, p.row, p.field) for p in results[2].problems] == [
        ("VM411", 3, "case_reference")
    ]


def test_all_problems_of_a_row_are_reported(key: Key) -> None:
    result = _one(key, sex="q", birth_date="morgen", sector="ruimtevaart", last_name="NN")
    assert sorted(p.code for p in result.problems) == ["VM404", "VM406", "VM408", "VM409"]


def test_rows_may_lack_optional_columns(key: Key) -> None:
    minimal = {c: PEOPLE[0][c] for c in ("case_reference", "first_name", "report_date")}
    result = _encode([minimal], key)[0]
    assert result.encoded is not None
    assert [p.code for p in result.problems] == ["VM409"]  # no last name
    assert result.encoded.border_crossed == "unknown"
