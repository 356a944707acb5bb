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

from sqlalchemy import Engine, insert

from victim_monitor.problems import Problem, ProblemLog
from victim_monitor.programme.check import check
from victim_monitor.programme.read import read_file
from victim_monitor.programme.store import Counts, known, save
from victim_monitor.storage.schema import programme_imports

KEEP_PROBLEMS = 200


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
    with engine.connect() as conn:
        with conn.begin() as tx:
            doc = check(raw, log, known(conn))
            if not log.has_errors:
                counts = save(conn, doc, recorded_by)
            changed = any(n for c in counts.values() for n in c.values())
            outcome = "rejected" if log.has_errors else "accepted" if changed else "unchanged"
            if dry_run or outcome == "rejected":
                tx.rollback()
        if not dry_run:
            _log(engine, path, outcome, counts, log)
    return ImportResult(
        path.name, outcome, len(raw), counts, tuple(log), log.errors, log.warnings, dry_run
    )


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
