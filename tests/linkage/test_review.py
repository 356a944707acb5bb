"""The review queue and reviewers' decisions, which later runs respect (both databases)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from tests.linkage.testbed import Submissions, import_files
from victim_monitor.linkage import (
    ReviewError,
    decide_reports,
    last_quality,
    link_register,
    record_decision,
    review_queue,
)
from victim_monitor.linkage.threshold import review_band
from victim_monitor.storage.schema import (
    pair_decisions,
    person_changes,
    person_reports,
    report_links,
    reports,
)


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


def test_the_queue_holds_band_pairs_with_evidence_only(linked: Engine) -> None:
    queue = review_queue(linked)
    assert queue, "the synthetic register always has some uncertain pairs"
    quality = last_quality(linked)
    assert quality is not None
    low, high = review_band(quality.threshold)  # the band lies around the run's threshold
    for pair in queue:
        assert low <= pair.match_probability < high
        assert pair.status == "pending"
        assert set(pair.evidence) == {
            "name",
            "birth",
            "sex",
            "nationality",
            "report_date",
            "organisation",
        }
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
    link_register(linked, full=True, retrain=True)
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


def test_bad_decisions_and_unknown_pairs_are_refused_with_their_codes(linked: Engine) -> None:
    pair = review_queue(linked)[0]
    x, y = ("POL", "x"), ("POL", "y")
    refusals: list[tuple[Callable[[], object], str, str]] = [
        (lambda: record_decision(linked, pair.id, "maybe", "r"), "VM333", "same' or 'different"),
        (lambda: record_decision(linked, pair.id, "same", "  "), "VM334", "reviewer"),
        (lambda: record_decision(linked, 10**6, "same", "r"), "VM331", "no pair"),
        (lambda: decide_reports(linked, x, y, "same", "r"), "VM332", "no report"),
        (lambda: decide_reports(linked, x, x, "same", "r"), "VM335", "itself"),
        (lambda: review_queue(linked, status="open"), "VM330", "status"),
    ]  # fmt: skip
    for call, code, message in refusals:
        with pytest.raises(ReviewError, match=message) as refused:
            call()
        assert [p.code for p in refused.value.problems] == [code]
        assert str(refused.value).startswith(f"{code} error ")
    assert review_queue(linked)[0] == pair  # nothing was recorded


def _count(engine: Engine, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(pair_decisions).where(*where)) or 0)


def test_deciding_a_queued_pair_by_its_reports_decides_it_in_the_queue(
    engine: Engine, small: Submissions
) -> None:
    # The queue orders a pair by report id; where the later report has the smaller identity
    # (organisation, case reference), the pair is stored "backwards". Deciding it by its
    # reports, in either order, must find that row and not add a second one.
    import_files(engine, tuple(reversed(small.files())))
    link_register(engine)
    queue = review_queue(engine)
    backwards = [
        p for p in queue
        if (p.organisation_l, p.case_reference_l) > (p.organisation_r, p.case_reference_r)
    ]  # fmt: skip
    assert backwards, "a register imported in reverse order has such pairs"
    total = _count(engine)
    for pair, swap in ((backwards[0], False), (queue[0], True)):
        left = (pair.organisation_l, pair.case_reference_l)
        right = (pair.organisation_r, pair.case_reference_r)
        decided = decide_reports(engine, *((right, left) if swap else (left, right)), "same", "r")
        assert decided.id == pair.id
    assert _count(engine) == total


def test_a_refused_decision_leaves_nothing_behind(linked: Engine) -> None:
    people = _people(linked)
    a, b = people.index[0], people.index[-1]
    before = review_queue(linked, status="all")
    with pytest.raises(ReviewError, match="reviewer"):
        decide_reports(linked, a, b, "same", "  ")
    with pytest.raises(ReviewError, match="same' or 'different"):
        decide_reports(linked, a, b, "perhaps", "r")
    assert review_queue(linked, status="all") == before


def test_contradictory_decisions_are_refused(linked: Engine) -> None:
    people = _people(linked)
    a, b, c = people.index[0], people.index[1], people.index[2]
    decide_reports(linked, a, b, "same", "r")
    decide_reports(linked, b, c, "same", "r")
    with pytest.raises(ReviewError, match="contradicts") as refused:
        decide_reports(linked, a, c, "different", "r")
    assert [p.code for p in refused.value.problems] == ["VM336"]
    # Changing one of the joining decisions first makes room for it.
    decide_reports(linked, b, c, "different", "r", "on second thoughts")
    decide_reports(linked, a, c, "different", "r")
    with pytest.raises(ReviewError, match="contradicts"):
        decide_reports(linked, b, c, "same", "r")
    link_register(linked)
    people = _people(linked)
    assert people[a] == people[b]
    assert people[c] not in (people[a], people[b])


def test_a_full_relink_leaves_only_pairs_it_scored_inside_the_band(linked: Engine) -> None:
    queue = review_queue(linked)
    decided = decide_reports(
        linked, (queue[0].organisation_l, queue[0].case_reference_l),
        (queue[0].organisation_r, queue[0].case_reference_r), "different", "r",
    )  # fmt: skip
    # A stale pending pair of two reports the model does not score at all.
    people = _people(linked)
    a, b = people.index[0], people.index[-1]
    with linked.begin() as conn:
        ids = {
            (o, c): int(i)
            for o, c, i in conn.execute(
                select(reports.c.organisation_code, reports.c.case_reference, reports.c.id)
            )
        }
        conn.execute(
            pair_decisions.insert().values(
                organisation_code_l=a[0], case_reference_l=a[1], organisation_code_r=b[0],
                case_reference_r=b[1], report_id_l=ids[a], report_id_r=ids[b],
                match_weight=0.0, match_probability=0.5, evidence={}, status="pending",
                queued_at=dt.datetime.now(dt.UTC),
            )
        )  # fmt: skip
        # And a pending pair whose shown score no longer matches its reports.
        conn.execute(
            pair_decisions.update()
            .where(pair_decisions.c.id == queue[1].id)
            .values(match_probability=0.66, evidence={})
        )
    band = (0.6, 0.9)
    outside = sum(not band[0] <= p.match_probability < band[1] for p in queue[1:])

    result = link_register(linked, full=True, review_band=band)

    assert result.withdrawn == outside + 1  # the stale pair and those outside the new band
    with linked.connect() as conn:
        links = conn.execute(select(report_links)).all()
    inside = {
        (r.report_id_l, r.report_id_r) for r in links if band[0] <= r.match_probability < band[1]
    }
    now = review_queue(linked)
    shown = {(min(p.report_id_l, p.report_id_r), max(p.report_id_l, p.report_id_r)) for p in now}
    undecided = inside - {(min(decided.report_id_l, decided.report_id_r),
                           max(decided.report_id_l, decided.report_id_r))}  # fmt: skip
    assert shown == undecided
    for pair in now:
        assert band[0] <= pair.match_probability < band[1]
        assert pair.evidence  # the scored levels, not what was stored before
    refreshed = [p for p in now if p.id == queue[1].id]
    if refreshed:
        assert refreshed[0].match_probability == pytest.approx(queue[1].match_probability)
        assert refreshed[0].evidence == queue[1].evidence
    # The decided pair is kept as the reviewer saw it.
    (kept,) = review_queue(linked, status="different")
    assert (
        dataclasses.replace(kept, person_l=decided.person_l, person_r=decided.person_r) == decided
    )


def test_an_incremental_run_rescores_only_pending_pairs_of_new_versions(
    linked: Engine, small: Submissions, tmp_path: Path
) -> None:
    from tests.linkage.testbed import new_version, report_row

    queue = review_queue(linked)
    assert len(queue) >= 2
    with linked.begin() as conn:
        for pair in queue[:2]:
            conn.execute(
                pair_decisions.update()
                .where(pair_decisions.c.id == pair.id)
                .values(match_probability=0.51)
            )
    # No new reports: nothing is scored again, the pending pairs stay as they are.
    link_register(linked)
    assert [p.match_probability for p in review_queue(linked)[:2]] == [0.51, 0.51]
    # A new version of one report of the first pair: that pair is scored again.
    first = queue[0]
    path = next(p for p in small.files() if p.stem.rsplit("-", 1)[0] == first.organisation_l
                and first.case_reference_l in p.read_text("utf-8"))  # fmt: skip
    police = report_row(path, first.case_reference_l)["police_report"]
    changed = new_version(
        path, first.case_reference_l, tmp_path, police_report="no" if police == "yes" else "yes"
    )
    import_files(linked, (changed,))
    result = link_register(linked)
    assert result.new_reports == 1
    after = {p.id: p for p in review_queue(linked)}
    assert after[queue[1].id].match_probability == 0.51  # untouched
    if first.id in after:  # still in the band: shown with the new version and its score
        assert after[first.id].match_probability == pytest.approx(first.match_probability)
        assert after[first.id].report_id_l != first.report_id_l
    else:
        assert result.withdrawn == 1
