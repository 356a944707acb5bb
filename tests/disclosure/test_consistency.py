"""Across releases: a cell hidden this year cannot be derived by combining it with last year's."""

from __future__ import annotations

import dataclasses

from tests.disclosure.conftest import grid
from victim_monitor.disclosure import Outcome, Policy, Release, TableSet, audit, protect
from victim_monitor.disclosure.consistency import knowledge

#      c0  c1  c2            last year (upper protection 15) hid the rectangle through 80;
# r0   50   3  60            this year's policy (3) alone would hide the cheaper one through 11,
# r1   12  11  90            and together they give 3 = 94 - 11 (this year) - 80 (last year)
# r2   70  80  95
Y2017 = [[50, 3, 60], [12, 11, 90], [70, 80, 95]]
Y2018 = [[40, 30, 20], [25, 35, 45], [15, 55, 65]]


def releases(policy: Policy) -> tuple[Release, TableSet, Policy]:
    strict = dataclasses.replace(policy, cost="value", upper_share=0.0, upper_absolute=15.0)
    last = protect(TableSet((grid("2017", Y2017, fixed={"year": "2017"}),)), strict, label="2017")
    last = Release.from_json(last.to_json())  # as next year reads it
    now = TableSet(
        (grid("2017", Y2017, fixed={"year": "2017"}), grid("2018", Y2018, fixed={"year": "2018"}))
    )
    return last, now, dataclasses.replace(policy, cost="value")


def test_protecting_without_last_years_release_can_be_undone_by_subtraction(
    policy: Policy,
) -> None:
    last, now, this_year = releases(policy)
    naive = protect(now, this_year, label="2017-2018")
    assert audit(naive, this_year).passed  # safe on its own
    report = audit(naive, this_year, previous=last)  # but not with last year's release
    assert not report.passed
    assert {(f.table, f.key) for f in report.failures} == {("2017", ("r0", "c1"))}
    assert report.cell("2017", "r0", "c1").high == 3


def test_protecting_with_last_years_release_keeps_its_pattern(policy: Policy) -> None:
    last, now, this_year = releases(policy)
    release = protect(now, this_year, previous=last, label="2017-2018")
    assert audit(release, this_year, previous=last).passed
    before = {c.key for c in last.table("2017").cells if c.outcome.hidden}
    after = {c.key for c in release.table("2017").cells if c.outcome.hidden}
    assert after == before


def test_a_revised_count_is_a_new_unknown_not_last_years_cell(policy: Policy) -> None:
    last, _, this_year = releases(policy)
    revised = [[50, 3, 60], [12, 11, 90], [70, 81, 95]]  # a late report in 2017
    now = TableSet((grid("2017", revised, fixed={"year": "2017"}),))
    know = knowledge(now, last)
    # r2c1 and the three totals above it changed: last year's versions are separate unknowns
    assert know.revised == 4
    release = protect(now, this_year, previous=last)
    assert audit(release, this_year, previous=last).passed


def test_a_cell_shown_last_year_is_known_this_year(policy: Policy) -> None:
    last, now, _ = releases(policy)
    know = knowledge(now, last)
    shown_last_year = [c.key for c in last.table("2017").cells if c.outcome is Outcome.SHOWN]
    table = now.tables[0]
    for key in shown_last_year:
        assert know.known[now.index[table.identity(key)]]
    assert know.previously_hidden.sum() == 4
