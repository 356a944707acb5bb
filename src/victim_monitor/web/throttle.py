"""The login throttle: growing delays that slow a password guesser without locking anyone out.

Failed logins are read from the audit trail (so every worker sees the same), in four buckets:

- a username from one address (the owner's typos, or a guesser at one address);
- a username from all addresses (a guesser spread over many addresses);
- an address over all usernames (a password sprayed over many accounts);
- a username from one *known browser*: one that holds the signed device cookie set at a
  successful login of that user. Its failures count here only, and nothing from elsewhere
  counts against it, so the owner logs in from their own browser while a guesser is slowed.

A bucket with ``n`` failures, ``n >= free``, refuses the next attempt until its last failure
plus ``min(BASE * 2**(n - free), CAP)``: a guesser gets some 100 tries a day per bucket
instead of millions, and an owner who mistyped waits seconds. A failure counts for
``WINDOW``; a successful login clears its own browser's bucket and, without a device cookie,
the bucket of its username and address (and so their share of the other two); an admin clears
a username or an address with an audit event (``clear_throttle``), so the append-only trail
stays the only record. Refused attempts verify no password and are not recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, and_, or_, select

from victim_monitor.storage.schema import audit_events
from victim_monitor.web import audit

WINDOW = dt.timedelta(hours=24)  # a failure older than a day no longer counts
BASE = 1.0  # seconds: the first delay
CAP = 15 * 60.0  # seconds: the longest delay, so that an owner never waits more than this
FREE_PER_USER_CLIENT = 5  # typos allowed before the first delay
FREE_PER_USER = 10  # all addresses together: a guesser on many addresses
FREE_PER_CLIENT = 20  # all usernames together: a shared address (an office, a proxy) has many
FREE_PER_DEVICE = 5
IN_FLIGHT_PER_CLIENT = 2  # attempts verified at once per address, in one worker

DEVICE_COOKIE = "vm_device"
DEVICE_DAYS = 90

FAILED, SUCCEEDED, CLEARED = "login_failed", "login", "clear_throttle"


T = TypeVar("T")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who tries to log in from where; ``device`` is the tag of a valid device cookie."""

    username: str
    client: str
    device: str | None = None

    def detail(self) -> dict[str, str]:
        """What the audit event of this attempt records (and the throttle reads back)."""
        found = {"client": self.client}
        if self.device:
            found["device"] = self.device
        return found


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether an attempt may go ahead now, or after how long, and which bucket says so."""

    wait: float
    bucket: str = ""
    failures: int = 0

    @property
    def allowed(self) -> bool:
        return self.wait <= 0

    @property
    def retry_after(self) -> int:
        """Whole seconds, for the ``Retry-After`` header."""
        return max(1, math.ceil(self.wait))


def delay(failures: int, free: int) -> float:
    """Seconds to wait after the last of ``failures``, with ``free`` failures allowed."""
    if failures < free:
        return 0.0
    return min(BASE * 2.0 ** min(failures - free, 32), CAP)


def _at(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _events(engine: Engine, attempt: Attempt, since: dt.datetime) -> list[Any]:
    client = audit_events.c.detail["client"].as_string()
    query = select(
        audit_events.c.action,
        audit_events.c.record,
        audit_events.c.detail,
        audit_events.c.at,
    ).where(
        audit_events.c.at >= since,
        or_(
            and_(
                audit_events.c.action.in_((FAILED, SUCCEEDED)),
                or_(audit_events.c.record == f"user:{attempt.username}", client == attempt.client),
            ),
            audit_events.c.action == CLEARED,  # rare: an admin's
        ),
    )
    with engine.connect() as conn:
        return list(conn.execute(query))


@dataclass(slots=True)
class _Clears:
    pair: dict[tuple[str, str], dt.datetime]
    device: dict[tuple[str, str], dt.datetime]
    admin: dict[str, dt.datetime]  # "user:NAME" or "client:ADDRESS"

    def after(self, record: str, client: str, device: str | None) -> dt.datetime:
        """The latest clear of the bucket a failure of ``record`` from there falls in."""
        found = [self.admin.get(record)]
        if device:
            found.append(self.device.get((record, device)))
        else:
            found += [self.pair.get((record, client)), self.admin.get(f"client:{client}")]
        return max((at for at in found if at is not None), default=_EPOCH)


def _clears(rows: list[Any]) -> _Clears:
    clears = _Clears({}, {}, {})
    for row in rows:
        at, detail = _at(row.at), row.detail or {}
        if row.action == CLEARED:
            clears.admin[row.record] = max(at, clears.admin.get(row.record, at))
        elif row.action == SUCCEEDED:
            device = detail.get("device")
            target = clears.device if device else clears.pair
            key = (row.record, device or str(detail.get("client", "")))
            target[key] = max(at, target.get(key, at))
    return clears


def check(engine: Engine, attempt: Attempt, now: dt.datetime | None = None) -> Verdict:
    """How long ``attempt`` must wait (0: it may go ahead), from the audit trail."""
    now = now or _now()
    rows = _events(engine, attempt, now - WINDOW)
    clears = _clears(rows)
    counts: Counter[str] = Counter()
    last: dict[str, dt.datetime] = {}
    user = f"user:{attempt.username}"
    for row in rows:
        if row.action != FAILED:
            continue
        at, detail = _at(row.at), row.detail or {}
        client, device = str(detail.get("client", "")), detail.get("device")
        if at <= clears.after(row.record, client, device):
            continue
        if device:
            buckets = ["device"] if (row.record, device) == (user, attempt.device) else []
        else:
            buckets = [
                name
                for name, hit in (
                    ("user_client", row.record == user and client == attempt.client),
                    ("user", row.record == user),
                    ("client", client == attempt.client),
                )
                if hit
            ]
        for name in buckets:
            counts[name] += 1
            last[name] = max(at, last.get(name, at))
    free = (
        {"device": FREE_PER_DEVICE}
        if attempt.device
        else {
            "user_client": FREE_PER_USER_CLIENT,
            "user": FREE_PER_USER,
            "client": FREE_PER_CLIENT,
        }
    )
    verdict = Verdict(0.0)
    for name, allowed in free.items():
        if name in last:
            wait = (last[name] - now).total_seconds() + delay(counts[name], allowed)
            if wait > verdict.wait:
                verdict = Verdict(wait, name, counts[name])
    return verdict


def record_failure(engine: Engine, attempt: Attempt, screen: str) -> None:
    """A failed login (or a wrong current password) in the audit trail, where it counts."""
    audit.append(
        engine,
        actor=attempt.username or "-",
        role="-",
        action=FAILED,
        record=f"user:{attempt.username}",
        screen=screen,
        detail=attempt.detail(),
    )


def guarded(
    engine: Engine, attempt: Attempt, verify: Callable[[], T | None], screen: str
) -> tuple[T | None, Verdict]:
    """``verify()`` when the throttle allows the attempt now, its failure recorded.

    Blocking (the audit trail and argon2): run it in a worker thread from a route.
    """
    verdict = check(engine, attempt)
    if not verdict.allowed:
        return None, verdict
    with slot(attempt) as free:
        if not free:
            return None, Verdict(1.0, "in_flight")
        found = verify()
        if found is None:
            record_failure(engine, attempt, screen)
    return found, verdict


# --- at most one attempt per username and a few per address at once, in this worker --------
# Without this, many attempts sent at once would all pass the check before any failure is
# recorded. Other workers have their own (a few more at once, not a burst).

_lock = threading.Lock()
_busy: Counter[str] = Counter()


@contextmanager
def slot(attempt: Attempt) -> Iterator[bool]:
    """True while this attempt may be verified now; False when too many are in flight."""
    keys = [f"user:{attempt.username}:{attempt.device or ''}", f"client:{attempt.client}"]
    with _lock:
        free = _busy[keys[0]] < 1 and _busy[keys[1]] < IN_FLIGHT_PER_CLIENT
        if free:
            _busy.update(keys)
    try:
        yield free
    finally:
        if free:
            with _lock:
                _busy.subtract(keys)
                for key in keys:
                    if _busy[key] <= 0:
                        del _busy[key]


# --- the device cookie: a known browser ------------------------------------------------------


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), f"device:{body}".encode(), hashlib.sha256).hexdigest()


def device_cookie(secret: str, username: str, device: str | None = None) -> str:
    """The cookie value naming this browser as one ``username`` logged in from (now)."""
    device = device or secrets.token_urlsafe(16)
    body = f"{username}:{device}:{int(_now().timestamp())}"
    return f"{body}:{_sign(secret, body)}"


def device_of(secret: str, cookie: str | None, username: str) -> str | None:
    """The device id of a valid, unexpired cookie of ``username``, or None."""
    if not cookie or len(cookie) > 300:
        return None
    body, _, signature = cookie.rpartition(":")
    name, _, rest = body.partition(":")
    device, _, issued = rest.partition(":")
    if not hmac.compare_digest(_sign(secret, body), signature) or name != username:
        return None
    age = _now().timestamp() - int(issued) if issued.isdigit() else math.inf
    return device if 0 <= age <= DEVICE_DAYS * 86400 else None


def device_tag(device: str | None) -> str | None:
    """What the audit trail records of a device: a hash, not the cookie's id."""
    return hashlib.sha256(device.encode()).hexdigest()[:16] if device else None
