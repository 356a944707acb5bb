"""Intake on SQLite and PostgreSQL: all or nothing, nothing counted twice, history kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from tests.registry import factory
from victim_monitor.registry import columnar, intake
from victim_monitor.registry.intake import Outcome, import_submission
from victim_monitor.registry.status import register_status
from victim_monitor.storage.schema import reports, submissions


def _count(engine: Engine, *where: object) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(reports).where(*where)) or 0)  # type: ignore[arg-type]


def _changed(row: dict[str, str]) -> dict[str, str]:
    """The report with another answer to police_report: the same case, changed."""
    return row | {"police_report": "yes" if row["police_report"] != "yes" else "no"}


def test_accepts_a_valid_file(engine: Engine, tmp_path: Path) -> None:
    path = factory.write_csv(tmp_path / "pol.csv", factory.reports(50))
    result = import_submission(engine, path, "pol")
    assert result.outcome is Outcome.ACCEPTED
    assert (result.rows_total, result.rows_new) == (50, 50)
    assert result.organisation == "POL"
    assert _count(engine) == 50
    status = register_status(engine)
    assert status.reports_by_year == {2018: {"POL": 50}}
    assert [s.outcome for s in status.submissions] == ["accepted"]


def test_the_same_file_twice_is_not_counted_twice(engine: Engine, tmp_path: Path) -> None:
    path = factory.write_csv(tmp_path / "pol.csv", factory.reports(20))
    import_submission(engine, path, "POL")
    again = import_submission(engine, path, "POL")
    assert again.outcome is Outcome.DUPLICATE
    assert [p.code for p in again.problems] == ["VM302"]
    assert _count(engine) == 20
    assert [s.outcome for s in register_status(engine).submissions] == ["accepted", "duplicate"]


def test_resent_reports_are_unchanged_or_superseded(engine: Engine, tmp_path: Path) -> None:
    import_submission(engine, factory.write_csv(tmp_path / "a.csv", factory.reports(10)), "POL")
    rows = factory.reports(12)
    rows[3] = _changed(rows[3])
    result = import_submission(engine, factory.write_csv(tmp_path / "b.csv", rows), "POL")
    assert (result.rows_new, result.rows_changed, result.rows_unchanged) == (2, 1, 9)
    assert _count(engine, reports.c.is_current.is_(True)) == 12
    with engine.connect() as conn:
        history = conn.execute(
            select(reports.c.version, reports.c.is_current, reports.c.superseded_by_submission_id)
            .where(reports.c.case_reference == rows[3]["case_reference"])
            .order_by(reports.c.version)
        ).all()
    assert [(v, c) for v, c, _ in history] == [(1, False), (2, True)]
    assert history[0][2] == result.submission_id
    # The same case reference from another organisation is another report.
    other = import_submission(engine, factory.write_csv(tmp_path / "c.csv", rows[:2]), "KMAR")
    assert other.rows_new == 2


def test_a_file_with_any_error_writes_no_report(engine: Engine, tmp_path: Path) -> None:
    rows = factory.reports(100)
    rows[10]["sex"] = "?"
    rows[70]["report_date"] = "yesterday"
    rows[80]["case_reference"] = rows[81]["case_reference"]
    result = import_submission(engine, factory.write_csv(tmp_path / "bad.csv", rows), "POL")
    assert result.outcome is Outcome.REJECTED
    assert not result.ok
    assert sorted((p.code, p.row) for p in result.problems) == [
        ("VM203", 72),
        ("VM207", 12),
        ("VM214", 83),
    ]
    assert _count(engine) == 0
    recorded = register_status(engine).submissions
    assert [(s.outcome, s.errors) for s in recorded] == [("rejected", 3)]


def test_all_problems_are_counted_but_only_some_kept(engine: Engine, tmp_path: Path) -> None:
    rows = factory.reports(1500)
    for row in rows:
        row["sex"] = "?"
    result = import_submission(engine, factory.write_csv(tmp_path / "bad.csv", rows), "POL")
    assert result.errors == 1500
    assert result.problem_counts == {"VM207": 1500}
    assert len(result.problems) == 1000
    # The summary groups the kept 1,000 and says that 500 more were counted but not kept.
    assert "1000 times)" in result.summary()
    assert "and 500 more problems (VM207 x1500)" in result.summary()


def test_dry_run_writes_nothing_and_counts_what_would_change(
    engine: Engine, tmp_path: Path
) -> None:
    path = factory.write_csv(tmp_path / "pol.csv", factory.reports(5))
    result = import_submission(engine, path, "POL", dry_run=True)
    assert result.outcome is Outcome.VALID
    assert (result.rows_new, result.rows_changed, result.rows_unchanged) == (5, 0, 0)
    assert result.submission_id is None
    assert _count(engine) == 0
    assert register_status(engine).submissions == ()
    import_submission(engine, path, "POL")
    rows = factory.reports(5)
    rows[0]["sex"] = "M" if rows[0]["sex"] != "M" else "F"
    again = factory.write_csv(tmp_path / "pol2.csv", [*rows, factory.report(9)])
    would = import_submission(engine, again, "POL", dry_run=True)  # issue 15: "new 0"
    assert (would.rows_new, would.rows_changed, would.rows_unchanged) == (1, 1, 4)
    assert _count(engine) == 5


def test_unknown_organisation(engine: Engine, tmp_path: Path) -> None:
    path = factory.write_csv(tmp_path / "x.csv", factory.reports(1))
    result = import_submission(engine, path, "NOPE")
    assert result.outcome is Outcome.REJECTED
    assert [p.code for p in result.problems] == ["VM301"]


def test_a_different_key_is_refused_unless_allowed(engine: Engine, tmp_path: Path) -> None:
    import_submission(engine, factory.write_csv(tmp_path / "a.csv", factory.reports(2)), "POL")
    rows = [factory.report(i, key_id="fedcba9876543210") for i in range(5, 7)]
    other = factory.write_csv(tmp_path / "b.csv", rows)
    result = import_submission(engine, other, "KMAR")  # issue 15: accepted with a warning
    assert result.outcome is Outcome.REJECTED
    assert [p.code for p in result.problems] == ["VM303"]
    assert "--allow-key fedcba9876543210" in result.problems[0].message
    wrong = import_submission(engine, other, "KMAR", allow_key="0123456789abcdef")
    assert wrong.outcome is Outcome.REJECTED
    allowed = import_submission(engine, other, "KMAR", allow_key="fedcba9876543210")
    assert allowed.outcome is Outcome.ACCEPTED
    assert [p.code for p in allowed.problems] == ["VM304"]


@pytest.mark.parametrize(
    ("name", "writer"),
    [
        ("a.csv", lambda p, r: factory.write_csv(p, r)),
        ("a.csv", lambda p, r: factory.write_csv(p, r, delimiter=";", bom=True)),
        ("a.xlsx", factory.write_xlsx),
        ("a.json", factory.write_json),
        ("a.jsonl", factory.write_jsonl),
    ],
    ids=["csv", "dutch-excel-csv", "xlsx", "json", "jsonl"],
)
def test_every_container_gives_the_same_reports(
    engine: Engine, tmp_path: Path, name: str, writer: object
) -> None:
    rows = factory.reports(30)
    path = writer(tmp_path / name, rows)  # type: ignore[operator]
    result = import_submission(engine, path, "ZC")
    assert result.outcome is Outcome.ACCEPTED, result.summary()
    assert result.rows_new == 30
    with engine.connect() as conn:
        stored = conn.execute(select(reports.c.case_reference, reports.c.content_sha256)).all()
    # The same content whatever the container: re-sending in another one changes nothing.
    other = (
        factory.write_csv(tmp_path / "again.csv", rows)
        if name.endswith(".jsonl")
        else factory.write_jsonl(tmp_path / "again.jsonl", rows)
    )
    again = import_submission(engine, other, "ZC")
    assert (again.rows_unchanged, again.rows_new, again.rows_changed) == (30, 0, 0)
    assert len(stored) == 30


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "empty.csv", "VM106"),
        (b"format_version\n", "short.csv", "VM104"),
        (b"\xff\xfe\x00garbage", "bin.csv", "VM101"),
        (b"not a zip", "book.xlsx", "VM101"),
        (b'{"a": 1}', "obj.json", "VM101"),
        (b"[1, 2", "broken.json", "VM101"),
        (b"hello", "notes.txt", "VM107"),
    ],
)
def test_unreadable_files_get_coded_problems(
    engine: Engine, tmp_path: Path, content: bytes, name: str, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = import_submission(engine, path, "POL")
    assert result.outcome is Outcome.REJECTED
    assert code in {p.code for p in result.problems}
    assert _count(engine) == 0


def test_header_only_file_is_empty(engine: Engine, tmp_path: Path) -> None:
    path = factory.write_csv(tmp_path / "h.csv", [])
    result = import_submission(engine, path, "POL")
    assert [p.code for p in result.problems] == ["VM106"]


def test_wrong_field_count_is_located(engine: Engine, tmp_path: Path) -> None:
    path = factory.write_csv(tmp_path / "a.csv", factory.reports(3))
    with path.open("a", encoding="utf-8") as handle:
        handle.write("1,2,3\n")
    result = import_submission(engine, path, "POL")
    assert [(p.code, p.row) for p in result.problems] == [("VM201", 5)]


def test_submission_record_keeps_counts(engine: Engine, tmp_path: Path) -> None:
    path = factory.write_csv(tmp_path / "a.csv", factory.reports(7))
    result = import_submission(engine, path, "POL")
    with engine.connect() as conn:
        row = conn.execute(
            select(submissions).where(submissions.c.id == result.submission_id)
        ).one()
    assert (row.rows_total, row.rows_new, row.outcome, row.content_sha256) == (
        7,
        7,
        "accepted",
        result.content_sha256,
    )


@pytest.mark.parametrize(
    ("first", "again", "block"),
    [
        ("new", "new", 1 << 20),  # one block: both rows would be written as current
        ("new", "new", 4096),  # a later block finds the report this file wrote
        ("unchanged", "changed", 4096),  # the first one writes nothing, the second one would
        ("changed", "unchanged", 4096),
    ],
)
def test_a_repeated_case_is_found_however_its_rows_compare_with_the_register(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    first: str,
    again: str,
    block: int,
) -> None:
    """A case reference that comes twice is one error (VM214) whether its rows are new,
    unchanged or changed against the register and wherever they fall in the file's blocks:
    never a half-merged register or a misread duplicate."""
    monkeypatch.setattr(columnar, "BLOCK_BYTES", block)
    registered = factory.reports(3, start=100)
    import_submission(engine, factory.write_csv(tmp_path / "a.csv", registered), "POL")
    rows = factory.reports(40)
    kinds = {
        "new": factory.report(500),
        "unchanged": registered[1],
        "changed": _changed(registered[1]),
    }
    rows[2], rows[35] = kinds[first], kinds[again]
    if first == again == "new":
        rows[35] = _changed(rows[2])
    result = import_submission(engine, factory.write_csv(tmp_path / "b.csv", rows), "POL")
    assert result.outcome is Outcome.REJECTED
    assert [(p.code, p.row) for p in result.problems] == [("VM214", 37)]
    assert _count(engine) == 3
    assert _count(engine, reports.c.is_current.is_(True)) == 3


def test_a_file_read_again_row_by_row_writes_each_report_once(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file the column-wise path gives up on after staging some blocks (NotPlainError) is
    read again by the row path: what the first reading staged is undone."""
    import_submission(engine, factory.write_csv(tmp_path / "a.csv", factory.reports(5)), "POL")
    rows = factory.reports(60)
    rows[0] = _changed(rows[0])
    blocks = columnar.checked_blocks

    def give_up_after_one(*args: object, **kwargs: object) -> Iterator[object]:
        read = blocks(*args, **kwargs)  # type: ignore[arg-type]
        yield next(read)
        raise columnar.NotPlainError("as if a later block held something Arrow reads otherwise")

    monkeypatch.setattr(columnar, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(intake, "checked_blocks", give_up_after_one)
    result = import_submission(engine, factory.write_csv(tmp_path / "b.csv", rows), "POL")
    assert result.outcome is Outcome.ACCEPTED
    assert (result.rows_new, result.rows_changed, result.rows_unchanged) == (55, 1, 4)
    assert _count(engine) == 61
    assert _count(engine, reports.c.is_current.is_(True)) == 60
