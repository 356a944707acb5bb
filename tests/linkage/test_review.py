"""The review queue and reviewers' decisions, which later runs respect (both databases)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from tests.linkage.testbed import Submissions, import_files
from victim_monitor.linkage import (
    REVIEW_BAND,
    ReviewError,
    decide_reports,
    link_register,
    record_decision,
    review_queue,
)
from victim_monitor.storage.schema import person_changes, person_reports


def _people(engine: Engine) -> pd.Series:
    """Person by (organisation, case reference)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                person_reports.c.organisation_code,
                person_reports.c.case_reference,
                person_reports.c.person_id,
            )
        ).all()
    frame = pd.DataFrame(rows, columns=["organisation", "case", "person"])
    return frame.set_index(["organisation", "case"])["person"]


def _log(engine: Engine, run_id: int | None) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(person_changes).where(person_changes.c.run_id == run_id)).all()
    return pd.DataFrame(rows, columns=list(person_changes.c.keys()))


@pytest.fixture
def linked(engine: Engine, small: Submissions) -> Engine:
    import_files(engine, small.files())
    link_register(engine)
    return engine


def test_the_queue_holds_band_pairs_with_evidence_only(linked: Engine) -> None:
    queue = review_queue(linked)
    assert queue, "the synthetic register always has some uncertain pairs"
    low, high = REVIEW_BAND
    for pair in queue:
        assert low <= pair.match_probability < high
        assert pair.status == "pending"
        assert set(pair.evidence) == {"name", "birth", "sex", "nationality", "report_date"}
        assert pair.person_l is not None
        assert pair.person_r is not None
        # Evidence is the level reached, never a value: the register has no clear names.
        text = pair.summary()
        assert "#" in text
        assert "p=" in text
    again = link_register(linked)
    assert again.queued == 0  # a pair is queued once


def test_a_different_decision_splits_a_person(linked: Engine) -> None:
    people = _people(linked)
    sizes = people.value_counts()
    person = int(sizes[sizes >= 2].index[0])
    a, b = sorted(people[people == person].index)[:2]
    pair = decide_reports(linked, a, b, "different", "reviewer 1", "two women, same name")
    assert pair.status == "different"
    assert pair.reviewer == "reviewer 1"
    result = link_register(linked)
    people = _people(linked)
    assert people[a] != people[b]
    log = _log(linked, result.run_id)
    assert set(log["reason"]) == {"review"}
    assert "split" in set(log["action"])
    assert set(log["pair_decision_id"].dropna()) == {pair.id}
    # Later runs keep the decision, also a full relink with a retrained model.
    link_register(linked)
    link_register(linked, full=True)
    people = _people(linked)
    assert people[a] != people[b]


def test_a_same_decision_merges_two_persons(linked: Engine) -> None:
    people = _people(linked)
    a, b = people.index[0], people.index[-1]
    assert people[a] != people[b]
    kept, gone = sorted((int(people[a]), int(people[b])))
    decide_reports(linked, a, b, "same", "reviewer 2")
    result = link_register(linked)
    people = _people(linked)
    assert people[a] == people[b]
    log = _log(linked, result.run_id)
    merged = log[log["action"] == "merged"]
    assert len(merged) == 1
    assert merged.iloc[0]["reason"] == "review"
    assert {int(merged.iloc[0]["person_id"]), int(merged.iloc[0]["other_person_id"])} == {
        kept,
        gone,
    }


def test_record_decision_on_a_queued_pair(linked: Engine) -> None:
    pair = review_queue(linked)[0]
    decided = record_decision(linked, pair.id, "same", "reviewer 3", "same birth date and name")
    assert decided.status == "same"
    assert decided.reason == "same birth date and name"
    assert decided.decided_at is not None
    assert pair.id not in {p.id for p in review_queue(linked)}
    assert pair.id in {p.id for p in review_queue(linked, status="same")}
    link_register(linked)
    people = _people(linked)
    assert (
        people[(pair.organisation_l, pair.case_reference_l)]
        == people[(pair.organisation_r, pair.case_reference_r)]
    )


def test_bad_decisions_and_unknown_pairs_are_refused(linked: Engine) -> None:
    pair = review_queue(linked)[0]
    with pytest.raises(ReviewError, match="same' or 'different"):
        record_decision(linked, pair.id, "maybe", "r")
    with pytest.raises(ReviewError, match="reviewer"):
        record_decision(linked, pair.id, "same", "  ")
    with pytest.raises(ReviewError, match="no pair"):
        record_decision(linked, 10**6, "same", "r")
    with pytest.raises(ReviewError, match="no report"):
        decide_reports(linked, ("POL", "nope"), ("POL", "nope2"), "same", "r")
    with pytest.raises(ReviewError, match="itself"):
        decide_reports(linked, ("POL", "x"), ("POL", "x"), "same", "r")
    with pytest.raises(ReviewError, match="status"):
        review_queue(linked, status="open")
    assert review_queue(linked)[0] == pair  # nothing was recorded
