"""Import a programme file into the register: read, check, write, all or nothing.

A file with any error changes nothing (the attempt is logged with its problems). A file whose
every record the register already holds, unchanged, is ``unchanged``: importing it again is
harmless. Each attempt is kept in ``programme_imports`` with what it added and changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Literal, get_args

from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from victim_monitor.problems import Problem, ProblemLog
from victim_monitor.programme.check import check
from victim_monitor.programme.codes import ALREADY_RECORDED
from victim_monitor.programme.read import RawRecord, read_file
from victim_monitor.programme.store import Counts, Recorded, known, recorded, save
from victim_monitor.storage.locks import exclusive
from victim_monitor.storage.schema import programme_imports

KEEP_PROBLEMS = 200

OnExisting = Literal["correct", "refuse"]
"""What a status change whose date and status the history already holds does: ``correct``
that change's evidence in place (an import restating its file), or ``refuse`` it (VM612)."""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What one import did: outcome, counts per kind, and every problem kept."""

    file: str
    outcome: str  # accepted, unchanged, rejected
    records: int
    counts: Counts
    problems: tuple[Problem, ...]
    errors: int
    warnings: int
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome != "rejected"

    def summary(self) -> str:
        verb = {
            "accepted": "imported",
            "unchanged": "already in the register, nothing changed",
            "rejected": "rejected: nothing was written",
        }[self.outcome]
        lines = [
            f"{self.file}: {self.records} records, {verb}" + (" (dry run)" if self.dry_run else "")
        ]
        for kind, c in self.counts.items():
            done = ", ".join(f"{n} {what}" for what, n in c.items() if n)
            if done:
                lines.append(f"  {kind}: {done}")
        lines += [f"  {p}" for p in self.problems]
        hidden = self.errors + self.warnings - len(self.problems)
        if hidden > 0:
            lines.append(f"  … and {hidden} more problems")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "outcome": self.outcome,
            "dry_run": self.dry_run,
            "records": self.records,
            "counts": self.counts,
            "errors": self.errors,
            "warnings": self.warnings,
            "problems": [p.as_dict() for p in self.problems],
        }


def import_programme(
    engine: Engine, path: Path, *, dry_run: bool = False, recorded_by: str = "import"
) -> ImportResult:
    """Check ``path`` (YAML or CSV) and write what it states into the register."""
    log = ProblemLog(keep=KEEP_PROBLEMS)
    raw = read_file(path, log)
    counts: Counts = {}
    if not log.has_errors:  # reading problems are all errors: then there is nothing to check
        log, counts = apply(engine, raw, dry_run=dry_run, recorded_by=recorded_by)
    outcome = outcome_of(log, counts)
    if not dry_run:
        _log(engine, path, outcome, counts, log)
    return ImportResult(
        path.name, outcome, len(raw), counts, tuple(log), log.errors, log.warnings, dry_run
    )


def apply(
    engine: Engine,
    raw: list[RawRecord],
    *,
    dry_run: bool = False,
    recorded_by: str = "import",
    on_existing: OnExisting = "correct",
) -> tuple[ProblemLog, Counts]:
    """Check ``raw`` records against the register and write them in one transaction.

    Two writers adding the same new item at once: the second one's insert fails on the unique
    key and rolls back; it is checked and written once more against what the first wrote. With
    ``on_existing="refuse"`` a status change the history already holds is refused (VM612) in
    that same transaction, after locking the record (see :func:`store.recorded`), so of two
    writers recording the same change at once exactly one wins and the other cannot overwrite
    its evidence.
    """
    if on_existing not in get_args(OnExisting):
        raise ValueError(f"on_existing must be 'correct' or 'refuse', not {on_existing!r}")
    for attempt in range(2):
        log = ProblemLog(keep=KEEP_PROBLEMS)
        counts: Counts = {}
        try:
            # Writers of the programme take turns (a reader that later writes could fail).
            with exclusive(engine, "programme") as conn:
                doc = check(raw, log, known(conn))
                if on_existing == "refuse" and not log.has_errors:
                    source = raw[0].file if raw else None
                    log.extend([_refusal(r, source) for r in recorded(conn, doc)])
                if not log.has_errors:
                    counts = save(conn, doc, recorded_by)
                if dry_run or log.has_errors:
                    conn.rollback()
        except IntegrityError:
            if attempt:
                raise
            continue
        return log, counts
    raise AssertionError("unreachable")


def _refusal(r: Recorded, source: str | None) -> Problem:
    by = f" by {r.recorded_by}" if r.recorded_by else ""
    at = f" on {r.recorded_at:%Y-%m-%d}" if r.recorded_at else ""
    return ALREADY_RECORDED(
        f"{r.record} already has status {r.status!r} on {r.on.isoformat()} (recorded{by}{at});"
        " the history is never overwritten",
        file=source,
        field="date",
        value=r.on.isoformat(),
    )


def outcome_of(log: ProblemLog, counts: Counts) -> str:
    if log.has_errors:
        return "rejected"
    return "accepted" if any(n for c in counts.values() for n in c.values()) else "unchanged"


def example_file() -> Path:
    """The example programme file shipped in the package (the 2018 programme, the 2014-2018
    recommendations, example measures)."""
    return Path(str(resources.files("victim_monitor.data") / "programme-2018.yaml"))


def import_example(engine: Engine) -> ImportResult:
    """Import the shipped example file (what ``victim-monitor demo`` does)."""
    return import_programme(engine, example_file(), recorded_by="example")


def _log(engine: Engine, path: Path, outcome: str, counts: Counts, log: ProblemLog) -> None:
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        digest = ""
    with engine.begin() as conn:
        conn.execute(
            insert(programme_imports).values(
                imported_at=datetime.now(UTC),
                filename=path.name[:255],
                content_sha256=digest,
                outcome=outcome,
                counts=counts,
                problems=[p.as_dict() for p in log],
            )
        )
