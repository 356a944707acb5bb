"""Every check of format v1 gives its code, row and field; no value from the file is repeated."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.registry import factory
from victim_monitor.registry.checks import COLUMNS, STAGED_COLUMNS, RowChecker, check_header

TODAY = dt.date(2026, 1, 1)


def _check(**overrides: str) -> tuple[tuple[object, ...] | None, list[str], list[object]]:
    header = check_header(list(COLUMNS), "f.csv")
    checker = RowChecker(header, "f.csv", TODAY)
    row = factory.report(1, **overrides)
    staged, problems = checker.check(2, [row[c] for c in COLUMNS])
    return staged, [p.code for p in problems], problems


def test_a_valid_row_is_staged_in_column_order() -> None:
    staged, codes, _ = _check()
    assert codes == []
    assert staged is not None
    assert len(staged) == len(STAGED_COLUMNS)
    values = dict(zip(STAGED_COLUMNS, staged, strict=True))
    assert values["row_number"] == 2
    assert values["case_reference"] == "CASE-000001"
    assert values["report_year"] == 2018
    assert values["sex"] == "male"
    assert values["exploitation"] == "labour"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"format_version": "2"}, "VM215", "format_version"),
        ({"key_id": "xyz"}, "VM216", "key_id"),
        ({"case_reference": ""}, "VM202", "case_reference"),
        ({"case_reference": "Jan Jansen"}, "VM213", "case_reference"),
        ({"report_date": "15-01-2018"}, "VM203", "report_date"),
        ({"report_date": "2018-02-30"}, "VM203", "report_date"),
        ({"report_date": "2030-01-01"}, "VM204", "report_date"),
        ({"report_date": "1999-12-31"}, "VM204", "report_date"),
        ({"pn_last_name": "Jansen"}, "VM205", "pn_last_name"),
        ({"pn_first_name": "a" * 63}, "VM205", "pn_first_name"),
        ({"bloom": "not base64!"}, "VM206", "bloom"),
        ({"sex": "Q"}, "VM207", "sex"),
        ({"sex": ""}, "VM202", "sex"),
        ({"sector": "mining"}, "VM207", "sector"),
        ({"border_crossed": "maybe"}, "VM207", "border_crossed"),
        ({"residence_permit": "yes"}, "VM207", "residence_permit"),
        ({"police_report": ""}, "VM202", "police_report"),
        ({"exploitation": "sexual;begging"}, "VM208", "exploitation"),
        ({"nationality": "Poland"}, "VM209", "nationality"),
        ({"country_of_exploitation": "XX"}, "VM209", "country_of_exploitation"),
        ({"birth_year": "1850"}, "VM210", "birth_year"),
        ({"birth_year": "abc"}, "VM210", "birth_year"),
        ({"birth_year": "١٩٩٠"}, "VM210", "birth_year"),
        ({"report_date": "٢٠١٨-01-15"}, "VM203", "report_date"),
        ({"age_at_report": "200"}, "VM211", "age_at_report"),
    ],
)
def test_each_bad_value_gets_its_code(overrides: dict[str, str], code: str, field: str) -> None:
    staged, codes, problems = _check(**overrides)
    assert staged is None
    assert code in codes
    problem = next(p for p in problems if p.code == code)  # type: ignore[attr-defined]
    assert problem.row == 2  # type: ignore[attr-defined]
    assert problem.field == field  # type: ignore[attr-defined]
    assert problem.file == "f.csv"  # type: ignore[attr-defined]
    # What was expected, never the value that came (issue 14, M2).
    assert problem.value is None  # type: ignore[attr-defined]
    (value,) = overrides.values()
    assert not value or value not in problem.message  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"pn_last_name": "Jansen"}, "pn_last_name"),
        ({"case_reference": "Jan Jansen"}, "case_reference"),
    ],
)
def test_values_that_may_be_clear_names_are_never_echoed(
    overrides: dict[str, str], field: str
) -> None:
    _, _, problems = _check(**overrides)
    assert field in {p.field for p in problems}  # the field is named, its value is not
    for problem in problems:
        assert "Jansen" not in str(problem)


def test_warnings_do_not_stop_a_row() -> None:
    staged, codes, _ = _check(age_at_report="5")
    assert codes == ["VM212"]
    assert staged is not None
    blank = {name: "" for name in COLUMNS if name.startswith("pn_")} | {"bloom": ""}
    staged, codes, _ = _check(**blank)
    assert codes == ["VM217"]
    assert staged is not None


def test_alpha3_and_case_insensitive_codes_are_canonicalised() -> None:
    staged, codes, _ = _check(
        nationality="pol", sex="f", border_crossed="YES", exploitation="Labour; SEXUAL"
    )
    assert codes == []
    assert staged is not None
    values = dict(zip(STAGED_COLUMNS, staged, strict=True))
    assert values["nationality"] == "PL"
    assert values["sex"] == "female"
    assert values["border_crossed"] == "yes"
    assert values["exploitation"] == "labour;sexual"


def test_one_file_one_key() -> None:
    header = check_header(list(COLUMNS), "f.csv")
    checker = RowChecker(header, "f.csv", TODAY)
    first = factory.report(1)
    second = factory.report(2, key_id="fedcba9876543210")
    assert checker.check(2, [first[c] for c in COLUMNS])[0] is not None
    staged, problems = checker.check(3, [second[c] for c in COLUMNS])
    assert staged is None
    assert [p.code for p in problems] == ["VM216"]


def test_content_hash_ignores_case_and_spacing_of_codes() -> None:
    plain, _, _ = _check()
    shouty, _, _ = _check(sex=" m ", border_crossed="YES", police_report="No")
    changed, _, _ = _check(sex="F")
    assert plain is not None
    assert shouty is not None
    assert changed is not None
    assert plain[-1] == shouty[-1] != changed[-1]


@pytest.mark.parametrize(
    ("column", "code"),
    [
        ("first_name", "VM103"),
        ("Achternaam", "VM103"),
        ("geboortedatum", "VM103"),
        ("date_of_birth", "VM103"),
        ("BSN", "VM103"),
        ("notes", "VM102"),
    ],
)
def test_header_refuses_clear_identifiers_and_unknown_columns(column: str, code: str) -> None:
    header = check_header([*COLUMNS, column], "f.csv")
    assert [p.code for p in header.problems] == [code]
    # Named by position: an unknown header may be a row of data (the header row missing).
    assert header.problems[0].field == f"column {len(COLUMNS) + 1}"
    assert column not in str(header.problems[0])


def test_header_reports_missing_and_repeated_columns() -> None:
    columns = [c for c in COLUMNS if c != "sex"] + ["key_id"]
    codes = sorted(p.code for p in check_header(columns, "f.csv").problems)
    assert codes == ["VM104", "VM105"]


def test_header_is_case_and_space_insensitive() -> None:
    assert check_header([f" {c.upper()} " for c in COLUMNS], "f.csv").problems == ()
