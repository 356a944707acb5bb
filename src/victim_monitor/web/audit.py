"""The audit trail: who read or changed which record, when, on which screen.

Append-only (the database refuses UPDATE and DELETE on ``audit_events``) and tamper-evident:
each event's hash covers the previous event's hash and the event's own canonical JSON, so
changing, removing or reordering any event breaks every hash after it, which :func:`verify`
finds. Ids run 1, 2, 3 ... without gaps (given here, under the append lock, not by the
database's sequence), so a removed event shows as a gap even where the rest was re-hashed.

Two kinds of hash. Under an audit key (``VICTIM_MONITOR_AUDIT_KEY``, held outside the
database) each event's hash is HMAC-SHA256 over its id and content, so someone who can write
the database but lacks the key cannot re-hash a changed trail. Without a key (development,
the demo) the hash is plain SHA-256, as in registers made before the key existed. The first
event under a key is an ``audit_keyed`` event naming the key (its id, never the key): events
before it stay SHA-256 and are checked as such, every event after it must be keyed. Removing
the newest events leaves a chain that still verifies; a signed checkpoint kept outside the
database (:mod:`victim_monitor.web.checkpoint`) finds that.

Appends are serialised (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock) so that two
workers never chain onto the same predecessor.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, bindparam, func, select

from victim_monitor import csvfile
from victim_monitor.config import ConfigError
from victim_monitor.storage.locks import exclusive
from victim_monitor.storage.schema import audit_events

GENESIS = "0" * 64
KEYED_ACTION = "audit_keyed"  # the first event under the key; every later one is keyed
KEYED_CHAIN = "hmac-sha256"
LOCK = "audit_events"  # appends take turns (storage.locks.exclusive): one tail, one chain

# The key each engine's appends chain under, bound once by the app at start (use_key), so
# that every route's append is keyed without each caller handing the key on.
_KEYS: WeakKeyDictionary[Engine, bytes] = WeakKeyDictionary()
_KEYED_BY: WeakKeyDictionary[Engine, str] = WeakKeyDictionary()  # engines known keyed


class AuditKeyError(ConfigError):
    """The trail and the configured audit key do not fit (keyed under another key, or none)."""


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
    """The result of :func:`verify`: how far the chain holds, and the first broken event.

    ``last_id``/``last_hash`` are the last event verified: handed back as ``since``, the next
    check recomputes only the events after it. ``checked`` counts the events this check
    recomputed; ``keyed_from`` is the first keyed event (None: the chain is SHA-256 only).
    """

    events: int
    broken_at: int | None
    reason: str = ""
    last_id: int = 0
    last_hash: str = GENESIS
    keyed_from: int | None = None
    checked: int = 0
    note: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def summary(self) -> str:
        if not self.intact:
            return f"audit trail BROKEN at event {self.broken_at}: {self.reason}"
        kind = (
            "not keyed (SHA-256 only)"
            if self.keyed_from is None
            else f"keyed from event {self.keyed_from}"
        )
        again = "" if self.checked == self.events else f" ({self.checked} checked now)"
        note = f"; {self.note}" if self.note else ""
        return f"audit trail intact: {self.events} events{again}, every hash chained, {kind}{note}"

    def as_dict(self) -> dict[str, Any]:
        return {
            **{name: getattr(self, name) for name in self.__dataclass_fields__},
            "intact": self.intact,
            "summary": self.summary(),
        }


def _stamp(at: dt.datetime) -> str:
    # One textual form on both databases (SQLite drops the zone, PostgreSQL keeps it).
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _body(parts: list[Any]) -> bytes:
    return json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


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
    """The unkeyed hash: SHA-256 (registers before the key, and runs without one)."""
    body = _body([prev_hash, at, actor, role, action, record, screen, detail])
    return hashlib.sha256(body).hexdigest()


def keyed_hash(key: bytes, event_id: int, prev_hash: str, *content: Any) -> str:
    """The keyed hash: HMAC-SHA256 under ``key`` over the id, the previous hash and content."""
    body = _body(["victim-monitor audit event", event_id, prev_hash, *content])
    return hmac.digest(key, body, "sha256").hex()  # the one-shot C path: verify is a loop of these


def key_id(key: bytes) -> str:
    """A short name of the key that tells keys apart without revealing one."""
    return hmac.new(key, b"victim-monitor audit key id", hashlib.sha256).hexdigest()[:16]


def _keyed_by(conn: Connection) -> str | None:
    """The key id the trail is keyed under, or None while it is SHA-256 only."""
    engine = conn.engine
    known = _KEYED_BY.get(engine)
    if known is not None:
        return known  # once keyed, always: the keyed event is never deleted (append-only)
    detail = conn.scalar(_KEYED_EVENT)
    if detail is None:
        return None
    _KEYED_BY[engine] = found = str(dict(detail).get("key_id", ""))
    return found


def _sealed(
    key: bytes | None, event_id: int, prev_hash: str, row: dict[str, Any]
) -> dict[str, Any]:
    """``row`` with its id, the previous event's hash and its own: a row of the table."""
    content = [_stamp(row["at"]), *(row[c] for c in ("actor", "role", "action", "record"))]
    content += [row["screen"], row["detail"]]
    digest = (
        event_hash(prev_hash, *content)
        if key is None
        else keyed_hash(key, event_id, prev_hash, *content)
    )
    return {**row, "id": event_id, "prev_hash": prev_hash, "hash": digest}


