"""Release and audit values: JSON twins, the public form, frames and summaries."""

from __future__ import annotations

import json

import pytest

from tests.disclosure.conftest import grid
from victim_monitor.disclosure import (
    CellRef,
    DisclosureError,
    Equation,
    Outcome,
    Policy,
    Release,
    Table,
    TableSet,
    audit,
    protect,
)

CLASSIC = [[50, 3, 60], [12, 11, 90], [70, 80, 95]]


def test_a_release_survives_its_json_form(policy: Policy) -> None:
    extra = Table("e", ("x",), {("p",): 20, ("q",): 30}, margins=False)
    whole = Table("w", ("y",), {("s",): 50}, margins=False)
    eq = Equation(CellRef("w", ("s",)), (CellRef("e", ("p",)), CellRef("e", ("q",))))
    tables = TableSet(
        (grid("t", CLASSIC), extra, whole),
        groupings={"c": {"c01": ["c0", "c1"]}},
        equations=(eq,),
    )
    release = protect(tables, policy, label="2018")
    again = Release.from_json(release.to_json())
    assert again.tables == release.tables
    assert again.equations == release.equations
    assert again.groupings == release.groupings
    assert again.policy == release.policy
    assert again.label == "2018"
    assert audit(again, policy).passed


def test_the_public_form_has_no_hidden_counts(policy: Policy) -> None:
    release = protect(TableSet((grid("t", CLASSIC),)), policy)
    public = release.public_dict()
    text = json.dumps(public)
    assert '"value"' not in text
    assert public["stats"] == {}
    hidden = [c for c in public["tables"][0]["cells"] if c["outcome"] != "shown"]
    assert hidden
    assert all(c["published"] is None for c in hidden)
    # a primary cell (below the threshold) looks like any other hidden cell
    assert {c["outcome"] for c in hidden} == {"suppressed"}
    assert release.outcomes()[Outcome.PRIMARY] > 0
    with pytest.raises(DisclosureError) as caught:
        Release.from_dict(public)
    assert caught.value.problems[0].code == "VM713"


@pytest.mark.parametrize("text", ["{", '{"format": "victim-monitor-release/1", "confidential": 1}'])
def test_an_unreadable_release_is_vm713(text: str) -> None:
    with pytest.raises(DisclosureError) as caught:
        Release.from_json(text)
    assert caught.value.problems[0].code == "VM713"


def test_frames_and_summaries(policy: Policy) -> None:
    release = protect(TableSet((grid("t", CLASSIC),)), policy, label="demo")
    frame = release.table("t").frame()
    assert list(frame.columns) == ["r", "c", "published", "outcome"]
    assert frame["published"].isna().sum() == 4
    assert "count" in release.table("t").frame(confidential=True).columns
    assert release.outcomes()[Outcome.SECONDARY] == 3
    assert "Release demo: 1 tables, 16 distinct cells" in release.summary()
    report = audit(release, policy)
    assert report.summary().startswith("Audit of release demo: PASSED")
    assert release.table("t").cell("r0", "c1").published is None
    with pytest.raises(KeyError):
        release.table("nope")
