"""Controlled rounding, the policy's alternative to suppression."""

from __future__ import annotations

import dataclasses

import numpy as np

from tests.disclosure.conftest import grid
from victim_monitor.disclosure import Outcome, Policy, Release, TableSet, audit, protect


def test_every_cell_is_rounded_to_an_adjacent_multiple_and_totals_still_add_up(
    policy: Policy,
) -> None:
    rounding = dataclasses.replace(policy, method="round", rounding_base=5)
    tables = TableSet((grid("t", [[3, 14, 30], [20, 25, 2], [8, 40, 50]]),))
    release = protect(tables, rounding)
    table = release.table("t")
    for c in table.cells:
        assert c.outcome is Outcome.ROUNDED
        assert c.published is not None
        assert c.published % 5 == 0
        assert abs(c.published - c.value) < 5
        if c.value % 5 == 0:
            assert c.published == c.value
    published = {c.key: c.published for c in table.cells}
    for r in ("r0", "r1", "r2", "Total"):
        assert sum(published[(r, c)] or 0 for c in ("c0", "c1", "c2")) == published[(r, "Total")]
    assert audit(release, rounding).passed


def test_a_count_rounded_last_year_is_rounded_the_same_way_this_year(policy: Policy) -> None:
    rounding = dataclasses.replace(policy, method="round", rounding_base=5)
    rows = [[3, 14, 30], [20, 25, 2], [8, 40, 50]]
    last = Release.from_json(protect(TableSet((grid("t", rows),)), rounding).to_json())
    other = grid("u", [[7, 8], [9, 11]], fixed={"year": "2018"}, measure="other")
    now = TableSet((grid("t", rows), other))
    release = protect(now, rounding, previous=last)
    assert [c.published for c in release.table("t").cells] == [
        c.published for c in last.table("t").cells
    ]
    assert audit(release, rounding, previous=last).passed


def test_rounding_and_its_audit_agree_on_a_narrowed_cell(policy: Policy) -> None:
    # the audit gives every rounded cell an interval; a small cell must stay as wide as base-1
    rounding = dataclasses.replace(policy, method="round", rounding_base=5)
    release = protect(TableSet((grid("t", [[3, 14], [20, 25]]),)), rounding)
    report = audit(release, rounding)
    cell = report.cell("t", "r0", "c0")
    assert cell.high - cell.low >= 4
    assert np.isfinite(cell.high)
