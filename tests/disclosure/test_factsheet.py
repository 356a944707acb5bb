"""The factsheet's tables for made-up persons: protected, linked, audited, and a year later."""

from __future__ import annotations

from tests.disclosure.factsheet import factsheet_tables, persons
from victim_monitor.disclosure import TOTAL, Outcome, Policy, Release, audit, protect


def test_the_factsheet_and_eurostat_tables_are_protected_together(policy: Policy) -> None:
    tables = factsheet_tables(persons(range(2018, 2019), 5000, seed=3))
    release = protect(tables, policy, label="2018")
    report = audit(release, policy)
    assert report.passed, report.summary()
    assert not [p for p in release.problems if p.code == "VM720"]
    # the Eurostat age group "adult" is the monitor's adolescents plus 23 and older, and one
    # outcome holds for the year total wherever it appears
    eurostat = release.table("eurostat")
    adult = eurostat.cell("2018", TOTAL, "adult", TOTAL, TOTAL)
    by_age = release.table("by_age")
    assert (
        adult.value
        == by_age.cell("2018", "adolescent").value + by_age.cell("2018", "23_and_older").value
    )
    totals = {
        (t.cell(*(["2018"] + [TOTAL] * (len(t.dimensions) - 1))).outcome)
        for t in release.tables
        if t.measure == "persons"
    }
    assert totals == {Outcome.SHOWN}


def test_next_years_release_is_protected_with_this_one(policy: Policy) -> None:
    this_year = factsheet_tables(persons(range(2017, 2019), 700, seed=3), eurostat=False)
    release = Release.from_json(protect(this_year, policy, label="2017-2018").to_json())
    assert audit(release, policy).passed
    next_year = factsheet_tables(persons(range(2017, 2020), 700, seed=4), eurostat=False)
    again = protect(next_year, policy, previous=release, label="2017-2019")
    report = audit(again, policy, previous=release)
    flagged = [p for p in again.problems if p.code == "VM720"]
    assert report.passed or flagged, report.summary()
