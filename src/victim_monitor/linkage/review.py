"""Review: uncertain pairs for registry staff, and their decisions, which later runs respect.

A pair of reports whose match probability falls inside the review band goes to the queue
once (``queue`` puts it there and keeps it up to date), with its evidence: for each
comparison the level the pair reached ("same date", "one part exact, other phonetic", ...).
The register holds no clear names, so neither does the queue. A decision, "same" or
"different", is kept by report identity (organisation and case reference), so it still holds
when a report is sent again in a new version; it overrides the model from the next link run
on (a "different" pair is a cannot-link, a "same" pair a link). Decisions that contradict
each other are refused, so that every run can respect them all. Every decision is also
appended to the pair's history (who, when, why, and what it replaced), which is never
changed: changing a decision adds an entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, Select, and_, bindparam, func, or_, select

from victim_monitor.linkage import codes
from victim_monitor.linkage.changes import Decided
from victim_monitor.linkage.codes import ReviewError
from victim_monitor.linkage.status import quality_in
from victim_monitor.linkage.threshold import Expected
from victim_monitor.storage.schema import (
    pair_decision_history,
    pair_decisions,
    person_reports,
    report_links,
    reports,
)

DECISIONS = ("same", "different")
CHUNK = 5000


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    """One decision in a pair's history; ``replaces`` is the status it replaced.

    ``replaces`` is ``pending`` for the first decision on a pair, the earlier decision when
    it was changed, and None when not known (recorded before the history was kept).
    """

    id: int
    decision: str
    reviewer: str
    reason: str | None
    decided_at: str
    replaces: str | None
    replaces_id: int | None

    def summary(self) -> str:
        was = self.replaces or "unknown (recorded before the history was kept)"
        why = f": {self.reason}" if self.reason else ""
        return f"{self.decided_at[:19]} {self.reviewer}: {self.decision} (was {was}){why}"


@dataclass(frozen=True, slots=True)
class ReviewPair:
    """One pair of reports in the queue (or decided), with its evidence."""

    id: int
    organisation_l: str
    case_reference_l: str
    organisation_r: str
    case_reference_r: str
    report_id_l: int
    report_id_r: int
    match_probability: float
    match_weight: float
    evidence: dict[str, str]
    status: str
    person_l: int | None
    person_r: int | None
    reviewer: str | None
    reason: str | None
    decided_at: str | None
    history: tuple[DecisionEntry, ...] = ()
    """Every decision on the pair, oldest first (the last one is in force)."""

    def summary(self) -> str:
        """The reports and probability, the evidence, then the decisions, oldest first."""
        head = (
            f"#{self.id} [{self.status}] {self.organisation_l} {self.case_reference_l}  ~  "
            f"{self.organisation_r} {self.case_reference_r}  "
            f"p={self.match_probability:.3f} (weight {self.match_weight:+.1f})"
        )
        evidence = ", ".join(f"{k}: {v}" for k, v in self.evidence.items())
        decisions = "".join(f"\n    decided {entry.summary()}" for entry in self.history)
        return f"{head}\n    {evidence}{decisions}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _pairs_query() -> Select[Any]:
    d = pair_decisions
    left = person_reports.alias("left_person")
    right = person_reports.alias("right_person")
    return (
        select(d, left.c.person_id.label("person_l"), right.c.person_id.label("person_r"))
        .outerjoin(
            left,
            and_(
                left.c.organisation_code == d.c.organisation_code_l,
                left.c.case_reference == d.c.case_reference_l,
            ),
        )
        .outerjoin(
            right,
            and_(
                right.c.organisation_code == d.c.organisation_code_r,
                right.c.case_reference == d.c.case_reference_r,
            ),
        )
        .order_by(d.c.id)
    )


# Built once, as are their variants below: making the aliases and joins anew took as long as
# running the query, and a statement's cache key is worked out once per statement object (the
# review page reads a page of pairs at every view).
_PAIRS = _pairs_query()
_ONE = _PAIRS.where(pair_decisions.c.id == bindparam("pair_id"))
_LISTINGS: dict[tuple[str, bool], Select[Any]] = {}
_COUNTS: dict[str, Select[Any]] = {}


def _listing(status: str, paged: bool) -> Select[Any]:
    """The pairs with ``status``; ``paged``: with ``limit`` and ``offset`` parameters."""
    found = _LISTINGS.get((status, paged))
    if found is None:
        found = _PAIRS.where(*_status(status))
        if paged:
            found = found.limit(bindparam("limit")).offset(bindparam("offset"))
        _LISTINGS[(status, paged)] = found
    return found


def _pairs(
    conn: Connection, query: Select[Any], params: dict[str, Any] | None = None
) -> tuple[ReviewPair, ...]:
    rows = conn.execute(query, params or {}).all()
    history = _history(conn, [int(row.id) for row in rows])
    return tuple(
        ReviewPair(
            id=row.id,
            organisation_l=row.organisation_code_l,
            case_reference_l=row.case_reference_l,
            organisation_r=row.organisation_code_r,
            case_reference_r=row.case_reference_r,
            report_id_l=int(row.report_id_l),
            report_id_r=int(row.report_id_r),
            match_probability=float(row.match_probability),
            match_weight=float(row.match_weight),
            evidence=dict(row.evidence),
            status=row.status,
            person_l=row.person_l,
            person_r=row.person_r,
            reviewer=row.reviewer,
            reason=row.reason,
            decided_at=None if row.decided_at is None else row.decided_at.isoformat(),
            history=history.get(int(row.id), ()),
        )
        for row in rows
    )


_HISTORY = (
    select(pair_decision_history)
    .where(pair_decision_history.c.pair_decision_id.in_(bindparam("ids", expanding=True)))
    .order_by(pair_decision_history.c.pair_decision_id, pair_decision_history.c.id)
)


def _history(conn: Connection, ids: list[int]) -> dict[int, tuple[DecisionEntry, ...]]:
    """The decision history of the given pairs, oldest first."""
    found: dict[int, list[DecisionEntry]] = {}
    for start in range(0, len(ids), CHUNK):
        for row in conn.execute(_HISTORY, {"ids": ids[start : start + CHUNK]}):
            found.setdefault(int(row.pair_decision_id), []).append(
                DecisionEntry(
                    id=int(row.id),
                    decision=row.decision,
                    reviewer=row.reviewer,
                    reason=row.reason,
                    decided_at=row.decided_at.isoformat(),
                    replaces=row.replaces,
                    replaces_id=row.replaces_id,
                )
            )
    return {pair: tuple(entries) for pair, entries in found.items()}


def review_queue(
    engine: Engine, *, status: str = "pending", limit: int | None = None, offset: int = 0
) -> tuple[ReviewPair, ...]:
    """The pairs with ``status`` (``pending``, ``same``, ``different``, or ``all``), by id;
    ``limit`` and ``offset``: one page of them (:func:`queue_size` counts them all)."""
    if limit is None:
        query, params = _listing(status, paged=False), None
        query = query.offset(offset) if offset else query
    else:
        query, params = _listing(status, paged=True), {"limit": limit, "offset": offset}
    with engine.connect() as conn:
        return _pairs(conn, query, params)


def queue_size(engine: Engine, *, status: str = "pending") -> int:
    """How many pairs have ``status`` (as :func:`review_queue`)."""
    with engine.connect() as conn:
        return int(conn.scalar(_count(status)) or 0)


def _count(status: str) -> Select[Any]:
    query = _COUNTS.get(status)
    if query is None:
        query = select(func.count()).select_from(pair_decisions).where(*_status(status))
        _COUNTS[status] = query
    return query


@dataclass(frozen=True, slots=True)
class QueuePage:
    """What the review screen shows: a page of the queue, its size, the last run's quality."""

    pairs: tuple[ReviewPair, ...]
    total: int  # pairs with the status, on every page
    quality: Expected | None  # the last run's own estimate (linkage.status.last_quality)


