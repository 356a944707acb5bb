"""Store: the linkage tables of the register, read before a run and written after it.

The narrow seam between linkage and storage: everything a run reads (the last run and its
model, who is whom, the persons) and writes (runs, persons, membership, links, the change
log). Writing happens in one transaction that first takes the register's linkage lock
(``BEGIN IMMEDIATE`` on SQLite, a table lock on PostgreSQL) and checks that no other run
finished since this one read, so two runs can never interleave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, delete, func, select

from victim_monitor.linkage import codes
from victim_monitor.linkage.changes import Assignment, Decided
from victim_monitor.linkage.codes import ConcurrentRunError
from victim_monitor.linkage.model import Model
from victim_monitor.linkage.persons import ATTRIBUTES, unequal
from victim_monitor.storage.bulk import insert_rows
from victim_monitor.storage.locks import table_writer
from victim_monitor.storage.schema import (
    linkage_runs,
    person_changes,
    person_reports,
    persons,
    report_links,
    reports,
)

CHUNK = 5000


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    model: Model
    rules: dict[str, Any] | None = None
    """The rules the run applied (``rules.Rules.as_dict``); None for runs before 0005."""
    threshold: float = 0.8
    reports: int = 0
    """The current reports the run linked (its model's prior is for this many)."""


@dataclass(frozen=True, slots=True)
class State:
    """The linkage state a run starts from."""

    last_run: Run | None
    membership: pd.DataFrame  # organisation_code, case_reference, report_id, person_id
    persons: pd.DataFrame  # index id; ATTRIBUTES and status of every person
    next_person_id: int


def read_state(conn: Connection) -> State:
    runs = linkage_runs.c
    row = conn.execute(
        select(runs.id, runs.model, runs.rules, runs.threshold, runs.reports_linked)
        .order_by(runs.id.desc())
        .limit(1)
    ).first()
    last = (
        None
        if row is None
        else Run(
            int(row.id),
            Model.from_json(row.model),
            row.rules,
            float(row.threshold),
            int(row.reports_linked),
        )
    )
    membership = pd.DataFrame(
        conn.execute(
            select(
                person_reports.c.organisation_code,
                person_reports.c.case_reference,
                person_reports.c.report_id,
                person_reports.c.person_id,
            )
        ).all(),
        columns=["organisation_code", "case_reference", "report_id", "person_id"],
    )
    existing = pd.DataFrame(
        conn.execute(
            select(persons.c.id, persons.c.status, *(persons.c[a] for a in ATTRIBUTES))
        ).all(),
        columns=["id", "status", *ATTRIBUTES],
    ).set_index("id")
    top = conn.scalar(select(func.max(persons.c.id)))
    return State(last, membership, existing, int(top or 0) + 1)


def old_persons(frame: pd.DataFrame, membership: pd.DataFrame) -> pd.Series:
    """Earlier person of each current report, by identity (NA for a new identity)."""
    keys = pd.MultiIndex.from_frame(frame[["organisation_code", "case_reference"]])
    found = membership.set_index(["organisation_code", "case_reference"])["person_id"]
    return pd.Series(found.reindex(keys).to_numpy(), index=frame.index, dtype="Int64")


def renewed(frame: pd.DataFrame, membership: pd.DataFrame) -> pd.Series:
    """Current reports whose identity was linked in an earlier version."""
    keys = pd.MultiIndex.from_frame(frame[["organisation_code", "case_reference"]])
    linked = membership.set_index(["organisation_code", "case_reference"])["report_id"]
    version = pd.Series(linked.reindex(keys).to_numpy(), index=frame.index, dtype="Int64")
    return version.notna() & (version != frame["unique_id"])


def persons_to_split(frame: pd.DataFrame, old: pd.Series, decided: Decided) -> set[int]:
    """Earlier persons holding both reports of a "different" decision."""
    person = dict(zip(frame["unique_id"], old, strict=True))
    found: set[int] = set()
    for a, b in decided.different:
        pa, pb = person.get(a), person.get(b)
        if pa is not None and pb is not None and not pd.isna(pa) and pa == pb:
            found.add(int(pa))
    return found


def links_among(engine: Engine, ids: Sequence[int]) -> pd.DataFrame:
    """Stored links between the given report ids."""
    wanted = set(ids)
    rows: list[tuple[int, int, float]] = []
    with engine.connect() as conn:
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start : start + CHUNK])
            query = select(
                report_links.c.report_id_l,
                report_links.c.report_id_r,
                report_links.c.match_probability,
            ).where(report_links.c.report_id_l.in_(chunk))
            rows.extend(
                (int(a), int(b), float(p)) for a, b, p in conn.execute(query) if int(b) in wanted
            )
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