def _insert(conn: Connection, key: bytes | None, event_id: int, prev_hash: str, **row: Any) -> str:
    sealed = _sealed(key, event_id, prev_hash, row)
    conn.execute(_INSERT, [sealed])
    return str(sealed["hash"])


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
    """Add one event at the end of the chain, under the engine's key if any; returns its hash.

    The first append under a key writes the ``audit_keyed`` event first. An unkeyed append to
    a keyed trail is refused (:class:`AuditKeyError`): it would break the chain.
    """
    row = event_row(actor, role, action, record, screen, detail)
    return append_rows(engine, [row])[0]


def event_row(
    actor: str,
    role: str,
    action: str,
    record: str = "",
    screen: str = "",
    detail: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One event as :func:`append_rows` takes it, stamped now and cut to the columns' sizes."""
    return {
        "at": dt.datetime.now(dt.UTC),
        "actor": actor[:64],
        "role": role[:16],
        "action": action[:32],
        "record": record[:200],
        "screen": screen[:200],
        "detail": dict(detail or {}),
    }


def append_rows(engine: Engine, rows: list[dict[str, Any]]) -> list[str]:
    """Add events (from :func:`event_row`) in order, in one transaction; returns their hashes.

    One commit for many events: a busy workspace's appends share the commit's fsync
    (:mod:`victim_monitor.web.audit_batch`).
    """
    key = _KEYS.get(engine)
    hashes: list[str] = []
    with exclusive(engine, LOCK) as conn:
        last_id, prev_hash = _tail(conn)
        keyed_by = _keyed_by(conn)
        if key is None and keyed_by is not None:
            raise AuditKeyError(f"the audit trail is keyed (key {keyed_by}): no audit key is set")
        if key is not None and keyed_by is None and rows:
            last_id += 1
            prev_hash = _insert(conn, key, last_id, prev_hash, **_keyed_row(key, rows[0]["at"]))
        sealed = []
        for row in rows:
            last_id += 1
            sealed.append(_sealed(key, last_id, prev_hash, row))
            prev_hash = sealed[-1]["hash"]
            hashes.append(prev_hash)
        if sealed:
            conn.execute(_INSERT, sealed)  # one statement for the batch (executemany)
    return hashes


# The statements of every append and page view, built once (building one and its cache key
# cost as much as running it).
_INSERT = audit_events.insert()
_TAIL = select(audit_events.c.id, audit_events.c.hash).order_by(audit_events.c.id.desc()).limit(1)
_KEYED_EVENT = (
    select(audit_events.c.detail)
    .where(audit_events.c.action == KEYED_ACTION)
    .order_by(audit_events.c.id)
    .limit(1)
)
_LATEST = select(audit_events).order_by(audit_events.c.id.desc()).limit(bindparam("limit"))
_AT = select(audit_events).where(audit_events.c.id == bindparam("event_id"))
_AFTER = (
    select(audit_events)
    .where(audit_events.c.id > bindparam("after"))
    .order_by(audit_events.c.id)
    .limit(bindparam("batch"))
)


def _tail(conn: Connection) -> tuple[int, str]:
    last = conn.execute(_TAIL).first()
    return (int(last.id), str(last.hash)) if last else (0, GENESIS)


def _keyed_row(key: bytes, at: dt.datetime) -> dict[str, Any]:
    return {
        "at": at,
        "actor": "system",
        "role": "-",
        "action": KEYED_ACTION,
        "record": "audit_trail",
        "screen": "",
        "detail": {"chain": KEYED_CHAIN, "key_id": key_id(key)},
    }


def use_key(engine: Engine, key: bytes | None) -> None:
    """Chain this engine's appends under ``key`` (None: SHA-256 only), after checking the trail.

    With a key, a trail not yet keyed gets its ``audit_keyed`` event now, so that from every
    start on a keyed deployment's trail ends in keyed events. Raises :class:`AuditKeyError`
    when the trail is keyed under another key, or keyed while ``key`` is None.
    """
    with engine.connect() as conn:
        keyed_by = _keyed_by(conn)
    if keyed_by is not None and key is None:
        raise AuditKeyError(
            f"the audit trail is keyed (key {keyed_by}); set VICTIM_MONITOR_AUDIT_KEY to that key"
        )
    if keyed_by is not None and key is not None and keyed_by != key_id(key):
        raise AuditKeyError(
            f"the audit trail is keyed under key {keyed_by}, VICTIM_MONITOR_AUDIT_KEY is key "
            f"{key_id(key)}: set the key the trail was made with"
        )
    if key is None:
        _KEYS.pop(engine, None)
        return
    _KEYS[engine] = key
    if keyed_by is None:
        with exclusive(engine, LOCK) as conn:
            if _keyed_by(conn) is None:  # another worker may have keyed it meanwhile
                last_id, prev_hash = _tail(conn)
                row = _keyed_row(key, dt.datetime.now(dt.UTC))
                _insert(conn, key, last_id + 1, prev_hash, **row)


def bound_key(engine: Engine) -> bytes | None:
    return _KEYS.get(engine)


def _event(row: Any) -> AuditEvent:
    # By position, in the table's column order (a Row's lookup by name cost as much as the rest).
    id_, at, actor, role, action, record, screen, detail, prev_hash, hash_ = row
    return AuditEvent(
        int(id_),
        at.isoformat(timespec="microseconds") if at.tzinfo is None else _stamp(at),  # naive: UTC
        actor,
        role,
        action,
        record,
        screen,
        dict(detail),
        prev_hash,
        hash_,
    )


def events(
    engine: Engine, *, limit: int = 100, before: int | None = None, action: str | None = None
) -> tuple[AuditEvent, ...]:
    """The latest events (newest first), optionally before an id or of one action."""
    query = _LATEST
    if before is not None:
        query = query.where(audit_events.c.id < before)
    if action:
        query = query.where(audit_events.c.action == action)
    with engine.connect() as conn:
        return tuple(_event(row) for row in conn.execute(query, {"limit": limit}))


def event_at(engine: Engine, event_id: int) -> AuditEvent | None:
    with engine.connect() as conn:
        row = conn.execute(_AT, {"event_id": event_id}).first()
    return None if row is None else _event(row)


def _all(engine: Engine, after: int = 0, batch: int = 5000) -> Iterator[AuditEvent]:
    last = after
    while True:
        with engine.connect() as conn:
            rows = conn.execute(_AFTER, {"after": last, "batch": batch}).all()
        if not rows:
            return
        for row in rows:
            yield _event(row)
        last = int(rows[-1].id)


def _fault(event: AuditEvent, prev_id: int, prev_hash: str, keyed: bool, key: bytes | None) -> str:
    """Why ``event`` does not follow the event (prev_id, prev_hash); "" when it does."""
    if event.id != prev_id + 1:
        if prev_id == 0:
            return f"the trail starts at event {event.id}: events before it were removed"
        return f"ids jump from {prev_id} to {event.id}: events were removed"
    if event.prev_hash != prev_hash:
        return "does not point to the event before it"
    content = (event.at, event.actor, event.role, event.action, event.record, event.screen)
    if not keyed and event.action != KEYED_ACTION:
        if event_hash(prev_hash, *content, event.detail) != event.hash:
            return "its content does not match its hash"
        return ""
    if key is None:
        return "the trail is keyed from here on, but no audit key is set to verify it"
    if event.action == KEYED_ACTION and event.detail.get("key_id") != key_id(key):
        return f"keyed under key {event.detail.get('key_id')}, not the configured {key_id(key)}"
    if not hmac.compare_digest(
        keyed_hash(key, event.id, prev_hash, *content, event.detail), event.hash
    ):
        return "its content does not match its keyed hash (changed, or re-hashed without the key)"
    return ""


def verify(
    engine: Engine, *, key: bytes | None = None, since: ChainCheck | None = None
) -> ChainCheck:
    """Recompute the hashes from the first event on, or only after an intact earlier check.

    ``key`` defaults to the engine's bound key. Incremental (``since``): the event ``since``
    ended at must still be there with the same hash (else events were removed from the end or
    rewritten); then only the newer events are recomputed.
    """
    key = key if key is not None else _KEYS.get(engine)
    state = since if since is not None and since.intact else ChainCheck(0, None)
    if state.last_id:
        found = event_at(engine, state.last_id)
        if found is None or found.hash != state.last_hash:
            how = "is gone" if found is None else "has changed"
            return ChainCheck(
                state.events,
                state.last_id,
                f"verified before, it {how}: the trail was cut or rewritten",
            )
    count, prev_id, prev_hash, keyed_from = (
        state.events,
        state.last_id,
        state.last_hash,
        state.keyed_from,
    )
    checked = 0
    for event in _all(engine, after=prev_id):
        checked += 1
        fault = _fault(event, prev_id, prev_hash, keyed_from is not None, key)
        if fault:
            return ChainCheck(count, event.id, fault, prev_id, prev_hash, keyed_from, checked)
        if keyed_from is None and event.action == KEYED_ACTION:
            keyed_from = event.id
        count, prev_id, prev_hash = count + 1, event.id, event.hash
    if key is not None and count and keyed_from is None:
        return ChainCheck(
            count,
            prev_id,
            "an audit key is set but no event is keyed: the trail was re-hashed without the "
            "key, or nothing was appended since the key was set (starting the server keys it)",
            checked=checked,
        )
    return ChainCheck(count, None, "", prev_id, prev_hash, keyed_from, checked)


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
    """The whole trail as CSV, oldest first, with the hashes so that a copy can be verified.

    Through :mod:`victim_monitor.csvfile`: a username typed as ``=HYPERLINK(...)`` is written
    as ``'=HYPERLINK(...)`` (:func:`csvfile.unquote` gives back the value that was hashed).
    """
    buffer = io.StringIO()
    writer = csvfile.writer(buffer, lineterminator="\r\n")
    writer.writerow([*EXPORT_FIELDS, "hash"])
    yield buffer.getvalue()
    for event in _all(engine):
        buffer.seek(0)
        buffer.truncate()
        row = event.as_dict()
        row["detail"] = json.dumps(row["detail"], sort_keys=True, ensure_ascii=False)
        writer.writerow([row[name] for name in (*EXPORT_FIELDS, "hash")])
        yield buffer.getvalue()
