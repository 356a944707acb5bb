"""The audit: independent of the suppression code, exact intervals, and every way to fail."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import itertools
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.disclosure.conftest import grid
from victim_monitor.disclosure import Outcome, Policy, Release, TableSet, audit, protect

SUPPRESSION = {"tables", "primary", "secondary", "attacker", "consistency", "rounding", "protect"}


def test_the_audit_imports_nothing_from_the_suppression_code() -> None:
    module = importlib.import_module("victim_monitor.disclosure.audit")
    tree = ast.parse(Path(str(module.__file__)).read_text("utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
    ours = {m.rsplit(".", 1)[-1] for m in imported if m.startswith("victim_monitor.disclosure")}
    assert ours == {"codes", "policy", "result"}
    assert not ours & SUPPRESSION


def reveal(release: Release, *keys: tuple[str, ...], table: str = "t") -> Release:
    """The release with these cells of one table shown (or hidden again, when shown)."""
    cells = []
    for c in release.table(table).cells:
        if c.key in keys:
            hide = not c.outcome.hidden
            outcome = Outcome.SECONDARY if hide else Outcome.SHOWN
            c = dataclasses.replace(c, outcome=outcome, published=None if hide else c.value)
        cells.append(c)
    tables = tuple(
        dataclasses.replace(t, cells=tuple(cells)) if t.name == table else t for t in release.tables
    )
    return dataclasses.replace(release, tables=tables)


CLASSIC = [[50, 3, 60], [12, 11, 90], [70, 80, 95]]


def test_hiding_only_the_unsafe_cell_fails_it_is_recomputed(policy: Policy) -> None:
    release = protect(TableSet((grid("t", CLASSIC),)), policy)
    secondary = [c.key for c in release.table("t").cells if c.outcome is Outcome.SECONDARY]
    bare = reveal(release, *secondary)
    report = audit(bare, policy)
    assert not report.passed
    assert [(f.key, f.problem.code) for f in report.failures] == [(("r0", "c1"), "VM730")]
    cell = report.cell("t", "r0", "c1")
    assert cell.low == cell.high == 3
    assert "FAILED" in report.summary()


def test_a_shown_unsafe_cell_and_a_wrong_published_value_fail(policy: Policy) -> None:
    release = protect(TableSet((grid("t", CLASSIC),)), policy)
    shown = reveal(release, ("r0", "c1"))
    assert "VM731" in {f.problem.code for f in audit(shown, policy).failures}
    table = release.table("t")
    wrong = [
        dataclasses.replace(c, published=c.value + 1) if c.key == ("r2", "c2") else c
        for c in table.cells
    ]
    tampered = dataclasses.replace(
        release, tables=(dataclasses.replace(table, cells=tuple(wrong)),)
    )
    codes = {f.problem.code for f in audit(tampered, policy).failures}
    assert "VM732" in codes


def test_a_release_passes_under_its_policy_and_fails_under_a_stricter_one(policy: Policy) -> None:
    release = protect(TableSet((grid("t", CLASSIC),)), policy)
    report = audit(release, policy)
    assert report.passed
    assert "PASSED" in report.summary()
    strict = dataclasses.replace(policy, upper_absolute=500.0)
    assert not audit(release, strict).passed


@settings(max_examples=25, deadline=None)
@given(
    rows=st.lists(st.lists(st.integers(0, 3), min_size=2, max_size=2), min_size=2, max_size=2),
    hide=st.sets(st.integers(0, 8)),
)
def test_intervals_are_exact_for_two_way_tables(rows: list[list[int]], hide: set[int]) -> None:
    """Against enumeration of every table of whole numbers that agrees with what is shown.

    Two-way tables are totally unimodular, so the LP interval is the integer one. The
    enumeration stops at ``reach``; a cell the audit finds unbounded must get there.
    """
    release = protect(TableSet((grid("t", rows),)), Policy())
    table = release.table("t")
    keys = [c.key for c in table.cells]
    chosen = [keys[i] for i in sorted(hide)]
    cells = tuple(
        dataclasses.replace(
            c,
            outcome=Outcome.SECONDARY if c.key in chosen else Outcome.SHOWN,
            published=None if c.key in chosen else c.value,
        )
        for c in table.cells
    )
    trial = dataclasses.replace(release, tables=(dataclasses.replace(table, cells=cells),))
    report = audit(trial, Policy(threshold=1))
    reach = sum(map(sum, rows)) + 3
    grid_values = np.array(list(itertools.product(range(reach + 1), repeat=4)))
    a, b, c, d = grid_values.T
    every = {  # each cell of the table, for every candidate interior
        ("r0", "c0"): a, ("r0", "c1"): b, ("r1", "c0"): c, ("r1", "c1"): d,
        ("r0", "Total"): a + b, ("r1", "Total"): c + d,
        ("Total", "c0"): a + c, ("Total", "c1"): b + d, ("Total", "Total"): a + b + c + d,
    }  # fmt: skip
    agree = np.ones(len(a), dtype=bool)
    for cell in cells:
        if not cell.outcome.hidden:
            agree &= every[cell.key] == cell.value
    for key in chosen:
        possible = every[key][agree]
        found = report.cell("t", *key)
        assert found.low == possible.min()
        assert found.high == possible.max() or (found.high == np.inf and possible.max() >= reach)
