"""Bad files get coded, located problems: every VM6xx code, in YAML (by path) and CSV (by row)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from victim_monitor.problems import ProblemLog
from victim_monitor.programme.check import Known, check
from victim_monitor.programme.read import read_file

PROGRAMME = """
programmes:
  - code: P
    title: {nl: Programma, en: Programme}
    year: 2018
    action_lines:
      - {code: A1, number: 1, title: {nl: Lijn, en: Line}}
    measures:
      - code: M1
        action_line: A1
        title: {nl: Maatregel, en: Measure}
        owner: Org
        start: 2019-01-01
"""


def _problems(
    tmp_path: Path, name: str, text: str, known: Known | None = None
) -> list[tuple[str, int | None, str | None]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    log = ProblemLog()
    check(read_file(path, log), log, known)
    return [(p.code, p.row, p.field) for p in log]


M = "programmes[0].measures[0]"
EV = "evidence: {nl: a, en: b}"


def _swap(old: str, new: str) -> str:
    return PROGRAMME.replace(old, new)


def _more(lines: str) -> str:
    return PROGRAMME + lines


TITLE = "{nl: Maatregel, en: Measure}"
TWICE = PROGRAMME + PROGRAMME.split("measures:\n")[1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("programmes: [", [("VM601", 1, None)]),
        ("- just a list", [("VM602", None, None)]),
        ("programmes: {code: P}", [("VM602", None, "programmes")]),
        ("format: other/1", [("VM605", None, "format")]),
        ("measures: []", [("VM603", None, "measures")]),
        (_more("        colour: red\n"), [("VM603", None, f"{M}.colour")]),
        (_swap("        owner: Org\n", ""), [("VM604", None, f"{M}.owner")]),
        (_swap(TITLE, "{nl: Maatregel}"), [("VM604", None, f"{M}.title.en")]),
        (_swap(TITLE, "Measure"), [("VM605", None, f"{M}.title")]),
        (_swap("2019-01-01", "2019-02-30"), [("VM605", None, f"{M}.start")]),
        (_swap("year: 2018", "year: eighteen"), [("VM605", None, "programmes[0].year")]),
        (_swap("code: M1", "code: M 1"), [("VM605", None, f"{M}.code")]),
        (
            _more(f"        history:\n          - {{date: 2019-01-01, status: done, {EV}}}\n"),
            [("VM605", None, f"{M}.history[0].status")],
        ),
        (TWICE, [("VM606", None, "programmes[0].measures[1].code")]),
        (_swap("action_line: A1", "action_line: A9"), [("VM607", None, f"{M}.action_line")]),
        (
            _more("        indicators: [nowhere]\n"),
            [("VM607", None, f"{M}.indicators[0].indicator")],
        ),
        (_more("        planned_end: 2018-12-31\n"), [("VM608", None, f"{M}.planned_end")]),
        (
            _more(f"        history:\n          - {{date: 2018-06-01, status: running, {EV}}}\n"),
            [("VM611", None, f"{M}.history[0].date")],
        ),
    ],
)
def test_yaml_problems_are_coded_and_located_by_path(
    tmp_path: Path, text: str, expected: list[tuple[str, int | None, str | None]]
) -> None:
    assert _problems(tmp_path, "p.yaml", text) == expected


INDICATOR = (
    "indicators:\n  - code: I\n    title: {nl: I, en: I}\n    unit: count\n    expected: up\n"
)


V = "indicators[0].values"
MONITOR = "    kind: monitor\n    series: registered_victims\n"
EXTERNAL = "    kind: external\n"
VALUE = "      - {year: 2018, value: 3, source: x}\n"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("    kind: monitor\n", [("VM609", None, "indicators[0].series")]),
        (EXTERNAL + "    series: registered_victims\n", [("VM609", None, "indicators[0].series")]),
        ("    kind: monitor\n    series: happiness\n", [("VM610", None, "indicators[0].series")]),
        ("    kind: monitor\n    series: coverage\n", [("VM609", None, "indicators[0].unit")]),
        (MONITOR + "    values:\n" + VALUE, [("VM609", None, f"{V}[0].value")]),
        (
            EXTERNAL + "    values:\n" + VALUE.replace("3,", "3, lower: 4,"),
            [("VM608", None, f"{V}[0].value")],
        ),
        (EXTERNAL + "    values:\n" + VALUE + VALUE, [("VM606", None, f"{V}[1].year")]),
    ],
)
def test_indicator_problems(
    tmp_path: Path, lines: str, expected: list[tuple[str, int | None, str | None]]
) -> None:
    assert _problems(tmp_path, "i.yml", INDICATOR + lines) == expected


CSV_HEADER = "record,programme,measure,code,date,status,evidence_nl,evidence_en\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("measure_status,P,M1,,2019-02-01,running,a,b\n", []),
        ("measure_status,P,M9,,2019-02-01,running,a,b\n", [("VM607", 2, "measure")]),
        ("measure_status,P,M1,,01-02-2019,running,a,b\n", [("VM605", 2, "date")]),
        ("measure_status,P,M1,X,2019-02-01,running,a,b\n", [("VM603", 2, "code")]),
        ("\nmilestones,P,M1,X,,,,\n", [("VM603", 3, "record")]),
        ("measure_status,P,M1,,2019-02-01,running,a\n", [("VM602", 2, None)]),
        ("measure_status,P,M1,,2019-02-01,running,,b\n", [("VM604", 2, "evidence_nl")]),
    ],
)
def test_csv_problems_are_located_by_row_and_column(
    tmp_path: Path, body: str, expected: list[tuple[str, int | None, str | None]]
) -> None:
    known = Known(programmes=frozenset({"P"}), measures={("P", "M1"): date(2019, 1, 1)})
    assert _problems(tmp_path, "u.csv", CSV_HEADER + body, known) == expected


def test_csv_header_problems(tmp_path: Path) -> None:
    assert _problems(tmp_path, "a.csv", "programme,code\n") == [("VM602", 1, None)]
    assert _problems(tmp_path, "b.csv", "record,colour\n") == [("VM603", 1, "colour")]
    assert _problems(tmp_path, "c.csv", "") == [("VM602", None, None)]


def test_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "latin.yaml").write_bytes("title: caf\xe9".encode("latin-1"))
    log = ProblemLog()
    assert read_file(tmp_path / "latin.yaml", log) == []
    assert read_file(tmp_path / "missing.yaml", log) == []
    (tmp_path / "p.json").write_text("{}", encoding="utf-8")
    assert read_file(tmp_path / "p.json", log) == []
    assert [p.code for p in log] == ["VM601", "VM601", "VM601"]


def test_every_problem_in_a_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    text = PROGRAMME.replace("owner: Org", "owner: ''").replace("year: 2018", "year: 1800")
    codes = [c for c, _, _ in _problems(tmp_path, "p.yaml", text)]
    assert codes == ["VM605", "VM604"]


def test_a_bad_parent_does_not_cascade_into_unknown_references(tmp_path: Path) -> None:
    text = (
        PROGRAMME.replace("2019-01-01", "someday")
        + "        milestones:\n          - {code: S, title: {nl: a, en: b}}\n"
    )
    assert _problems(tmp_path, "p.yaml", text) == [
        ("VM605", None, "programmes[0].measures[0].start")
    ]
