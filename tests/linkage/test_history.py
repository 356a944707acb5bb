"""The history of review decisions: every decision kept, append-only (both databases)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import DBAPIError

from tests.linkage.testbed import Submissions, import_files
from victim_monitor.linkage import (
    ReviewError,
    decide_reports,
    link_register,
    record_decision,
    review_pair,
    review_queue,
)
from victim_monitor.storage.migrate import _config, current_revision, head_revision, upgrade
from victim_monitor.storage.schema import (
    pair_decision_history,
    pair_decisions,
    person_changes,
    person_reports,
)


def _history_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(pair_decision_history)) or 0)


def test_changing_a_decision_keeps_every_decision(linked: Engine) -> None:
    pair = review_queue(linked)[0]
    assert review_pair(linked, pair.id).history == ()
    record_decision(linked, pair.id, "same", "A. Jansen", "same birth date")
    record_decision(linked, pair.id, "different", "B. Smit", "case files differ")
    now = record_decision(linked, pair.id, "same", "C. de Boer")
    # The pair holds the decision in force; the history every decision, oldest first.
    assert (now.status, now.reviewer, now.reason) == ("same", "C. de Boer", None)
    history = review_pair(linked, pair.id).history
    assert [(h.decision, h.reviewer, h.reason, h.replaces) for h in history] == [
        ("same", "A. Jansen", "same birth date", "pending"),
        ("different", "B. Smit", "case files differ", "same"),
        ("same", "C. de Boer", None, "different"),
    ]
    assert history[0].replaces_id is None
    assert [h.replaces_id for h in history[1:]] == [history[0].id, history[1].id]
    assert [h.decided_at for h in history] == sorted(h.decided_at for h in history)
    assert now.history == history
    text = now.summary()
    assert "decided" in text
    assert "B. Smit: different (was same): case files differ" in text
    assert now.as_dict()["history"][1]["reviewer"] == "B. Smit"
    # The listing carries the history too, and undecided pairs have none.
    listed = {p.id: p for p in review_queue(linked, status="all")}
    assert listed[pair.id].history == history
    assert all(p.history == () for p in listed.values() if p.status == "pending")


def test_a_refused_decision_adds_nothing_to_the_history(linked: Engine) -> None:
    with linked.connect() as conn:
        rows = conn.execute(
            select(person_reports.c.organisation_code, person_reports.c.case_reference)
        ).all()
    a, b, c = sorted((str(o), str(k)) for o, k in rows)[:3]
    decide_reports(linked, a, b, "same", "reviewer")
    decide_reports(linked, b, c, "same", "reviewer")
    before = _history_rows(linked)
    assert before == 2
    with pytest.raises(ReviewError, match="contradicts"):
        decide_reports(linked, a, c, "different", "reviewer")
    assert _history_rows(linked) == before
    with pytest.raises(ReviewError, match="no pair"):
        record_decision(linked, 999_999, "same", "reviewer")
    assert _history_rows(linked) == before


def test_the_history_is_append_only_in_the_database(linked: Engine) -> None:
    pair = review_queue(linked)[0]
    record_decision(linked, pair.id, "different", "A. Jansen")
    h = pair_decision_history
    for statement in (update(h).values(reviewer="someone else"), delete(h)):
        with pytest.raises(DBAPIError, match="append-only"), linked.begin() as conn:
            conn.execute(statement)
    assert [e.reviewer for e in review_pair(linked, pair.id).history] == ["A. Jansen"]


def _downgrade(engine: Engine, revision: str) -> None:
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_migration_0005_backfills_decisions_and_names_report_updates(
    linked: Engine, small: Submissions, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from tests.linkage.testbed import new_version, report_row

    pairs = review_queue(linked)[:2]
    record_decision(linked, pairs[0].id, "same", "A. Jansen", "first look")
    record_decision(linked, pairs[0].id, "different", "B. Smit", "second look")
    record_decision(linked, pairs[1].id, "same", "C. de Boer")
    path = small.files()[0]
    lines = path.read_text("utf-8").splitlines()
    case = lines[1].split(",")[lines[0].split(",").index("case_reference")]
    flipped = "no" if report_row(path, case)["police_report"] == "yes" else "yes"
    changed = new_version(path, case, tmp_path_factory.mktemp("v2"), police_report=flipped)
    import_files(linked, (changed,))
    updated = link_register(linked)
    assert updated.changes.report_updated == 1
    renewed = (
        person_changes.c.run_id == updated.run_id,
        person_changes.c.organisation_code == path.stem.rsplit("-", 1)[0],
        person_changes.c.case_reference == case,
    )

    # Down to 0004: no history, and a new version logged the old way (added to itself).
    _downgrade(linked, "0004")
    assert current_revision(linked) == "0004"
    with linked.connect() as conn:
        row = conn.execute(
            select(person_changes.c.action, person_changes.c.person_id,
                   person_changes.c.other_person_id)
            .where(*renewed)
        ).one()  # fmt: skip
    assert row.action == "report_added"
    assert row.other_person_id == row.person_id

    # Up again: the decisions as they stood are copied, what they replaced is not known.
    upgrade(linked)
    assert current_revision(linked) == head_revision()
    first, second = (review_pair(linked, p.id) for p in pairs)
    entries = [(h.decision, h.reviewer, h.reason, h.replaces, h.replaces_id) for h in first.history]
    assert entries == [("different", "B. Smit", "second look", None, None)]
    assert [(h.decision, h.reviewer) for h in second.history] == [("same", "C. de Boer")]
    assert "was unknown" in first.summary()
    with linked.connect() as conn:
        decided = conn.scalar(
            select(func.count())
            .select_from(pair_decisions)
            .where(pair_decisions.c.status != "pending")
        )
        now = conn.execute(
            select(person_changes.c.action, person_changes.c.other_person_id)
            .where(*renewed)
        ).one()  # fmt: skip
    assert _history_rows(linked) == decided == 2
    assert (now.action, now.other_person_id) == ("report_updated", None)
    # A decision changed after the migration continues the history.
    record_decision(linked, pairs[1].id, "different", "D. Visser")
    history = review_pair(linked, pairs[1].id).history
    assert [(h.decision, h.replaces) for h in history] == [("same", None), ("different", "same")]
    assert history[1].replaces_id == history[0].id


def test_two_reviewers_changing_one_pair_at_once_both_stay_in_the_history(
    linked: Engine, database_url: str
) -> None:
    import threading
    import time

    from victim_monitor.linkage import review

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer at a time in; the row lock is PostgreSQL's")
    pair = review_queue(linked)[0]
    done: list[str] = []

    def second() -> None:
        done.append(record_decision(linked, pair.id, "different", "B. Smit").status)

    with linked.begin() as conn:
        review._decide(conn, pair.id, "same", "A. Jansen", "")
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.5)
        assert not done, "the second decision waits for the first to commit"
    other.join(timeout=30)
    assert done == ["different"]
    history = review_pair(linked, pair.id).history
    assert [(h.decision, h.replaces) for h in history] == [
        ("same", "pending"),
        ("different", "same"),
    ]
    assert history[1].replaces_id == history[0].id