def queue_page(
    engine: Engine, *, status: str = "pending", limit: int, offset: int = 0
) -> QueuePage:
    """One page of the pairs with ``status``, read in one transaction with their number and the
    last run's quality (so the page and its count agree, and a view opens one connection)."""
    query, count = _listing(status, paged=True), _count(status)
    with engine.connect() as conn:
        pairs = _pairs(conn, query, {"limit": limit, "offset": offset})
        return QueuePage(pairs, int(conn.scalar(count) or 0), quality_in(conn))


def _status(status: str) -> tuple[Any, ...]:
    if status not in ("pending", "all", *DECISIONS):
        said = f"unknown status {status!r}: use pending, same, different or all"
        raise ReviewError([codes.UNKNOWN_STATUS(said)])
    return () if status == "all" else (pair_decisions.c.status == status,)


def review_pair(engine: Engine, pair_id: int) -> ReviewPair:
    """One pair, whatever its status, with its evidence and decision history."""
    with engine.connect() as conn:
        found = _pairs(conn, _ONE, {"pair_id": pair_id})
    if not found:
        raise ReviewError([codes.NO_PAIR(f"no pair #{pair_id} in the review queue")])
    return found[0]


def record_decision(
    engine: Engine, pair_id: int, decision: str, reviewer: str, reason: str = ""
) -> ReviewPair:
    """Record (or change) the decision on a queued pair; applied by the next link run."""
    _validate(decision, reviewer)
    with engine.begin() as conn:
        return _decide(conn, pair_id, decision, reviewer, reason)


