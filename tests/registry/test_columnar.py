"""The column-wise CSV path stages the same rows and logs the same problems, in the same order,
as the row path (the csv module and RowChecker row by row), and leaves to the row path every
file it might read otherwise."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from tests.registry import factory
from tests.registry.test_fuzz import near_valid_rows
from victim_monitor.problems import Problem
from victim_monitor.registry import columnar, intake
from victim_monitor.registry.checks import COLUMNS, RowChecker, check_header
from victim_monitor.registry.columnar import NotPlainError, checked_blocks, plain_delimiter
from victim_monitor.registry.formats import open_rows
from victim_monitor.registry.intake import import_submission
from victim_monitor.registry.limits import LIMITS
from victim_monitor.storage.schema import reports

TODAY = dt.date(2026, 1, 1)
_names = itertools.count()

Read = tuple[int, list[tuple[object, ...]], list[Problem], str | None]


def by_rows(path: Path) -> Read:
    rows = open_rows(path)
    checker = RowChecker(check_header(rows.header, path.name), path.name, TODAY)
    staged, problems, total = [], [], 0
    for number, values in rows.rows:
        total += 1
        row, found = checker.check(number, values)
        problems += found
        if row is not None:
            staged.append(row)
    return total, staged, problems, checker.key_id


def by_columns(path: Path) -> Read:
    delimiter = plain_delimiter(path)
    if delimiter is None:
        raise NotPlainError("a quoted header or a NUL: the row path reads it")
    rows = open_rows(path)
    rows.rows.close()  # type: ignore[attr-defined]  # a generator; only the header is used
    checker = RowChecker(check_header(rows.header, path.name), path.name, TODAY)
    staged, problems, total = [], [], 0
    for reports_in_block, block, found in checked_blocks(path, delimiter, checker, LIMITS):
        total += reports_in_block
        staged += block
        problems += found
    return total, staged, problems, checker.key_id


def write(path: Path, rows: list[list[str]], delimiter: str = ",", blank_every: int = 0) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(COLUMNS)
        for i, row in enumerate(rows, start=1):
            writer.writerow(row)
            if blank_every and i % blank_every == 0:
                # blank rows: skipped, but counted in the row numbers
                handle.write("\r\n" if i % 2 else delimiter * (len(COLUMNS) - 1) + "\r\n")
    return path


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("columnar")


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(near_valid_rows(), min_size=1, max_size=12),
    delimiter=st.sampled_from([",", ";"]),
    blank_every=st.integers(0, 4),
    block=st.sampled_from([1, 700, 1 << 20]),
)
def test_both_paths_read_a_file_alike(
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    rows: list[list[str]],
    delimiter: str,
    blank_every: int,
    block: int,
) -> None:
    monkeypatch.setattr(columnar, "BLOCK_BYTES", block)  # many small blocks, or one
    path = write(workdir / f"f{next(_names)}.csv", rows, delimiter, blank_every)
    try:
        columns = by_columns(path)
    except NotPlainError:
        event("left to the row path")
        return  # left to the row path (a NUL, a field of another width, ...)
    assert columns == by_rows(path)


def test_plain_valid_rows_take_the_column_wise_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not dead code: after the first row (which names the key) no row is checked alone."""
    rows = [[r[c] for c in COLUMNS] for r in factory.reports(50)]
    rows[10][COLUMNS.index("sex")] = "Q"  # an error, worded by the row path
    path = write(tmp_path / "f.csv", rows, blank_every=7)
    checked: list[int] = []
    original = RowChecker.check

    def counting(self: RowChecker, number: int, values: list[str]) -> object:
        checked.append(number)
        return original(self, number, values)

    monkeypatch.setattr(RowChecker, "check", counting)
    columns = by_columns(path)
    assert checked == [2, 13]  # the first row, then the bad one (row 13: a blank row before)
    assert columns == by_rows(path)


def _import_both(engine: Engine, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Import ``path`` column-wise and row by row (dry runs); the results must be equal."""
    columns = import_submission(engine, path, "POL", today=TODAY, dry_run=True)
    with monkeypatch.context() as m:
        m.setattr(intake, "plain_delimiter", lambda _path: None)
        rows = import_submission(engine, path, "POL", today=TODAY, dry_run=True)
    assert columns == rows


@pytest.mark.parametrize(
    "damage",
    [
        "nothing",
        "a NUL in the last row",
        "a short last row",
        "a quoted header",
        "a byte that is not UTF-8",
        "repeated case references",
    ],
)
def test_imports_give_the_same_result_by_either_path(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    monkeypatch.setattr(columnar, "BLOCK_BYTES", 4096)  # the damage sits in a later block
    rows = [[r[c] for c in COLUMNS] for r in factory.reports(40)]
    rows[3][COLUMNS.index("age_at_report")] = "70"  # a warning
    if damage == "repeated case references":
        rows[30][COLUMNS.index("case_reference")] = rows[5][COLUMNS.index("case_reference")]
    path = write(tmp_path / "f.csv", rows, blank_every=9)
    data = path.read_bytes()
    if damage == "a NUL in the last row":
        data = data[:-10] + b"\x00" + data[-9:]
    elif damage == "a short last row":
        data = data.rstrip(b"\r\n").rsplit(b",", 3)[0] + b"\r\n"
    elif damage == "a quoted header":
        data = b'"' + data.replace(b",", b'",', 1)
    elif damage == "a byte that is not UTF-8":
        data = data[:-10] + b"\xff" + data[-9:]
    path.write_bytes(data)
    _import_both(engine, path, monkeypatch)


def test_an_accepted_file_stores_the_same_reports_by_either_path(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [[r[c] for c in COLUMNS] for r in factory.reports(30)]
    stored = []
    for organisation, plain in (("POL", True), ("KMAR", False)):
        with monkeypatch.context() as m:
            if not plain:
                m.setattr(intake, "plain_delimiter", lambda _path: None)
            path = write(tmp_path / f"{organisation}.csv", rows)
            assert import_submission(engine, path, organisation, today=TODAY).ok
        columns = [
            c for c in reports.c if c.name not in ("id", "organisation_code", "submission_id")
        ]
        with engine.connect() as conn:
            query = select(*columns).where(reports.c.organisation_code == organisation)
            stored.append(sorted(conn.execute(query).all()))
    assert stored[0] == stored[1]
    assert len(stored[0]) == 30


_PIECES = st.sampled_from(["", "0" * 64, "a" * 64, "f" * 63 + "g", "A" * 64, "é" * 32, "\x00" * 64])


@settings(deadline=None)  # the first call imports pandas (pa.array does)
@given(
    values=st.lists(_PIECES | st.text("0123456789abcdefABG \x00é", max_size=70), max_size=20),
    start=st.integers(0, 5),
)
def test_the_pseudonym_test_is_the_pattern(values: list[str], start: int) -> None:
    column = pa.array(values, pa.string()).slice(min(start, len(values)))
    expected = [re.fullmatch(r"(?:[0-9a-f]{64})?", v) is not None for v in column.to_pylist()]
    assert columnar._hex64_or_empty(column).tolist() == expected