def stored_links(conn: Connection, prior: float) -> pd.DataFrame:
    """The stored links between current reports, with their probabilities under ``prior``.

    Each run scored its pairs with the register's prior of the time; the match weight less
    that run's prior weight, plus the given prior's, is what the pair scores now.
    """
    runs = linkage_runs.c
    priors = {
        int(i): Model.from_json(m).prior for i, m in conn.execute(select(runs.id, runs.model))
    }
    current = select(reports.c.id).where(reports.c.is_current.is_(True))
    links = report_links.c
    rows = conn.execute(
        select(links.report_id_l, links.report_id_r, links.match_weight, links.run_id).where(
            links.report_id_l.in_(current) & links.report_id_r.in_(current)
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_weight", "run_id"])

    def logit(p: float) -> float:
        return float(np.log2(p / (1 - p)))

    shift = frame["run_id"].map({i: logit(prior) - logit(p) for i, p in priors.items()})
    weight = frame["match_weight"].to_numpy(float) + shift.to_numpy(float)
    return pd.DataFrame(
        {
            "unique_id_l": frame["unique_id_l"].astype("int64"),
            "unique_id_r": frame["unique_id_r"].astype("int64"),
            "match_probability": 1.0 / (1.0 + np.exp2(-weight)),
        }
    )


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the register's linkage lock: no other run writes meanwhile."""
    with table_writer(engine, linkage_runs) as conn:
        yield conn


def check_unchanged(conn: Connection, state: State) -> None:
    latest = conn.scalar(select(func.max(linkage_runs.c.id)))
    expected = None if state.last_run is None else state.last_run.id
    if latest != expected:
        said = f"another link run ({latest}) finished while this one ran; run link again"
        raise ConcurrentRunError([codes.OVERTAKEN(said)])


def insert_run(
    conn: Connection,
    *,
    started: dt.datetime,
    mode: str,
    threshold: float,
    band: tuple[float, float],
    model: Model,
    counts: dict[str, int],
    rules: dict[str, Any] | None = None,
    quality: dict[str, Any] | None = None,
) -> int:
    result = conn.execute(
        linkage_runs.insert().values(
            started_at=started,
            finished_at=dt.datetime.now(dt.UTC),
            mode=mode,
            threshold=threshold,
            review_low=band[0],
            review_high=band[1],
            model=model.to_json(),
            rules=rules,
            quality=quality,
            **counts,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _value(value: Any) -> Any:
    """Plain Python values for the driver (no numpy or pandas scalars, NA as None)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_persons(
    conn: Connection, attributes: pd.DataFrame, result: Assignment, state: State, run_id: int
) -> None:
    """Insert new persons, update changed ones, retire the ones without reports."""
    existing = state.persons
    index = attributes.index
    fresh = ~index.isin(existing.index) | index.isin(list(result.created))
    new_rows = [
        (int(person), "active", None, *(_value(v) for v in row), run_id, run_id)
        for person, row in zip(index[fresh], attributes[fresh].itertuples(index=False), strict=True)
    ]
    kept = attributes[~fresh]
    before = existing.reindex(kept.index)
    changed = (before["status"] != "active").to_numpy(copy=True)  # written to below
    for attribute in ATTRIBUTES:
        changed |= unequal(kept[attribute], before[attribute])
    updates = [
        {"pid": int(person), **{a: _value(v) for a, v in zip(ATTRIBUTES, row, strict=True)}}
        for person, row in zip(
            kept.index[changed], kept[changed].itertuples(index=False), strict=True
        )
    ]
    columns = ["id", "status", "merged_into", *ATTRIBUTES, "created_run_id", "updated_run_id"]
    insert_rows(conn, "persons", columns, new_rows)
    if updates:
        statement = (
            persons.update()
            .where(persons.c.id == bindparam("pid"))
            .values(status="active", updated_run_id=run_id, **{a: bindparam(a) for a in ATTRIBUTES})
        )
        conn.execute(statement, updates)
    if result.retired:
        conn.execute(
            persons.update()
            .where(persons.c.id == bindparam("pid"))
            .values(status="retired", merged_into=bindparam("into"), updated_run_id=run_id),
            [{"pid": p, "into": into} for p, into in result.retired.items()],
        )


def write_membership(
    conn: Connection,
    frame: pd.DataFrame,
    person: np.ndarray[Any, np.dtype[np.int64]],
    state: State,
    run_id: int,
) -> None:
    """Bring ``person_reports`` to the new assignment, touching only rows that changed."""
    now = pd.DataFrame(
        {
            "organisation_code": frame["organisation_code"].to_numpy(),
            "case_reference": frame["case_reference"].to_numpy(),
            "report_id": frame["unique_id"].to_numpy(np.int64),
            "person_id": person,
        }
    )
    before = state.membership.set_index(["organisation_code", "case_reference"])
    keys = pd.MultiIndex.from_frame(now[["organisation_code", "case_reference"]])
    was = before.reindex(keys)
    same = (was["report_id"].to_numpy() == now["report_id"].to_numpy()) & (
        was["person_id"].to_numpy() == now["person_id"].to_numpy()
    )
    changed = now[~same]
    stale = was["report_id"].to_numpy()[~same]
    stale = [int(r) for r in stale if not pd.isna(r)]
    for start in range(0, len(stale), CHUNK):
        chunk = stale[start : start + CHUNK]
        conn.execute(delete(person_reports).where(person_reports.c.report_id.in_(chunk)))
    rows = [
        (o, c, int(r), int(p), run_id) for o, c, r, p in changed.itertuples(index=False, name=None)
    ]
    columns = ["organisation_code", "case_reference", "report_id", "person_id", "run_id"]
    insert_rows(conn, "person_reports", columns, rows)


def write_links(conn: Connection, pairs: pd.DataFrame, run_id: int, full: bool) -> None:
    """Keep the scored pairs; drop links of report versions that are no longer current."""
    if full:
        conn.execute(delete(report_links))
    else:
        current = select(reports.c.id).where(reports.c.is_current.is_(True))
        conn.execute(
            delete(report_links).where(
                report_links.c.report_id_l.not_in(current)
                | report_links.c.report_id_r.not_in(current)
            )
        )
    rows = [
        (int(a), int(b), float(w), float(p), run_id)
        for a, b, w, p in pairs[
            ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
        ].itertuples(index=False, name=None)
    ]
    columns = ["report_id_l", "report_id_r", "match_weight", "match_probability", "run_id"]
    insert_rows(conn, "report_links", columns, rows)


def write_changes(
    conn: Connection,
    changes: list[dict[str, Any]],
    attributes: pd.DataFrame,
    state: State,
    run_id: int,
) -> None:
    """Append the change log, with each person's year before and after the run."""
    if not changes:
        return
    now = dt.datetime.now(dt.UTC)
    before = state.persons["year"] if len(state.persons) else pd.Series(dtype="int64")
    after = attributes["year"]
    rows = [
        {
            **change,
            "run_id": run_id,
            "changed_at": now,
            "person_id": int(change["person_id"]),
            "other_person_id": _value(change["other_person_id"]),
            "match_probability": _value(change["match_probability"]),
            "pair_decision_id": _value(change["pair_decision_id"]),
            "detail": change.get("detail"),
            "year_before": _value(before.get(change["person_id"])),
            "year_after": None
            if change["action"] in ("merged", "retired")
            else _value(after.get(change["person_id"])),
        }
        for change in changes
    ]
    for start in range(0, len(rows), CHUNK * 10):
        conn.execute(person_changes.insert(), rows[start : start + CHUNK * 10])
