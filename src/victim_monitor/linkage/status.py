"""Status: what linkage holds, for ``victim-monitor status`` and the demo.

Persons per year, how many persons have 1, 2, ... reports, the capture-history table per year
(list columns as in ``../shared/mse-datasets``), the last run with its own estimate of its
quality (``threshold.Expected``), and the open review queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from victim_monitor.linkage.persons import (
    LISTS,
    capture_histories,
    persons_per_year,
    reports_per_person,
)
from victim_monitor.linkage.threshold import Expected
from victim_monitor.storage.schema import linkage_runs, pair_decisions


@dataclass(frozen=True, slots=True)
class LinkageStatus:
    last_run: dict[str, Any] | None
    persons_by_year: dict[int, int]
    reports_per_person: dict[int, int]
    histories: dict[int, pd.DataFrame]
    pending_review: int

    def summary(self) -> str:
        if self.last_run is None:
            return "linkage: not run yet (victim-monitor link)"
        run = self.last_run
        lines = [
            f"linkage: run {run['id']} ({run['mode']}, threshold {run['threshold']}) at "
            f"{run['finished_at']}; {sum(self.persons_by_year.values()):,} persons, "
            f"{self.pending_review} pairs awaiting review",
            "persons by year: "
            + ", ".join(f"{y}: {n:,}" for y, n in sorted(self.persons_by_year.items())),
            "reports per person: "
            + ", ".join(f"{k}: {n:,}" for k, n in sorted(self.reports_per_person.items())),
        ]
        quality = run.get("quality")
        if quality:
            lines.append(Expected(**quality).summary())
        for year, table in sorted(self.histories.items()):
            lines.append(f"capture histories {year} ({' '.join(LISTS)} count):")
            for row in table.itertuples(index=False, name=None):
                lines.append("  " + " ".join(str(v) for v in row[:-1]) + f" {row[-1]:>6,}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "last_run": self.last_run,
            "persons_by_year": {str(y): n for y, n in sorted(self.persons_by_year.items())},
            "reports_per_person": {str(k): n for k, n in sorted(self.reports_per_person.items())},
            "capture_histories": {
                str(y): t.to_dict(orient="records") for y, t in sorted(self.histories.items())
            },
            "pending_review": self.pending_review,
        }


def last_quality(engine: Engine) -> Expected | None:
    """The last run's own estimate of its quality (None before any run, or before 0006)."""
    with engine.connect() as conn:
        return quality_in(conn)


def quality_in(conn: Connection) -> Expected | None:
    """As :func:`last_quality`, within a transaction the caller holds."""
    found = conn.scalar(_LAST_QUALITY)
    return None if found is None else Expected(**found)


# Read at every view of the review page: built once (see linkage.review._PAIRS).
_LAST_QUALITY = select(linkage_runs.c.quality).order_by(linkage_runs.c.id.desc()).limit(1)


def linkage_status(engine: Engine) -> LinkageStatus:
    """Read the linkage state of the register."""
    with engine.connect() as conn:
        row = conn.execute(
            select(
                linkage_runs.c.id,
                linkage_runs.c.mode,
                linkage_runs.c.threshold,
                linkage_runs.c.finished_at,
                linkage_runs.c.reports_linked,
                linkage_runs.c.persons,
                linkage_runs.c.quality,
            )
            .order_by(linkage_runs.c.id.desc())
            .limit(1)
        ).first()
        pending = conn.scalar(
            select(func.count())
            .select_from(pair_decisions)
            .where(pair_decisions.c.status == "pending")
        )
    last = None
    if row is not None:
        last = {
            "id": row.id,
            "mode": row.mode,
            "threshold": row.threshold,
            "finished_at": row.finished_at.isoformat(timespec="seconds"),
            "reports_linked": row.reports_linked,
            "persons": row.persons,
            "quality": row.quality,
        }
    years = persons_per_year(engine)
    return LinkageStatus(
        last_run=last,
        persons_by_year=years,
        reports_per_person=reports_per_person(engine),
        histories={y: capture_histories(engine, y) for y in years},
        pending_review=int(pending or 0),
    )