def decide_reports(
    engine: Engine,
    left: tuple[str, str],
    right: tuple[str, str],
    decision: str,
    reviewer: str,
    reason: str = "",
) -> ReviewPair:
    """Decide any two reports, by (organisation, case reference), queued or not.

    For pairs the model did not put in the queue: two reports it linked that are not one
    person (a "different" decision splits the person at the next run), or two it did not.
    A pair already in the queue (in either order) gets the decision there.
    """
    _validate(decision, reviewer)
    if left == right:
        raise ReviewError([codes.SAME_REPORT("a report is always the same person as itself")])
    left, right = min(left, right), max(left, right)
    with engine.begin() as conn:
        found = conn.scalar(
            select(pair_decisions.c.id).where(
                or_(and_(*_identity(left, right)), and_(*_identity(right, left)))
            )
        )
        if found is None:
            found = _insert_decided(conn, left, right)
        return _decide(conn, int(found), decision, reviewer, reason)


def _validate(decision: str, reviewer: str) -> None:
    if decision not in DECISIONS:
        raise ReviewError(
            [codes.UNKNOWN_DECISION(f"decision must be 'same' or 'different', not {decision!r}")]
        )
    if not reviewer.strip():
        raise ReviewError([codes.NO_REVIEWER("a decision needs the reviewer's name")])


def _decide(
    conn: Connection, pair_id: int, decision: str, reviewer: str, reason: str
) -> ReviewPair:
    d = pair_decisions
    row = conn.execute(
        select(d.c.organisation_code_l, d.c.case_reference_l,
               d.c.organisation_code_r, d.c.case_reference_r, d.c.status).where(d.c.id == pair_id)
        # Two reviewers changing one pair at once: the second waits, then sees what it replaces.
        .with_for_update()
    ).first()  # fmt: skip
    if row is None:
        raise ReviewError([codes.NO_PAIR(f"no pair #{pair_id} in the review queue")])
    _check_consistent(conn, pair_id, ((row[0], row[1]), (row[2], row[3])), decision)
    now, who, why = _now(), reviewer.strip()[:64], reason or None
    conn.execute(
        d.update()
        .where(d.c.id == pair_id)
        .values(status=decision, reviewer=who, reason=why, decided_at=now)
    )
    h = pair_decision_history
    previous = conn.scalar(select(func.max(h.c.id)).where(h.c.pair_decision_id == pair_id))
    conn.execute(
        h.insert().values(
            pair_decision_id=pair_id, decision=decision, reviewer=who, reason=why,
            decided_at=now, replaces_id=previous, replaces=row[4],
        )
    )  # fmt: skip
    return _pairs(conn, _ONE, {"pair_id": pair_id})[0]


