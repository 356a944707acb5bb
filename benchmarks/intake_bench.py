"""Intake benchmark: validated import against a bare bulk insert of the same rows (the peer).

For each database (SQLite, PostgreSQL) and size (100k rows; 1M with ``--full``) a CSV of valid
format-v1 reports is made, then each measurement runs in a fresh subprocess on a fresh
register:

- **ours**: ``import_submission`` (parse, check every row, stage, find repeated cases, merge,
  commit);
- **peer**: read the same CSV with the ``csv`` module and insert the same rows into ``reports``
  with ``storage.bulk.insert_rows`` in one transaction, without any check or conversion beyond
  empty text to NULL.

Reported: seconds (the best of ``--repeat`` runs, as the machine may be shared), rows/s, the
ratio ours/peer in time, and the peak resident memory of the measuring process (its VmHWM,
plus that of any child it waited for), which must not grow with the file. Aim (issue):
>= 50,000 rows/s on SQLite and within 3x of the peer.

On SQLite also the command line against SQLite's own (issue 17, item 7: within 3x):

- **cli**: ``victim-monitor import FILE --organisation POL --database URL`` on a fresh
  register, start-up included;
- **sqlite3 .import**: ``sqlite3 NEW.db -cmd ".mode csv" ".import FILE reports"``, which makes a
  table of text columns from the header and inserts every row, with no check.

Each round runs the two back to back; the ratio is given per round (range over the rounds)
and for the best times.

``python -m benchmarks intake [--full] [--repeat N] [--databases sqlite,postgresql]``
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, insert, text
from tests.registry import factory

from victim_monitor.registry.checks import COLUMNS
from victim_monitor.registry.intake import Outcome, import_submission
from victim_monitor.registry.organisations import load_organisations, sync_organisations
from victim_monitor.storage import connect, upgrade
from victim_monitor.storage.bulk import insert_rows
from victim_monitor.storage.schema import reports, submissions

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "intake.md"
POSTGRES_URL = os.environ.get(
    "VICTIM_MONITOR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
SIZES = (100_000,)
FULL_SIZES = (100_000, 1_000_000)
ORGANISATION = "POL"
PEER_BATCH = 5000


# --- the submission file -----------------------------------------------------------------------


def write_submission(path: Path, n: int) -> Path:
    """A CSV of ``n`` valid, distinct reports (as tests/registry/factory.py makes them)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(n):
            row = factory.report(i)
            writer.writerow([row[c] for c in COLUMNS])
    return path


# --- databases -------------------------------------------------------------------------------


@contextmanager
def fresh_register(kind: str, work: Path) -> Iterator[str]:
    """The URL of a new, migrated register with the default organisations; removed after."""
    if kind == "sqlite":
        db = work / f"register-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{db}"
        _prepare(url)
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        return
    admin = connect(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    schema = f"vm_bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        _prepare(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _prepare(url: str) -> None:
    engine = connect(url)
    upgrade(engine)
    sync_organisations(engine, load_organisations())
    engine.dispose()


# --- one measurement, in a child process ---------------------------------------------------------


def _ours(engine: Engine, path: Path) -> int:
    result = import_submission(engine, path, ORGANISATION)
    if result.outcome is not Outcome.ACCEPTED:
        raise SystemExit(f"benchmark file rejected:\n{result.summary()}")
    return result.rows_new


# The peer's columns: what a checked row stores, plus the bookkeeping intake adds.
_PEER_FROM_FILE = [c for c in COLUMNS if c != "format_version"]
_PEER_COLUMNS = (
    "organisation_code",
    "version",
    "is_current",
    "submission_id",
    "content_sha256",
    "report_year",
    *_PEER_FROM_FILE,
)


def _peer(engine: Engine, path: Path) -> int:
    """The same rows into ``reports`` in one transaction, without checks."""
    with engine.begin() as conn, path.open(encoding="utf-8", newline="") as handle:
        sub_id = conn.execute(
            insert(submissions)
            .values(
                organisation_code=ORGANISATION,
                received_at=dt.datetime.now(dt.UTC),
                filename=path.name,
                file_format="csv",
                content_sha256="0" * 64,
                outcome="accepted",
                problems=[],
            )
            .returning(submissions.c.id)
        ).scalar_one()
        reader = csv.reader(handle)
        header = next(reader)
        positions = [header.index(c) for c in _PEER_FROM_FILE]
        date = header.index("report_date")
        # Empty text is NULL, except in the one required column where empty is a value.
        keep = header.index("exploitation")
        fixed = (ORGANISATION, 1, True, sub_id, "")
        batch: list[tuple[object, ...]] = []
        total = 0
        for values in reader:
            stored = (values[i] if i == keep else values[i] or None for i in positions)
            batch.append((*fixed, values[date][:4], *stored))
            if len(batch) >= PEER_BATCH:
                insert_rows(conn, reports.name, _PEER_COLUMNS, batch)
                total += len(batch)
                batch = []
        insert_rows(conn, reports.name, _PEER_COLUMNS, batch)
        return total + len(batch)


def _command(kind: str, url: str, path: Path) -> list[str]:
    """The command line of the ``cli`` or ``sqlite3`` measurement."""
    if kind == "cli":
        program = Path(sys.executable).with_name("victim-monitor")
        return [
            str(program),
            "import",
            str(path),
            "--organisation",
            ORGANISATION,
            "--database",
            url,
        ]
    database = url.removeprefix("sqlite:///") + ".import.db"
    sqlite3 = shutil.which("sqlite3") or "sqlite3"
    return [sqlite3, database, "-cmd", ".mode csv", f".import {path} reports"]


def child(kind: str, url: str, path: Path) -> None:
    """Measure one run and print it as JSON (seconds, rows, peak RSS in KiB)."""
    if kind in ("cli", "sqlite3"):
        command = _command(kind, url, path)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({"seconds": seconds, "rows": 0, "rss_kib": children}))
        return
    engine = connect(url)
    with engine.connect():
        pass  # open the pooled connection outside the timing, for both sides alike
    start = time.perf_counter()
    rows = _ours(engine, path) if kind == "ours" else _peer(engine, path)
    seconds = time.perf_counter() - start
    engine.dispose()
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "rows": rows, "rss_kib": _peak_rss_kib() + children}))


