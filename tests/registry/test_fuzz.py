"""Fuzzed submissions: intake never crashes, answers only with coded problems, writes nothing
when it rejects, and counts consistently when it accepts (SQLite, for speed).

Also: the checks' fast path accepts exactly what the full check accepts, with the same values.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from tests.registry import factory
from victim_monitor.problems import CATALOGUE, Severity
from victim_monitor.registry.checks import COLUMNS, RowChecker, check_header
from victim_monitor.registry.intake import IntakeResult, Outcome, import_submission
from victim_monitor.registry.organisations import load_organisations, sync_organisations
from victim_monitor.storage import connect, upgrade
from victim_monitor.storage.schema import reports, submissions

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SUFFIXES = (".csv", ".json", ".jsonl", ".xlsx")
TODAY = dt.date(2026, 1, 1)

# Text that files really hold: any character but lone surrogates (not encodable as UTF-8).
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = connect(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'register.db'}")
    upgrade(engine)
    sync_organisations(engine, load_organisations())
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


_names = itertools.count()


def _counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(reports)) or 0
        current = conn.scalar(select(func.count()).where(reports.c.is_current.is_(True))) or 0
        subs = conn.scalar(select(func.count()).select_from(submissions)) or 0
    return int(total), int(current), int(subs)


def import_honestly(engine: Engine, path: Path) -> IntakeResult:
    """Import ``path`` and check what must hold whatever the file holds."""
    before = _counts(engine)
    result = import_submission(engine, path, "POL", today=TODAY)  # must not raise
    total, current, subs = _counts(engine)
    for problem in result.problems:
        kind = CATALOGUE.get(problem.code)
        assert kind is not None, f"uncatalogued problem {problem}"
        assert problem.severity is kind.severity
        assert problem.message
        assert problem.file == path.name
        assert problem.row is None or problem.row >= 1
    assert set(result.problem_counts) <= set(CATALOGUE)
    assert sum(result.problem_counts.values()) == result.errors + result.warnings
    assert subs == before[2] + 1  # every attempt is recorded, once
    if result.outcome is Outcome.ACCEPTED:
        assert result.errors == 0
        rows = result.rows_new + result.rows_changed + result.rows_unchanged
        assert rows == result.rows_total > 0
        assert total == before[0] + result.rows_new + result.rows_changed
        assert current == before[1] + result.rows_new
    else:
        assert result.outcome in (Outcome.REJECTED, Outcome.DUPLICATE)
        assert (result.errors > 0) is (result.outcome is Outcome.REJECTED)
        assert (total, current) == before[:2], "a rejected file wrote reports"
    return result


# --- writing files of any header and cells ----------------------------------------------------


def write_file(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    """``rows`` under ``header`` in the container the suffix names."""
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    elif path.suffix in (".json", ".jsonl"):
        objects = [dict(zip(header, row, strict=False)) for row in rows]
        if path.suffix == ".json":
            path.write_text(json.dumps(objects), "utf-8")
        else:
            path.write_text("".join(json.dumps(o) + "\n" for o in objects), "utf-8")
    else:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # Excel cannot hold control characters: such a file cannot exist.
        assume(not any(ILLEGAL_CHARACTERS_RE.search(c) for c in [*header, *itertools.chain(*rows)]))
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        book.save(path)
    return path


def _path(workdir: Path, suffix: str) -> Path:
    return workdir / f"f{next(_names)}{suffix}"


def _valid(n: int, start: int) -> list[list[str]]:
    return [[row[c] for c in COLUMNS] for row in factory.reports(n, start=start)]


# --- whole files --------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
@example(data=b"", suffix=".csv")
@example(data=b"[" * 100_000, suffix=".json")
@example(data=b"[" * 100_000 + b"\n", suffix=".jsonl")
@example(data=b'[{"a": ' + b"1" * 5000 + b"}]", suffix=".json")
@example(data=b'{"a": 1}\n{"a": ' + b"1" * 5000 + b"}\n", suffix=".jsonl")
@example(data=b'"' + b"x" * 200_000 + b"\n", suffix=".csv")
@example(data=b"PK\x03\x04" + bytes(100), suffix=".xlsx")
def test_arbitrary_bytes(register: Engine, workdir: Path, data: bytes, suffix: str) -> None:
    path = _path(workdir, suffix)
    path.write_bytes(data)
    result = import_honestly(register, path)
    assert result.outcome is Outcome.REJECTED


@FUZZ
@given(
    suffix=st.sampled_from(SUFFIXES),
    start=st.integers(0, 10**6),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    cut=st.none() | st.floats(0, 1),
)
def test_damaged_valid_files(
    register: Engine,
    workdir: Path,
    suffix: str,
    start: int,
    edits: list[tuple[float, int]],
    cut: float | None,
) -> None:
    """A valid file with bytes overwritten or cut off: deeper into each parser than noise."""
    path = write_file(_path(workdir, suffix), COLUMNS, _valid(3, start * 3))
    data = bytearray(path.read_bytes())
    for where, byte in edits:
        data[int(where * len(data))] = byte
    if cut is not None:
        del data[int(cut * len(data)) :]
    path.write_bytes(bytes(data))
    import_honestly(register, path)


@FUZZ
@given(
    suffix=st.sampled_from(SUFFIXES),
    start=st.integers(0, 10**6),
    cells=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(COLUMNS), texts), max_size=6),
)
def test_arbitrary_text_cells(
    register: Engine,
    workdir: Path,
    suffix: str,
    start: int,
    cells: list[tuple[int, str, str]],
) -> None:
    rows = _valid(3, start * 3)
    for row, column, value in cells:
        rows[row][COLUMNS.index(column)] = value
    path = write_file(_path(workdir, suffix), COLUMNS, rows)
    result = import_honestly(register, path)
    if not cells:
        assert result.ok


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), rows=st.lists(st.lists(texts, min_size=25, max_size=25)))
def test_random_unicode_in_every_field(
    register: Engine, workdir: Path, suffix: str, rows: list[list[str]]
) -> None:
    import_honestly(register, write_file(_path(workdir, suffix), COLUMNS, rows))


@st.composite
def headers(draw: st.DrawFn) -> list[str]:
    """The format's columns shuffled, respelled, and maybe some dropped, doubled or added."""
    names = list(draw(st.permutations(COLUMNS)))
    names = [
        draw(st.sampled_from([n, n.upper(), f" {n} ", n.title()])) if draw(st.booleans()) else n
        for n in names
    ]
    if draw(st.booleans()):
        names += draw(st.lists(texts.filter(lambda t: t.strip()), min_size=1, max_size=3))
    if draw(st.booleans()):
        del names[draw(st.integers(0, len(names) - 1))]
    if draw(st.booleans()):
        names.append(draw(st.sampled_from(COLUMNS)))
    return names


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), header=headers(), seed=st.integers(0, 2**32))
def test_any_header(
    register: Engine,
    workdir: Path,
    suffix: str,
    header: list[str],
    seed: int,
) -> None:
    names = header
    valid = sorted(n.strip().lower() for n in names) == sorted(COLUMNS)
    rows_by_name = factory.reports(3, start=random.Random(seed).randrange(10**7))
    lookup = {c.lower(): c for c in COLUMNS}
    rows = [[r.get(lookup.get(n.strip().lower(), ""), "x") for n in names] for r in rows_by_name]
    if suffix in (".json", ".jsonl") and len(set(names)) < len(names):
        return  # a JSON object cannot hold a key twice
    result = import_honestly(register, write_file(_path(workdir, suffix), names, rows))
    if valid:
        assert result.ok, result.summary()
        # The same reports whatever the columns' order and spelling.
        again = import_honestly(
            register, write_file(_path(workdir, ".csv"), COLUMNS, _rows(rows_by_name))
        )
        assert again.outcome is Outcome.DUPLICATE or again.rows_unchanged == 3
    else:
        assert result.outcome is Outcome.REJECTED
        assert {p.code for p in result.problems} <= {"VM102", "VM103", "VM104", "VM105"}
        assert all(p.row == 1 for p in result.problems)


