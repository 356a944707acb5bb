"""The audit trail: who read or changed which record, when, on which screen.

Append-only (the database refuses UPDATE and DELETE on ``audit_events``) and tamper-evident:
each event's hash is SHA-256 over the previous event's hash and the event's own canonical
JSON, so changing, removing or reordering any event breaks every hash after it, which
:func:`verify` finds. Appends are serialised (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL
advisory lock) so that two workers never chain onto the same predecessor.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text

from victim_monitor.storage.schema import audit_events

GENESIS = "0" * 64
_LOCK_ID = 7_207_007  # the PostgreSQL advisory lock that serialises appends


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One line of the audit trail."""

    id: int
    at: str
    actor: str
    role: str
    action: str
    record: str
    screen: str
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The result of :func:`verify`: how many events, and the first broken one if any."""

    events: int
    broken_at: int | None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def summary(self) -> str:
        if self.intact:
            return f"audit trail intact: {self.events} events, every hash chained"
        return f"audit trail BROKEN at event {self.broken_at}: {self.reason}"


def _stamp(at: dt.datetime) -> str:
    # One textual form on both databases (SQLite drops the zone, PostgreSQL keeps it).
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def event_hash(
    prev_hash: str,
    at: str,
    actor: str,
    role: str,
    action: str,
    record: str,
    screen: str,
    detail: Mapping[str, Any],
) -> str:
    body = json.dumps(
        [prev_hash, at, actor, role, action, record, screen, detail],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})


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
    """Add one event at the end of the chain; returns its hash."""
    payload = dict(detail or {})
    at = dt.datetime.now(dt.UTC)
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        _lock(conn)
        prev = conn.scalar(select(audit_events.c.hash).order_by(audit_events.c.id.desc()).limit(1))
        prev_hash = prev or GENESIS
        digest = event_hash(
            prev_hash, _stamp(at), actor, role, action, record[:200], screen[:200], payload
        )
        conn.execute(
            audit_events.insert().values(
                at=at,
                actor=actor[:64],
                role=role,
                action=action,
                record=record[:200],
                screen=screen[:200],
                detail=payload,
                prev_hash=prev_hash,
                hash=digest,
            )
        )
    return digest


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=int(row.id),
        at=_stamp(row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)),
        actor=row.actor,
        role=row.role,
        action=row.action,
        record=row.record,
        screen=row.screen,
        detail=dict(row.detail),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def events(
    engine: Engine, *, limit: int = 100, before: int | None = None, action: str | None = None
) -> tuple[AuditEvent, ...]:
    """The latest events (newest first), optionally before an id or of one action."""
    query = select(audit_events).order_by(audit_events.c.id.desc()).limit(limit)
    if before is not None:
        query = query.where(audit_events.c.id < before)
    if action:
        query = query.where(audit_events.c.action == action)
    with engine.connect() as conn:
        return tuple(_event(row) for row in conn.execute(query))


def _all(engine: Engine, batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(audit_events)
                .where(audit_events.c.id > last)
                .order_by(audit_events.c.id)
                .limit(batch)
            ).all()
        if not rows:
            return
        for row in rows:
            yield _event(row)
        last = int(rows[-1].id)


def verify(engine: Engine) -> ChainCheck:
    """Recompute every hash from the first event on."""
    prev = GENESIS
    count = 0
    for event in _all(engine):
        count += 1
        if event.prev_hash != prev:
            return ChainCheck(count, event.id, "does not point to the event before it")
        expected = event_hash(
            prev,
            event.at,
            event.actor,
            event.role,
            event.action,
            event.record,
            event.screen,
            event.detail,
        )
        if expected != event.hash:
            return ChainCheck(count, event.id, "its content does not match its hash")
        prev = event.hash
    return ChainCheck(count, None)


def count_since(engine: Engine, action: str, since: dt.datetime, **detail: str) -> int:
    """Events of ``action`` after ``since`` whose record or detail match (rate limiting)."""
    query = select(audit_events.c.record, audit_events.c.detail).where(
        audit_events.c.action == action, audit_events.c.at >= since
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    record = detail.pop("record", None)
    return sum(
        1
        for row in rows
        if (record is None or row.record == record)
        and all(row.detail.get(k) == v for k, v in detail.items())
    )


def total(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(audit_events)) or 0)


EXPORT_FIELDS = ("id", "at", "actor", "role", "action", "record", "screen", "detail", "prev_hash")


def export_csv(engine: Engine) -> Iterator[str]:
    """The whole trail as CSV, oldest first, with the hashes so that a copy can be verified."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*EXPORT_FIELDS, "hash"])
    yield buffer.getvalue()
    for event in _all(engine):
        buffer.seek(0)
        buffer.truncate()
        row = event.as_dict()
        row["detail"] = json.dumps(row["detail"], sort_keys=True, ensure_ascii=False)
        writer.writerow([row[name] for name in (*EXPORT_FIELDS, "hash")])
        yield buffer.getvalue()
