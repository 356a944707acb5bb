"""Capture-history input: the shared format, coded problems for bad input, persons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from victim_monitor.estimation import CaptureHistoryTable, parse_table, read_table
from victim_monitor.estimation.histories import table_from_persons
from victim_monitor.problems import Problem

Tables = type  # the ``tables`` fixture: ``tables.get(name)``, ``tables.data``

SIZES = {
    "uk6": [94, 567, 1102, 807, 336, 102],
    "uk5": [94, 567, 1169, 807, 336],
    "netherlands6": [398, 1348, 536, 4812, 742, 848],
    "netherlands5": [929, 1348, 4812, 742, 848],
    "neworleans8": [31, 6, 75, 39, 12, 7, 8, 22],
    "neworleans5": [31, 32, 75, 39, 22],
}


@pytest.mark.parametrize(("name", "sizes"), SIZES.items())
def test_shared_tables_read_with_the_documented_list_sizes(
    tables: Tables, name: str, sizes: list[int]
) -> None:
    found = tables.get(name)
    assert list(found.list_sizes().values()) == sizes
    assert found.warnings == ()


def test_totals_and_empty_pairs_match_the_dataset_readme(tables: Tables) -> None:
    assert tables.get("uk6").observed == 2744
    assert tables.get("netherlands6").observed == 8234
    assert tables.get("neworleans8").observed == 185
    assert tables.get("neworleans8_mse120").observed == 186
    assert tables.get("uk6").empty_pairs() == [("LA", "GP"), ("LA", "NCA")]
    assert len(tables.get("neworleans8").empty_pairs()) == 18


def problems_of(text: str) -> list[Problem]:
    found = parse_table(text, file="t.csv")
    assert isinstance(found, list), "expected problems"
    return found


@pytest.mark.parametrize(
    ("text", "code", "row", "field"),
    [
        ("A,B,count\n1,2,3\n", "VM505", 2, "B"),
        ("A,B,count\n1,x,3\n", "VM505", 2, "B"),
        ("A,B,count\n1,0,-3\n", "VM506", 2, "count"),
        ("A,B,count\n1,0,2.5\n", "VM506", 2, "count"),
        ("A,B,count\n1,0,\n", "VM506", 2, "count"),
        ("A,B,count\n0,0,4\n", "VM507", 2, None),
        ("A,B,count\n1,0,4\n0,1,2\n1,0,1\n", "VM508", 4, None),
        ("A,count\n1,4\n", "VM504", 1, None),
        ("A,B,count\n", "VM502", 2, None),
        ("", "VM502", None, None),
        ("A,B,n_persons\n1,0,4\n", "VM503", 1, None),
        ("A,B,count\n1,0\n", "VM509", 2, None),
        ("A,A,count\n1,0,1\n", "VM510", 1, None),
        ("A,B,count\n1,0,0\n", "VM512", None, None),
    ],
)
def test_bad_input_gives_a_coded_located_problem(
    text: str, code: str, row: int | None, field: str | None
) -> None:
    found = problems_of(text)
    assert [p.code for p in found] == [code]
    assert (found[0].file, found[0].row, found[0].field) == ("t.csv", row, field)


def test_every_bad_row_is_reported_not_only_the_first() -> None:
    found = problems_of("A,B,C,count\n1,2,0,1\n0,0,0,1\n1,1,1,-1\n1,1,0,3\n1,1,0,2\n")
    assert [(p.code, p.row) for p in found] == [
        ("VM505", 2),
        ("VM507", 3),
        ("VM506", 4),
        ("VM508", 6),
    ]


def test_whole_float_counts_and_spaces_are_accepted_and_empty_list_warned() -> None:
    found = parse_table(" A , B ,C, count\n1, 0 ,0, 4.0\n0,1,0,2\n", file="t.csv")
    assert isinstance(found, CaptureHistoryTable)
    assert found.lists == ("A", "B", "C")
    assert found.observed == 6
    assert [w.code for w in found.warnings] == ["VM511"]


def test_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    found = read_table(tmp_path / "nope.csv")
    assert isinstance(found, list)
    assert found[0].code == "VM501"


def test_local_reference_copies_match_the_shared_ones(tables: Tables) -> None:
    local = Path(__file__).resolve().parent / "reference"
    for path in sorted(local.glob("*.csv")):
        shared = tables.data / path.name
        assert shared.read_bytes() == path.read_bytes(), path.name


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda m: st.lists(st.integers(0, 40), min_size=(1 << m) - 1, max_size=(1 << m) - 1)
    )
)
def test_csv_round_trip(counts: list[int]) -> None:
    m = (len(counts) + 1).bit_length() - 1
    original = CaptureHistoryTable(tuple(f"L{i}" for i in range(m)), np.array(counts))
    if original.observed == 0:
        return
    again = parse_table(original.to_csv())
    assert isinstance(again, CaptureHistoryTable)
    assert again.lists == original.lists
    assert np.array_equal(again.counts, original.counts)


def test_persons_are_tallied_into_patterns() -> None:
    persons = pd.DataFrame(
        {"P": [1, 1, 0, 0, 1], "K": [0, 1, 1, 0, 0], "R": [True, False, False, True, True]}
    )
    found = table_from_persons(persons, ["P", "K", "R"])
    assert isinstance(found, CaptureHistoryTable)
    assert dict(found.rows()) == {(1, 0, 1): 2, (1, 1, 0): 1, (0, 1, 0): 1, (0, 0, 1): 1}


def test_persons_on_no_list_or_with_bad_values_are_problems() -> None:
    persons = pd.DataFrame({"P": [1, 0, 2], "K": [0, 0, 1]})
    found = table_from_persons(persons, ["P", "K"], source="register")
    assert isinstance(found, list)
    assert sorted((p.code, p.row) for p in found) == [("VM505", 3), ("VM507", 2)]
    missing = table_from_persons(persons, ["P", "X"])
    assert isinstance(missing, list)
    assert missing[0].code == "VM515"