Report = tuple[str, str]


def _check_consistent(
    conn: Connection, pair_id: int, pair: tuple[Report, Report], decision: str
) -> None:
    """Refuse a decision that, with the others, says two reports are and are not one person.

    "Same" decisions join reports transitively; a "different" decision between two reports so
    joined could not be respected by any clustering, so the reviewer must change one first.
    """
    d = pair_decisions
    rows = conn.execute(
        select(d.c.id, d.c.status, d.c.organisation_code_l, d.c.case_reference_l,
               d.c.organisation_code_r, d.c.case_reference_r)
        .where(d.c.status.in_(DECISIONS), d.c.id != pair_id)
    ).all()  # fmt: skip
    decided = [(int(r[0]), r[1], (r[2], r[3]), (r[4], r[5])) for r in rows]
    decided.append((pair_id, decision, *pair))
    parent: dict[Report, Report] = {}

    def find(x: Report) -> Report:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, status, a, b in decided:
        if status == "same":
            parent[find(a)] = find(b)
    for number, status, a, b in decided:
        if status == "different" and find(a) == find(b):
            said = (
                f"this decision contradicts decision #{number} ({a[0]} {a[1]} and {b[0]} {b[1]} "
                "are different persons) through the 'same' decisions that join them; "
                "change one of those first"
            )
            raise ReviewError([codes.CONTRADICTION(said)])


def _identity(left: Report, right: Report) -> tuple[Any, ...]:
    d = pair_decisions
    return (
        d.c.organisation_code_l == left[0],
        d.c.case_reference_l == left[1],
        d.c.organisation_code_r == right[0],
        d.c.case_reference_r == right[1],
    )


def _insert_decided(conn: Connection, left: tuple[str, str], right: tuple[str, str]) -> int:
    ids = []
    for organisation, case in (left, right):
        uid = conn.scalar(
            select(reports.c.id).where(
                reports.c.organisation_code == organisation,
                reports.c.case_reference == case,
                reports.c.is_current.is_(True),
            )
        )
        if uid is None:
            raise ReviewError([codes.NO_REPORT(f"no report {organisation} {case} in the register")])
        ids.append(int(uid))
    link = conn.execute(
        select(report_links.c.match_weight, report_links.c.match_probability).where(
            report_links.c.report_id_l == min(ids), report_links.c.report_id_r == max(ids)
        )
    ).first()
    weight, probability = (float(link[0]), float(link[1])) if link else (float("-inf"), 0.0)
    result = conn.execute(
        pair_decisions.insert().values(
            organisation_code_l=left[0],
            case_reference_l=left[1],
            organisation_code_r=right[0],
            case_reference_r=right[1],
            report_id_l=ids[0],
            report_id_r=ids[1],
            match_weight=max(weight, -99.0),
            match_probability=probability,
            evidence={},
            status="pending",
            queued_at=_now(),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def decisions(conn: Connection, frame: pd.DataFrame) -> Decided:
    """The decided pairs, by the current report ids of their two reports."""
    uid = {
        (o, c): int(u)
        for o, c, u in zip(
            frame["organisation_code"],
            frame["case_reference"],
            frame["unique_id"],
            strict=True,
        )
    }
    same: dict[tuple[int, int], int] = {}
    different: dict[tuple[int, int], int] = {}
    d = pair_decisions
    query = select(
        d.c.id, d.c.status, d.c.organisation_code_l, d.c.case_reference_l,
        d.c.organisation_code_r, d.c.case_reference_r,
    ).where(d.c.status.in_(DECISIONS))  # fmt: skip
    for row in conn.execute(query):
        a = uid.get((row.organisation_code_l, row.case_reference_l))
        b = uid.get((row.organisation_code_r, row.case_reference_r))
        if a is None or b is None:
            continue
        key = (min(a, b), max(a, b))
        (same if row.status == "same" else different)[key] = int(row.id)
    return Decided(same, different)