def _rows(rows: list[dict[str, str]]) -> list[list[str]]:
    return [[r[c] for c in COLUMNS] for r in rows]


def test_numbers_too_long_for_int(register: Engine, workdir: Path) -> None:
    rows = _valid(2, 0)
    rows[0][COLUMNS.index("birth_year")] = "1" * 5000
    rows[1][COLUMNS.index("age_at_report")] = "-" + "2" * 5000
    result = import_honestly(register, write_file(_path(workdir, ".csv"), COLUMNS, rows))
    assert [p.code for p in result.problems] == ["VM210", "VM211"]


def test_a_problem_value_with_nul_is_recorded(engine: Engine, tmp_path: Path) -> None:
    """Odd characters end up in stored problems too (PostgreSQL's JSON refuses some)."""
    rows = _valid(2, 0)
    rows[0][COLUMNS.index("sex")] = "\x00\u2028\U0001f600"
    rows[1][COLUMNS.index("sector")] = "\ud7ff\ufffe"
    result = import_honestly(engine, write_file(tmp_path / "nul.csv", COLUMNS, rows))
    assert result.outcome is Outcome.REJECTED
    assert [p.code for p in result.problems] == ["VM207", "VM207"]


# --- the checks' fast path against the full check --------------------------------------------

_TRICKY = [
    "",
    " ",
    "1",
    "01",
    "F",
    "m",
    "k",
    "K",
    "\u212a",
    "YES",
    "No",
    "Unknown",
    "GRANTED",
    "NL",
    "nld",
    "XX",
    "1990",
    "１９９０",
    "٢٠١٨",
    "-5",
    "121",
    "2018-01-15",
    "２０１８-01-15",
    "2018-02-30",
    "0123456789ABCDEF",
    "sexual; LABOUR",
    "sexual;;",
    "Sex_Industry",
    "A" * 64,
    "a" * 64,
    "AAECAwQFBgc=",
    "AA==",
    "İ",
]


