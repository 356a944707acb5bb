"""Group commit of the audit trail: concurrent page views share one transaction and its fsync.

Every workspace page view appends an audit event, and an append is a write transaction whose
commit waits for the disk (SQLite ``synchronous=FULL``; PostgreSQL's WAL flush): about 5-9 ms
on the benchmark machine, serialised, so a busy workspace could not exceed ~150 page views a
second however fast the pages were. Here a caller that finds no write under way becomes the
writer: it appends every event queued so far, its own among them, in one transaction
(:func:`victim_monitor.web.audit.append_rows`) and hands the turn to a caller still waiting,
who writes the events queued meanwhile. Nobody returns before their event is
committed, so a page is still shown only once its read is in the trail, and the chain's
order is the order of the queue.

A batch that fails (the database gone, the key refused) fails for every caller in it, as each
of their own appends would have.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from victim_monitor.web import audit

MAX_BATCH = 200  # events per transaction: bounds a writer's turn when callers keep coming


class _Waiting:
    """A queued event: its row, its hash to come, and the signal that wakes its caller."""

    __slots__ = ("done", "row", "wake")

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.done: Future[str] = Future()
        self.wake = threading.Event()  # set when the event is written, or it is its turn


class AuditBatch:
    """The queue of one engine's appends (:func:`append` finds it)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._queue: list[_Waiting] = []
        self._writing = False

    def append(self, row: dict[str, Any]) -> str:
        """Queue ``row`` (:func:`victim_monitor.web.audit.event_row`); its hash once committed."""
        mine = _Waiting(row)
        with self._lock:
            self._queue.append(mine)
            my_turn = not self._writing
            self._writing = True
        if not my_turn:
            mine.wake.wait()  # one wake-up per caller, not a herd at each commit
            if mine.done.done():  # written in another caller's batch
                return mine.done.result()
        # This caller's turn: write what is queued, its own event among it, then hand the turn
        # to the first caller still waiting (a writer never keeps writing for others).
        while True:
            with self._lock:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            self._write(batch)
            with self._lock:
                if mine.done.done():
                    if self._queue:
                        self._queue[0].wake.set()
                    else:
                        self._writing = False
                    break
        return mine.done.result()

    def _write(self, batch: list[_Waiting]) -> None:
        try:
            hashes = audit.append_rows(self._engine, [waiting.row for waiting in batch])
        except BaseException as exc:  # every caller of the batch hears of it
            for waiting in batch:
                waiting.done.set_exception(exc)
        else:
            for waiting, digest in zip(batch, hashes, strict=True):
                waiting.done.set_result(digest)
        finally:
            for waiting in batch:
                waiting.wake.set()


_BATCHES: WeakKeyDictionary[Engine, AuditBatch] = WeakKeyDictionary()
_MADE = threading.Lock()


def append(
    engine: Engine,
    *,
    actor: str,
    role: str,
    action: str,
    record: str = "",
    screen: str = "",
    detail: Mapping[str, Any] | None = None,
) -> str:
    """As :func:`victim_monitor.web.audit.append`, committed together with concurrent appends."""
    with _MADE:
        batch = _BATCHES.get(engine)
        if batch is None:
            batch = _BATCHES[engine] = AuditBatch(engine)
    return batch.append(audit.event_row(actor, role, action, record, screen, detail))
