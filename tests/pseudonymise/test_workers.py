"""Encoding in worker processes gives what encoding in one process gives, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pseudonymise.conftest import WriteRaw
from tests.pseudonymise.people import PEOPLE, TODAY, person
from victim_monitor.pseudonymise import RAW_COLUMNS, EncodeResult, Key, encode_file, encoder
from victim_monitor.pseudonymise.rows import BLOCK

ROWS = 3 * BLOCK + 100  # four blocks: the first in this process, three in the workers


def _valid(n: int) -> list[dict[str, str]]:
    """Distinct invented people, each with its own case reference."""
    return [
        {
            **PEOPLE[i % len(PEOPLE)],
            "case_reference": f"W-{i:05d}",
            "first_name": f"Anna{i}",
            "last_name": f"Berg{i // 7}",
        }
        for i in range(n)
    ]


def _both(raw: Path, key: Key, tmp_path: Path, suffix: str) -> tuple[EncodeResult, ...]:
    one = encode_file(raw, key, tmp_path / f"one{suffix}", today=TODAY, workers=1)
    two = encode_file(raw, key, tmp_path / f"two{suffix}", today=TODAY, workers=2)
    return one, two


def _same(one: EncodeResult, two: EncodeResult) -> None:
    assert (one.rows_read, one.rows_written, one.errors, one.warnings) == (
        two.rows_read,
        two.rows_written,
        two.errors,
        two.warnings,
    )
    assert one.problems == two.problems
    assert one.counts == two.counts


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json"])
def test_a_valid_file_of_many_blocks_is_the_same_bytes(
    write_raw: WriteRaw, key: Key, tmp_path: Path, suffix: str
) -> None:
    rows = _valid(ROWS)
    rows[BLOCK + 3] = {**rows[BLOCK + 3], "nationality": "Atlantis"}  # a warning, in a worker
    raw = write_raw(rows)
    one, two = _both(raw, key, tmp_path, suffix)
    assert one.ok
    assert two.ok
    _same(one, two)
    assert two.rows_written == ROWS
    assert two.warnings == 1
    assert one.out is not None
    assert two.out is not None
    assert one.out.read_bytes() == two.out.read_bytes()


def test_problems_in_every_block_come_back_in_row_order(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    rows = _valid(ROWS)
    rows[5] = person(case_reference="W-00700")  # used again by a row in a worker's block
    rows[2 * BLOCK + 1] = {**rows[2 * BLOCK + 1], "birth_date": "31-02-1990"}
    rows[2 * BLOCK + 2] = {**rows[2 * BLOCK + 2], "case_reference": "W-00700"}
    rows[3 * BLOCK + 50] = {**rows[3 * BLOCK + 50], "sex": "Q"}
    raw = write_raw(rows)
    one, two = _both(raw, key, tmp_path, ".csv")
    assert not one.ok
    assert not two.ok
    _same(one, two)
    first_row = 2  # under the header
    assert [(p.code, p.row - first_row) for p in two.problems if p.row is not None] == [
        ("VM411", 700),
        ("VM404", 2 * BLOCK + 1),
        ("VM411", 2 * BLOCK + 2),
        ("VM406", 3 * BLOCK + 50),
    ]
    assert not list(tmp_path.glob("two.csv*"))  # nothing written, not even a part


def test_problems_of_reading_keep_their_place_among_the_blocks(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    rows = _valid(3 * BLOCK)
    rows[2 * BLOCK + 5] = {**rows[2 * BLOCK + 5], "report_date": "2021-02-30"}
    raw = write_raw(rows[: 2 * BLOCK + 10])
    with raw.open("a", encoding="utf-8", newline="") as handle:
        long_row = [rows[2 * BLOCK + 10][column] for column in RAW_COLUMNS]
        handle.write(",".join([*long_row, "extra"]) + "\r\n")  # a row of a worker's block
        for row in rows[2 * BLOCK + 11 :]:
            handle.write(",".join(row[column] for column in RAW_COLUMNS) + "\r\n")
    with raw.open("ab") as handle:
        handle.write(b"W-99999,\xff\xfe,Berg\r\n")  # not UTF-8: the rest is unreadable
    one, two = _both(raw, key, tmp_path, ".csv")
    _same(one, two)
    assert [p.code for p in two.problems] == ["VM405", "VM413", "VM401"]
    assert two.rows_read == 3 * BLOCK


def test_where_processes_cannot_be_forked_it_all_runs_here(
    write_raw: WriteRaw, key: Key, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("no worker process where fork is unavailable")

    monkeypatch.setattr(encoder, "can_fork", lambda: False)
    monkeypatch.setattr(encoder, "forked_pool", no_pool)
    raw = write_raw(_valid(ROWS))
    result = encode_file(raw, key, tmp_path / "here.csv", today=TODAY, workers=2)
    assert result.ok
    assert result.rows_written == ROWS
