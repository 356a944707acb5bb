"""Secondary suppression: worked examples with known answers, and the optimisation's parts.

The two-way examples are the textbook ones (Willenborg and de Waal 2001, ch. 6; Hundepool et
al. 2012, sec. 4.2): in a table with margins a single hidden cell is recomputed from its row
or column total, so at least three more cells must be hidden, the corners of a rectangle; which
rectangle is cheapest, and whether its cells can move far enough for the protection interval,
is checked by hand in each test.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from tests.disclosure.conftest import grid
from victim_monitor.disclosure import (
    TOTAL,
    Outcome,
    Policy,
    Release,
    Table,
    TableSet,
    audit,
    protect,
)
from victim_monitor.disclosure import attacker as att
from victim_monitor.disclosure import secondary as sec
from victim_monitor.disclosure.consistency import knowledge
from victim_monitor.disclosure.primary import primary
from victim_monitor.disclosure.protect import _costs


def hidden(release: Release, table: str = "t") -> dict[tuple[str, ...], Outcome]:
    return {c.key: c.outcome for c in release.table(table).cells if c.outcome.hidden}


#      c0  c1  c2 | Total
# r0   50   3  60 |  113     3 is unsafe
# r1   12  11  90 |  113
# r2   70  80  95 |  245
CLASSIC = [[50, 3, 60], [12, 11, 90], [70, 80, 95]]


def test_one_unsafe_cell_forces_three_more_the_cheapest_rectangle(policy: Policy) -> None:
    # costs are the counts: {r0c0, r1c0, r1c1} costs 50 + 12 + 11 = 73, every other
    # rectangle through r0c1 costs more, and 3 can rise by 3 (50 and 11 can fall by 3) and
    # fall by 1.5 (12 can fall by 1.5)
    by_value = dataclasses.replace(policy, cost="value")
    release = protect(TableSet((grid("t", CLASSIC),)), by_value)
    assert hidden(release) == {
        ("r0", "c1"): Outcome.PRIMARY,
        ("r0", "c0"): Outcome.SECONDARY,
        ("r1", "c0"): Outcome.SECONDARY,
        ("r1", "c1"): Outcome.SECONDARY,
    }
    assert release.stats["optimal"] is True
    assert audit(release, by_value).passed


def test_the_protection_interval_rules_out_partners_that_cannot_move_far_enough(
    policy: Policy,
) -> None:
    # the unsafe 3 must be consistent with 18: 11 cannot fall by 15, so the rectangle goes
    # through 80 instead: {r0c0, r2c0, r2c1}, cost 200 (through r0c2: 235)
    wide = dataclasses.replace(policy, cost="value", upper_share=0.0, upper_absolute=15.0)
    release = protect(TableSet((grid("t", CLASSIC),)), wide)
    assert set(hidden(release)) == {("r0", "c1"), ("r0", "c0"), ("r2", "c0"), ("r2", "c1")}
    report = audit(release, wide)
    assert report.passed
    cell = report.cell("t", "r0", "c1")
    assert (cell.low, cell.high, cell.required) == (0.0, 53.0, (1.5, 18.0))


def test_in_a_one_way_table_one_more_cell_is_enough(policy: Policy) -> None:
    table = Table("t", ("form",), {("a",): 3, ("b",): 40, ("c",): 50})
    release = protect(TableSet((table,)), dataclasses.replace(policy, cost="value"))
    assert hidden(release) == {("a",): Outcome.PRIMARY, ("b",): Outcome.SECONDARY}


def test_two_unsafe_cells_in_a_row_protect_each_other_in_that_row(policy: Policy) -> None:
    table = grid("t", [[5, 6, 50], [30, 40, 60]])
    release = protect(TableSet((table,)), dataclasses.replace(policy, cost="value"))
    assert hidden(release) == {
        ("r0", "c0"): Outcome.PRIMARY,
        ("r0", "c1"): Outcome.PRIMARY,
        ("r1", "c0"): Outcome.SECONDARY,
        ("r1", "c1"): Outcome.SECONDARY,
    }


def test_an_unsafe_total_is_protected_like_any_cell(policy: Policy) -> None:
    # the year 2018 counts 6 persons: its total is unsafe, in both tables that show it
    by_form = Table(
        "by_form",
        ("year", "form"),
        {("2017", "a"): 30, ("2017", "b"): 40, ("2018", "a"): 2, ("2018", "b"): 4},
    )
    by_year = Table("by_year", ("year",), {("2017",): 70, ("2018",): 6})
    release = protect(TableSet((by_form, by_year)), policy)
    assert release.table("by_year").cell("2018").outcome is Outcome.PRIMARY
    assert release.table("by_form").cell("2018", TOTAL).outcome is Outcome.PRIMARY
    shared = release.table("by_year").cell(TOTAL).outcome
    assert release.table("by_form").cell(TOTAL, TOTAL).outcome is shared
    assert audit(release, policy).passed


def test_a_victim_under_every_reporter_is_protected_with_the_overlaps(policy: Policy) -> None:
    counts = {("police",): 40, ("care",): 35, ("kmar",): 4, (TOTAL,): 70}
    table = Table("t", ("reporter",), counts, overlapping=("reporter",))
    release = protect(TableSet((table,)), policy)
    assert release.table("t").cell("kmar").outcome is Outcome.PRIMARY
    assert audit(release, policy).passed


def test_an_unsafe_cell_that_cannot_be_protected_is_reported(policy: Policy) -> None:
    # hide the 3 of a table whose only other cell was published last year with the same count
    table = Table("t", ("x",), {("a",): 3, ("b",): 40})
    last_year = protect(TableSet((table,)), dataclasses.replace(policy, threshold=3))
    assert last_year.table("t").cell("b").outcome is Outcome.SHOWN
    release = protect(TableSet((table,)), policy, previous=last_year)
    assert [p.code for p in release.problems] == ["VM720"]
    assert release.table("t").cell("a").outcome is Outcome.PRIMARY
    assert not audit(release, policy, previous=last_year).passed


@pytest.mark.parametrize(
    "rows",
    [
        [[3, 14], [20, 25]],
        [[1, 12, 30], [15, 16, 40]],
        [[4, 0, 18], [11, 2, 25]],
        [[9, 9], [9, 30]],
    ],
)
def test_the_pattern_is_as_cheap_as_an_exhaustive_search_finds(
    policy: Policy, rows: list[list[int]]
) -> None:
    tables = TableSet((grid("t", rows),))
    release = protect(tables, policy)
    assert audit(release, policy).passed
    cost = _costs(tables, policy, np.zeros(len(tables.values), dtype=bool))
    ours = sum(cost[i] for i, c in enumerate(_outcomes(release, tables)) if c.hidden)
    assert ours <= _cheapest(release, tables, policy, cost) * (1 + sec.GAP) + 1e-9


def _outcomes(release: Release, tables: TableSet) -> list[Outcome]:
    table = release.tables[0]
    by_cell = {tables.index[tables.tables[0].identity(c.key)]: c.outcome for c in table.cells}
    return [by_cell[i] for i in range(len(tables.values))]


def _cheapest(release: Release, tables: TableSet, policy: Policy, cost: np.ndarray) -> float:
    """The cheapest safe pattern by brute force, judged by the independent audit."""
    unsafe = [policy.is_unsafe(int(v)) for v in tables.values]
    free = [i for i in range(len(unsafe)) if not unsafe[i]]
    table = release.tables[0]
    index = {c.key: tables.index[tables.tables[0].identity(c.key)] for c in table.cells}
    fixed = sum(cost[i] for i, u in enumerate(unsafe) if u)
    options = [
        (fixed + sum(cost[i] for i in subset), subset)
        for r in range(len(free) + 1)
        for subset in itertools.combinations(free, r)
    ]
    for total, subset in sorted(options, key=lambda o: o[0]):
        hide = set(subset) | {i for i, u in enumerate(unsafe) if u}
        cells = tuple(
            dataclasses.replace(
                c,
                outcome=(
                    (Outcome.PRIMARY if unsafe[index[c.key]] else Outcome.SECONDARY)
                    if index[c.key] in hide
                    else Outcome.SHOWN
                ),
                published=None if index[c.key] in hide else c.value,
            )
            for c in table.cells
        )
        trial = dataclasses.replace(release, tables=(dataclasses.replace(table, cells=cells),))
        if audit(trial, policy).passed:
            return float(total)
    raise AssertionError("hiding everything is always safe")  # pragma: no cover


def test_a_benders_cut_is_tight_where_it_was_found_and_valid_when_all_is_hidden(
    policy: Policy,
) -> None:
    tables = TableSet((grid("t", [[3, 14, 30], [20, 25, 2], [8, 40, 50]]),))
    know = knowledge(tables)
    prim = primary(tables.values, policy)
    cells = sec._blocks(know)[0]
    block = sec._block(know, prim, _costs(tables, policy, know.previously_hidden), cells)
    needs = sec._needs(know, prim, cells)
    x = block.lb.copy()  # only the unsafe cells hidden: every need falls short
    unmet = att.short(block, needs, list(range(len(needs))), x, add=True)
    assert unmet
    assert len(block.cut_rhs) == len(unmet)
    everything = block.ub.copy()
    for cols, coefs, rhs in zip(block.cut_cols, block.cut_coefs, block.cut_rhs, strict=True):
        assert coefs @ x[cols] < rhs - 1e-9  # cuts off the pattern that produced it
        assert coefs @ everything[cols] >= rhs - 1e-9  # hiding everything is safe
    assert att.short(block, needs, list(range(len(needs))), everything, add=False) == []


def test_a_witness_makes_its_need_met(policy: Policy) -> None:
    tables = TableSet((grid("t", CLASSIC),))
    know = knowledge(tables)
    prim = primary(tables.values, policy)
    cells = sec._blocks(know)[0]
    block = sec._block(know, prim, _costs(tables, policy, know.previously_hidden), cells)
    needs = sec._needs(know, prim, cells)
    for k, need in enumerate(needs):
        x = block.lb.copy()
        z = att.witness(block, need, x)
        assert z is not None
        assert z[need.cell] == need.direction * need.amount
        x[z != 0] = 1.0
        assert att.short(block, needs, [k], x, add=False) == []