def _peak_rss_kib() -> int:
    """This process's peak resident memory since exec (not getrusage's ru_maxrss, which
    Linux carries over from the forking parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    rss_mib: float


def measure(kind: str, url: str, path: Path) -> Run:
    command = [sys.executable, "-m", "benchmarks.intake_bench", "--child", kind, url, str(path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{kind} on {url} failed:\n{done.stderr}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(float(data["seconds"]), data["rss_kib"] / 1024)


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Line:
    database: str
    rows: int
    ours: Run
    peer: Run

    def cells(self) -> list[str]:
        ratio = self.ours.seconds / self.peer.seconds
        return [
            self.database,
            f"{self.rows:,}",
            f"{self.ours.seconds:.2f}",
            f"{self.rows / self.ours.seconds:,.0f}",
            f"{self.peer.seconds:.2f}",
            f"{self.rows / self.peer.seconds:,.0f}",
            f"{ratio:.2f}",
            f"{self.ours.rss_mib:.0f}",
            f"{self.peer.rss_mib:.0f}",
        ]


HEADS = [
    "database",
    "rows",
    "ours s",
    "ours rows/s",
    "peer s",
    "peer rows/s",
    "ours/peer (time)",
    "ours peak RSS MiB",
    "peer peak RSS MiB",
]


def _machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    import sqlite3

    return [
        f"- date: {dt.date.today().isoformat()}",
        f"- machine: `nproc` = {os.cpu_count()}, {cpu}, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {_postgres_version()}",
        f"- load average when the report was written (other jobs on the machine slow every "
        f"run): {', '.join(f'{x:.1f}' for x in os.getloadavg())}",
    ]


def _postgres_version() -> str:
    try:
        engine = connect(POSTGRES_URL)
        with engine.connect() as conn:
            version = str(conn.scalar(text("SHOW server_version")))
        engine.dispose()
        return version
    except Exception:  # the report still prints without PostgreSQL
        return "(unreachable)"


@dataclass(frozen=True, slots=True)
class CliLine:
    """The command line against ``sqlite3 .import``: every round's pair of runs."""

    rows: int
    cli: list[Run]
    sqlite3: list[Run]

    def cells(self) -> list[str]:
        ratios = [c.seconds / p.seconds for c, p in zip(self.cli, self.sqlite3, strict=True)]
        best_cli, best_peer = (min(r.seconds for r in runs) for runs in (self.cli, self.sqlite3))
        return [
            f"{self.rows:,}",
            _range(r.seconds for r in self.cli),
            _range(r.seconds for r in self.sqlite3),
            f"{min(ratios):.2f}-{max(ratios):.2f}",
            f"{best_cli / best_peer:.2f}",
            f"{self.rows / best_cli:,.0f}",
            f"{max(r.rss_mib for r in self.cli):.0f}",
        ]


