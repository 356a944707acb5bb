"""Queue: what a link run puts in the review queue, and keeps up to date there.

A run adds the pairs it scored inside the review band that are not queued or decided yet,
each once, with its evidence: per comparison the level the pair reached, never a value (the
register holds none). Pending pairs that a run scores again (all of them in a full relink,
those of reports sent in a new version in an incremental run) take the new score and
evidence, or leave the queue when they fall outside the band. Decided pairs are left alone:
they keep what the reviewer saw. Decisions themselves are in ``review``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from sqlalchemy import Connection, bindparam, delete, select

from victim_monitor.storage.schema import pair_decisions


def evidence(pairs: pd.DataFrame, labels: dict[str, dict[int, str]]) -> list[dict[str, str]]:
    """Per pair, the level label reached on each comparison."""
    columns = [(name, f"gamma_{name}") for name in labels if f"gamma_{name}" in pairs]
    return [
        {name: labels[name].get(int(row[i]), str(row[i])) for i, (name, _) in enumerate(columns)}
        for row in pairs[[c for _, c in columns]].itertuples(index=False, name=None)
    ]


def refresh(
    conn: Connection,
    pairs: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    band: tuple[float, float],
    labels: dict[str, dict[int, str]],
    rescored: set[int] | None,
) -> int:
    """Bring the pending pairs up to date with this run's scores; returns how many left.

    A pending pair one of whose reports was scored again (``rescored``; ``None``: all, a full
    relink) takes this run's probability and evidence if it is still inside ``band``, and
    leaves the queue if it is not (or was not scored at all); so does a pair one of whose
    reports the register no longer holds. Decided pairs are never touched: they keep what
    the reviewer saw.
    """
    d = pair_decisions
    current = {
        (o, c): int(u)
        for o, c, u in zip(
            frame["organisation_code"], frame["case_reference"], frame["unique_id"], strict=True
        )
    }
    query = select(
        d.c.id, d.c.organisation_code_l, d.c.case_reference_l, d.c.organisation_code_r,
        d.c.case_reference_r, d.c.report_id_l, d.c.report_id_r,
    ).where(d.c.status == "pending")  # fmt: skip
    gone: list[int] = []
    wanted: dict[int, tuple[int, int]] = {}
    for row in conn.execute(query):
        a = current.get((row.organisation_code_l, row.case_reference_l))
        b = current.get((row.organisation_code_r, row.case_reference_r))
        if a is None or b is None:
            gone.append(int(row.id))
            continue
        stale = (a, b) != (row.report_id_l, row.report_id_r)
        if rescored is None or stale or a in rescored or b in rescored:
            wanted[int(row.id)] = (a, b)
    if wanted:
        low, high = band
        want = pd.DataFrame(
            [(pid, min(a, b), max(a, b)) for pid, (a, b) in wanted.items()],
            columns=["pid", "unique_id_l", "unique_id_r"],
        )
        scored = want.merge(pairs, on=["unique_id_l", "unique_id_r"], how="inner")
        probability = scored["match_probability"]
        kept = scored[(probability >= low) & (probability < high)]
        gone.extend(sorted(set(wanted) - {int(i) for i in kept["pid"]}))
        updates = [
            {"pid": pid, "l": wanted[pid][0], "r": wanted[pid][1], "w": float(w),
             "p": float(p), "ev": ev}
            for pid, w, p, ev in zip(
                kept["pid"].tolist(), kept["match_weight"], kept["match_probability"],
                evidence(kept, labels), strict=True,
            )
        ]  # fmt: skip
        if updates:
            conn.execute(
                d.update()
                .where(d.c.id == bindparam("pid"), d.c.status == "pending")
                .values(
                    report_id_l=bindparam("l"), report_id_r=bindparam("r"),
                    match_weight=bindparam("w"), match_probability=bindparam("p"),
                    evidence=bindparam("ev"),
                ),
                updates,
            )  # fmt: skip
    for start in range(0, len(gone), 5000):
        chunk = gone[start : start + 5000]
        # Only if still pending: a reviewer may have decided it while this run computed.
        conn.execute(delete(d).where(d.c.id.in_(chunk), d.c.status == "pending"))
    return len(gone)


def add(
    conn: Connection,
    pairs: pd.DataFrame,
    frame: pd.DataFrame,
    *,
    band: tuple[float, float],
    labels: dict[str, dict[int, str]],
    run_id: int,
) -> int:
    """Add the pairs inside ``band`` that are not yet queued or decided; returns how many."""
    low, high = band
    inside = pairs[(pairs["match_probability"] >= low) & (pairs["match_probability"] < high)]
    if inside.empty:
        return 0
    ident = frame.set_index("unique_id")[["organisation_code", "case_reference"]]
    left = ident.loc[inside["unique_id_l"].to_numpy()].to_numpy()
    right = ident.loc[inside["unique_id_r"].to_numpy()].to_numpy()
    d = pair_decisions
    seen = {
        (r[0], r[1], r[2], r[3])
        for r in conn.execute(
            select(
                d.c.organisation_code_l, d.c.case_reference_l,
                d.c.organisation_code_r, d.c.case_reference_r,
            )
        )
    }  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    rows: list[Sequence[object]] = []
    for (ol, cl), (orr, cr), ev, (uid_l, uid_r, weight, probability) in zip(
        left,
        right,
        evidence(inside, labels),
        inside[["unique_id_l", "unique_id_r", "match_weight", "match_probability"]].itertuples(
            index=False, name=None
        ),
        strict=True,
    ):
        key = (ol, cl, orr, cr)
        if key in seen or (orr, cr, ol, cl) in seen:
            continue
        seen.add(key)
        rows.append(
            (ol, cl, orr, cr, int(uid_l), int(uid_r), float(weight), float(probability),
             ev, "pending", run_id, now)
        )  # fmt: skip
    if rows:
        conn.execute(d.insert(), [dict(zip(_QUEUE_COLUMNS, row, strict=True)) for row in rows])
    return len(rows)


_QUEUE_COLUMNS = (
    "organisation_code_l",
    "case_reference_l",
    "organisation_code_r",
    "case_reference_r",
    "report_id_l",
    "report_id_r",
    "match_weight",
    "match_probability",
    "evidence",
    "status",
    "queued_run_id",
    "queued_at",
)