@st.composite
def near_valid_rows(draw: st.DrawFn) -> list[str]:
    """A valid row with some fields respelled, emptied or replaced by tricky or random text."""
    row = factory.report(draw(st.integers(0, 10**6)))
    for column in draw(st.lists(st.sampled_from(COLUMNS), max_size=4)):
        value = row[column]
        row[column] = draw(
            st.sampled_from([value.upper(), value.title(), f" {value}\t", ""])
            | st.sampled_from(_TRICKY)
            | texts
        )
    return [row[c] for c in COLUMNS]


@settings(max_examples=300, deadline=None)
@given(st.lists(near_valid_rows(), min_size=1, max_size=6))
def test_the_fast_path_agrees_with_the_full_check(rows: list[list[str]]) -> None:
    header = check_header(list(COLUMNS), "f.csv")
    fast = RowChecker(header, "f.csv", TODAY)
    full = RowChecker(header, "f.csv", TODAY)
    for number, values in enumerate(rows, start=2):
        expected = full._diagnose(number, [v.strip() for v in values])
        assert fast.check(number, values) == expected
        assert fast.key_id == full.key_id
        assert (expected[0] is None) is any(p.severity is Severity.ERROR for p in expected[1])


def test_the_fast_path_takes_plain_rows() -> None:
    """The fast path is not dead code: valid rows after the first do not need the full check."""
    header = check_header(list(COLUMNS), "f.csv")
    checker = RowChecker(header, "f.csv", TODAY)
    first, second = (factory.report(i) for i in range(2))
    checker.check(2, [first[c] for c in COLUMNS])
    assert checker._accept(3, [second[c] for c in COLUMNS]) is not None