CLI_HEADS = [
    "rows",
    "`victim-monitor import` s",
    "`sqlite3 .import` s",
    "ratio per round",
    "ratio of bests",
    "CLI rows/s (best)",
    "CLI peak RSS MiB",
]


def _range(values: object) -> str:
    numbers = sorted(values)  # type: ignore[call-overload]
    return f"{numbers[0]:.2f}-{numbers[-1]:.2f}"


def report(lines: list[Line], repeat: int, cli_lines: list[CliLine] | None = None) -> str:
    cli_table: list[str] = []
    if cli_lines:
        cli_table = [
            "",
            "The command line against SQLite's own import (SQLite; each round runs both back to "
            "back; seconds as ranges over the rounds):",
            "",
            "| " + " | ".join(CLI_HEADS) + " |",
            "|" + "---|" * len(CLI_HEADS),
            *("| " + " | ".join(line.cells()) + " |" for line in cli_lines),
        ]
    table = ["| " + " | ".join(HEADS) + " |", "|" + "---|" * len(HEADS)]
    table += ["| " + " | ".join(line.cells()) + " |" for line in lines]
    notes = []
    for database in dict.fromkeys(line.database for line in lines):
        mine = sorted((ln for ln in lines if ln.database == database), key=lambda ln: ln.rows)
        if len(mine) > 1:
            small, large = mine[0], mine[-1]
            notes.append(
                f"- memory, {database}: {large.rows:,} rows take "
                f"{large.ours.rss_mib / small.ours.rss_mib:.2f}x the peak RSS of "
                f"{small.rows:,} rows (the file is {large.rows // small.rows}x larger)"
            )
    return "\n".join(
        [
            "# Intake benchmark",
            "",
            "Made by `python -m benchmarks intake --full` (see `benchmarks/README.md`). "
            f"Seconds are the best of {repeat} runs (one at 1M rows), each in a fresh "
            "process on a fresh register; peak RSS is that process's maximum resident memory, "
            "interpreter and libraries included.",
            "",
            *_machine(),
            "",
            *table,
            *cli_table,
            "",
            *notes,
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks intake", description=__doc__)
    parser.add_argument("--full", action="store_true", help="also 1,000,000 rows (minutes)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rows", help="comma-separated sizes, instead of the defaults")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file ('-': none)")
    parser.add_argument(
        "--no-cli", action="store_true", help="skip the CLI against sqlite3 .import"
    )
    parser.add_argument("--child", nargs=3, metavar=("KIND", "URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, url, file = args.child
        child(kind, url, Path(file))
        return 0
    sizes = (
        tuple(int(n) for n in args.rows.split(","))
        if args.rows
        else (FULL_SIZES if args.full else SIZES)
    )
    lines: list[Line] = []
    cli_lines: list[CliLine] = []
    with tempfile.TemporaryDirectory(prefix="vm-bench-") as tmp:
        work = Path(tmp)
        for n in sizes:
            path = write_submission(work / f"reports-{n}.csv", n)
            for database in args.databases.split(","):
                runs: dict[str, list[Run]] = {"ours": [], "peer": []}
                # A million-row run is long enough to be steady: once.
                for _ in range(args.repeat if n < 1_000_000 else 1):
                    for kind in runs:
                        with fresh_register(database, work) as url:
                            runs[kind].append(measure(kind, url, path))
                ours, peer = (_best(runs[k]) for k in ("ours", "peer"))
                line = Line(database, n, ours, peer)
                lines.append(line)
                print(" | ".join(line.cells()), flush=True)
                if database == "sqlite" and not args.no_cli:
                    cli_line = _cli_rounds(work, path, n, args.repeat if n < 1_000_000 else 1)
                    cli_lines.append(cli_line)
                    print(" | ".join(cli_line.cells()), flush=True)
            path.unlink()
    text_report = report(lines, args.repeat, cli_lines)
    print(text_report)
    if str(args.out) != "-":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text_report, "utf-8")
    return 0


def _cli_rounds(work: Path, path: Path, n: int, rounds: int) -> CliLine:
    cli: list[Run] = []
    peer: list[Run] = []
    for _ in range(rounds):
        with fresh_register("sqlite", work) as url:
            cli.append(measure("cli", url, path))
            peer.append(measure("sqlite3", url, path))
            Path(url.removeprefix("sqlite:///") + ".import.db").unlink(missing_ok=True)
    return CliLine(n, cli, peer)


def _best(runs: list[Run]) -> Run:
    """The fastest run (others lost time to other work on the machine), the highest memory."""
    return Run(min(r.seconds for r in runs), max(r.rss_mib for r in runs))


if __name__ == "__main__":
    sys.exit(main())
