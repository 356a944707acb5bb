"""Signed checkpoints of the audit trail, kept outside the database.

A checkpoint names the last event of an intact trail (its id and hash), the number of events
and the time, signed with HMAC-SHA256 under the audit key. The operator keeps the small file
elsewhere (a ticket, a mail to oneself, another machine). Verifying the trail against it finds
what the chain alone cannot: events removed from the end (the trail now ends before the
checkpoint's event), and a trail rebuilt from scratch (the checkpoint's event has another
hash). Without an audit key a checkpoint is unsigned: it still finds a cut, but whoever can
write the database can also write a matching checkpoint.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select

from victim_monitor.storage.schema import audit_events
from victim_monitor.web import audit
from victim_monitor.web.audit import ChainCheck

FORMAT = "victim-monitor audit checkpoint 1"
MAX_BYTES = 4096  # a checkpoint is a few hundred bytes; anything longer is not one


class CheckpointError(ValueError):
    """The text is not a checkpoint (the message says what is wrong)."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The last event of an intact trail, signed under the audit key ("" when unsigned)."""

    last_id: int
    last_hash: str
    events: int
    at: str
    key_id: str = ""
    signature: str = ""

    def body(self) -> dict[str, Any]:
        fields = dataclasses.asdict(self)
        fields.pop("signature")
        return {"format": FORMAT, **fields}

    def to_json(self) -> str:
        return json.dumps({**self.body(), "signature": self.signature}, indent=1) + "\n"

    def summary(self) -> str:
        signed = f"signed with key {self.key_id}" if self.signature else "unsigned"
        return f"checkpoint at event {self.last_id} ({self.events} events, {self.at}), {signed}"


def _signature(key: bytes, body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return hmac.new(key, b"victim-monitor audit checkpoint\0" + text, hashlib.sha256).hexdigest()


def make(check: ChainCheck, key: bytes | None) -> Checkpoint:
    """A checkpoint of an intact check's last event, signed when there is a key."""
    if not check.intact:
        raise CheckpointError(f"no checkpoint of a broken trail: {check.summary()}")
    at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    plain = Checkpoint(check.last_id, check.last_hash, check.events, at)
    if key is None:
        return plain
    keyed = dataclasses.replace(plain, key_id=audit.key_id(key))
    return dataclasses.replace(keyed, signature=_signature(key, keyed.body()))


def parse(text: str | bytes) -> Checkpoint:
    """A checkpoint from its JSON file (CheckpointError when it is not one)."""
    if len(text) > MAX_BYTES:
        raise CheckpointError("not a checkpoint: the file is too long")
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"not a checkpoint: not JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"not a checkpoint: the format is not {FORMAT!r}")
    try:
        found = Checkpoint(
            last_id=_int(data["last_id"]),
            last_hash=str(data["last_hash"]),
            events=_int(data["events"]),
            at=str(data["at"]),
            key_id=str(data.get("key_id") or ""),
            signature=str(data.get("signature") or ""),
        )
    except KeyError as exc:
        raise CheckpointError(f"not a checkpoint: no {exc.args[0]!r}") from exc
    if len(found.last_hash) != 64:
        raise CheckpointError("not a checkpoint: last_hash is not a hash")
    return found


def _int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise CheckpointError(f"not a checkpoint: {value!r} is not a count")
    return value


def _signature_fault(checkpoint: Checkpoint, key: bytes | None) -> str:
    if key is None:
        return "" if not checkpoint.signature else "it is signed, but no audit key is set"
    if not checkpoint.signature:
        return "it is not signed; with an audit key set, only signed checkpoints count"
    if checkpoint.key_id != audit.key_id(key):
        return f"it is signed with key {checkpoint.key_id}, not the configured {audit.key_id(key)}"
    if not hmac.compare_digest(_signature(key, checkpoint.body()), checkpoint.signature):
        return "its signature does not match: it was changed or not made under this key"
    return ""


def verify_against(
    engine: Engine,
    checkpoint: Checkpoint,
    *,
    key: bytes | None = None,
    since: ChainCheck | None = None,
) -> ChainCheck:
    """The chain (:func:`audit.verify`, incremental from ``since``) and that it reaches the
    checkpoint's event unchanged, with as many events up to it as the checkpoint counted."""
    key = key if key is not None else audit.bound_key(engine)
    fault = _signature_fault(checkpoint, key)
    if fault:
        return ChainCheck(0, checkpoint.last_id, f"the checkpoint cannot be trusted: {fault}")
    chain = audit.verify(engine, key=key, since=since)
    if not chain.intact:
        return chain
    if chain.last_id < checkpoint.last_id:
        return dataclasses.replace(
            chain,
            broken_at=chain.last_id + 1,
            reason=f"the trail ends at event {chain.last_id}, before the checkpoint's event "
            f"{checkpoint.last_id}: events were removed from the end",
        )
    event = audit.event_at(engine, checkpoint.last_id)
    found = audit.GENESIS if checkpoint.last_id == 0 else None if event is None else event.hash
    with engine.connect() as conn:
        upto = conn.scalar(
            select(func.count())
            .select_from(audit_events)
            .where(audit_events.c.id <= checkpoint.last_id)
        )
    if found != checkpoint.last_hash or upto != checkpoint.events:
        return dataclasses.replace(
            chain,
            broken_at=checkpoint.last_id,
            reason=f"event {checkpoint.last_id} or the events before it differ from the "
            "checkpoint: the trail was rebuilt",
        )
    return dataclasses.replace(chain, note=f"matches the {checkpoint.summary()}")
