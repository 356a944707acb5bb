"""Recording one change: a change the history already holds is corrected or refused (VM612),
decided inside the writing transaction, so two people recording it at once cannot overwrite
each other (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from victim_monitor.programme import check, followup, import_example, intake, store
from victim_monitor.programme.edit import record_followup, record_measure_status
from victim_monitor.programme.intake import ImportResult
from victim_monitor.storage import connect
from victim_monitor.storage.schema import measure_history
from victim_monitor.vocab import Label

PROGRAMME, MEASURE = "samen-tegen-mensenhandel", "VB-04"
ON = date(2020, 3, 16)


@pytest.fixture
def example(engine: Engine) -> None:
    assert import_example(engine).ok


def _evidence(who: str) -> Label:
    return Label(f"Vastgelegd door {who} (verzonnen).", f"Recorded by {who} (made-up).")


def _delay(engine: Engine, who: str, on_existing: Any = "refuse") -> ImportResult:
    return record_measure_status(
        engine,
        PROGRAMME,
        MEASURE,
        "delayed",
        _evidence(who),
        on=ON,
        by=who,
        on_existing=on_existing,
    )


def _held(engine: Engine) -> list[tuple[str, str | None]]:
    """Evidence (en) and recorder of every delayed change on ON in the measure's history."""
    h = measure_history
    with engine.connect() as conn:
        rows = conn.execute(
            select(h.c.evidence_en, h.c.recorded_by).where(
                h.c.changed_on == ON, h.c.status == "delayed"
            )
        )
        return [(r[0], r[1]) for r in rows]


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(measure_history)) or 0)


def test_refuse_keeps_the_first_evidence_and_says_who_recorded_it(
    engine: Engine, example: None
) -> None:
    assert _delay(engine, "ana").outcome == "accepted"
    count = _count(engine)
    second = _delay(engine, "bo")
    assert second.outcome == "rejected"
    assert [p.code for p in second.problems] == ["VM612"]
    problem = second.problems[0]
    assert (problem.field, problem.value) == ("date", "2020-03-16")
    assert "by ana" in problem.message
    assert "never overwritten" in problem.message
    assert _count(engine) == count
    assert _held(engine) == [("Recorded by ana (made-up).", "ana")]


def test_refuse_applies_to_a_dry_run_and_to_follow_up(engine: Engine, example: None) -> None:
    assert _delay(engine, "ana").ok
    dry = record_measure_status(
        engine, PROGRAMME, MEASURE, "delayed", _evidence("bo"), on=ON, by="bo", dry_run=True,
        on_existing="refuse",
    )  # fmt: skip
    assert (dry.outcome, [p.code for p in dry.problems]) == ("rejected", ["VM612"])

    def respond(who: str) -> ImportResult:
        return record_followup(
            engine, "2014-2018", 1, "in_progress", _evidence(who), on=ON, by=who,
            on_existing="refuse",
        )  # fmt: skip

    assert respond("ana").outcome == "accepted"
    again = respond("bo")
    assert [p.code for p in again.problems] == ["VM612"]
    assert "recommendation 2014-2018/1" in again.problems[0].message
    history = followup(engine, "2014-2018").recommendations[0].history
    assert [(c.date, c.recorded_by) for c in history] == [(ON, "ana")]


def test_correct_is_still_what_an_import_does(engine: Engine, example: None) -> None:
    assert _delay(engine, "ana").ok
    corrected = _delay(engine, "bo", "correct")
    assert corrected.outcome == "accepted"
    assert corrected.counts["status changes"] == {"added": 0, "changed": 1, "removed": 0}
    # the evidence is corrected; who first recorded the change is kept
    assert _held(engine) == [("Recorded by bo (made-up).", "ana")]


def test_an_unknown_choice_is_an_error(engine: Engine, example: None) -> None:
    with pytest.raises(ValueError, match="on_existing"):
        _delay(engine, "ana", "overwrite")


def _held_at_save(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make each thread's first write wait (up to 3 s) for the other to reach its write too.

    Without a lock both would decide "not yet held" before either writes. With it (SQLite's
    BEGIN IMMEDIATE; PostgreSQL's row lock on the measure) the second waits before its check
    until the first commits, so the wait times out. Returns the list that counts the checks."""
    barrier = threading.Barrier(2, timeout=3)
    seen = threading.local()
    checks: list[int] = []
    real_save: Callable[..., Any] = store.save
    real_check: Callable[..., Any] = check.check

    def save(*args: Any, **kwargs: Any) -> Any:
        if not getattr(seen, "waited", False):
            seen.waited = True
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait()
        return real_save(*args, **kwargs)

    def counted(*args: Any, **kwargs: Any) -> Any:
        checks.append(1)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(intake, "save", save)
    monkeypatch.setattr(intake, "check", counted)
    return checks


def test_two_analysts_recording_the_same_change_at_once_exactly_one_wins(
    engine: Engine, database_url: str, example: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = _count(engine)
    checks = _held_at_save(monkeypatch)
    other = connect(database_url)  # a second engine: another web worker
    try:
        with ThreadPoolExecutor(2) as pool:
            futures = {
                who: pool.submit(_delay, e, who) for who, e in (("ana", engine), ("bo", other))
            }
            results = {who: f.result() for who, f in futures.items()}
    finally:
        other.dispose()
    outcomes = sorted(r.outcome for r in results.values())
    assert outcomes == ["accepted", "rejected"], [r.summary() for r in results.values()]
    winner = next(who for who, r in results.items() if r.outcome == "accepted")
    loser = next(r for r in results.values() if r.outcome == "rejected")
    assert [p.code for p in loser.problems] == ["VM612"]
    assert f"by {winner}" in loser.problems[0].message
    assert _count(engine) == count + 1
    assert _held(engine) == [(f"Recorded by {winner} (made-up).", winner)]
    # Each writer checked once: the second waited for the first (SQLite's write lock; on
    # PostgreSQL the lock on the measure's row) and then read what the first had committed.
    assert len(checks) == 2
