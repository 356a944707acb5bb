"""Covers (a reporter type is the union of its organisations) and nesting (a subgroup is never
larger than its group) are relations an outsider uses: the audit finds attacks through them,
and protection avoids them."""

from __future__ import annotations

import dataclasses

import pytest

from victim_monitor.disclosure import (
    Cover,
    DisclosureError,
    Outcome,
    Policy,
    ProtectedCell,
    Release,
    Table,
    TableSet,
    audit,
    protect,
)

COVERS = (Cover("type", "t1", "org", ("a", "b")), Cover("type", "t2", "org", ("c",)))


def reporters(t1: int = 43) -> TableSet:
    # a (3 persons) and b (40) share nobody, b and c (50) share 10: 83 persons in all
    orgs = Table("by_org", ("org",), {("a",): 3, ("b",): 40, ("c",): 50, ("Total",): 83},
                 overlapping=("org",))  # fmt: skip
    types = Table("by_type", ("type",), {("t1",): t1, ("t2",): 50, ("Total",): 83},
                  overlapping=("type",))  # fmt: skip
    return TableSet((orgs, types), covers=COVERS)


def only_hidden(release: Release, hidden: set[tuple[str, str]]) -> Release:
    """The release with exactly these (table, category) cells hidden."""
    tables = []
    for t in release.tables:
        cells = tuple(
            ProtectedCell(c.key, c.value, None, Outcome.PRIMARY)
            if (t.name, c.key[0]) in hidden
            else ProtectedCell(c.key, c.value, c.value, Outcome.SHOWN)
            for c in t.cells
        )
        tables.append(dataclasses.replace(t, cells=cells))
    return dataclasses.replace(release, tables=tuple(tables))


def test_the_audit_narrows_a_hidden_organisation_through_its_reporter_type(
    policy: Policy,
) -> None:
    naive = only_hidden(protect(reporters(), policy), {("by_org", "a")})
    report = audit(naive, policy)
    # t1 = 43 <= a + b = a + 40, so a >= 3: the group of 3 is proven not empty
    assert not report.passed
    assert report.cell("by_org", "a").low == pytest.approx(3)
    assert [f.problem.code for f in report.failures] == ["VM730"]
    blind = audit(dataclasses.replace(naive, covers=()), policy)
    assert blind.passed
    assert blind.cell("by_org", "a").low == pytest.approx(0)


def test_protection_knows_the_covers(policy: Policy) -> None:
    release = protect(reporters(), policy)
    assert release.covers == COVERS
    assert audit(release, policy).passed
    hidden = {(t.name, c.key) for t in release.tables for c in t.cells if c.outcome.hidden}
    assert ("by_org", ("a",)) in hidden
    assert len(hidden) >= 2  # a partner for a
    back = Release.from_json(release.to_json())
    assert back.covers == COVERS


def test_a_cover_that_does_not_hold_is_vm712() -> None:
    with pytest.raises(DisclosureError) as err:
        reporters(t1=44)  # more persons of type t1 than its organisations reported
    assert err.value.problems[0].code == "VM712"


def forms(police_f1: int = 9) -> TableSet:
    everyone = Table("by_form", ("form",), {("f1",): 11, ("f2",): 30})
    police = Table("police", ("form",), {("f1",): police_f1, ("f2",): 20},
                   fixed={"list": "P"})  # fmt: skip
    return TableSet((everyone, police))


def test_the_audit_bounds_a_subgroup_by_its_group(policy: Policy) -> None:
    naive = only_hidden(protect(forms(), policy), {("police", "f1"), ("police", "f2")})
    report = audit(naive, policy)
    # police victims of f1 (9) are among the 11 victims of f1: at most 11, not 9 + 4.5
    assert report.cell("police", "f1").high == pytest.approx(11)
    assert not report.passed
    assert audit(protect(forms(), policy), policy).passed


def test_a_subgroup_larger_than_its_group_is_vm712() -> None:
    with pytest.raises(DisclosureError) as err:
        forms(police_f1=12)
    assert err.value.problems[0].code == "VM712"
