"""Imports killed at random points (SIGKILL) lose nothing and count nothing twice.

A launcher process imports the library once, then for each request forks a child that runs a
real import of a prepared file on its own connection, and SIGKILLs it after a random (seeded)
delay drawn over the import's measured duration: while parsing, staging, merging or
committing. After every kill the register is checked against what must hold, and against a
model of the accepted files. Every few kills the same file is imported normally, which must
be accepted exactly once, and a re-import then is a duplicate. Half the files supersede
reports of the previous one, so kills also land in superseding imports.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.registry import factory
from victim_monitor.registry.intake import Outcome, file_sha256, import_submission
from victim_monitor.storage import connect

ORGANISATION = "POL"
ROWS = 8_000  # an import runs about 0.3-1 s
FOLLOW_UP_EVERY = 6  # kills of the same file before it is imported normally
SEED = 20240611

# Forks one child per request "PATH<TAB>DELAY"; the child imports PATH on a fresh engine and
# the launcher SIGKILLs it DELAY seconds after the fork unless it has finished, then reports
# "killed" or "exit N" and the seconds it ran. The child is the launcher's own and not yet
# reaped when killed, so its pid cannot have been reused.
LAUNCHER = r"""
import os, signal, sys, time
from pathlib import Path
from victim_monitor.registry.intake import import_submission
from victim_monitor.storage import connect

url, organisation = sys.argv[1], sys.argv[2]
print("ready", flush=True)
for line in sys.stdin:
    path, delay = line.rstrip("\n").split("\t")
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            engine = connect(url)
            import_submission(engine, Path(path), organisation)
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        os._exit(code)
    deadline = start + float(delay)
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.perf_counter() < deadline:
        time.sleep(0.001)
    if done[0] == 0:
        os.kill(pid, signal.SIGKILL)
        done = os.waitpid(pid, 0)
    seconds = time.perf_counter() - start
    status = done[1]
    answer = "killed" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
    print(f"{answer}\t{seconds:.4f}", flush=True)
"""


@dataclass
class Launcher:
    process: subprocess.Popen[str]

    def kill_import(self, path: Path, delay: float) -> tuple[bool, float]:
        """Import ``path`` in a new process killed after ``delay`` s unless done before.

        Returns whether it was killed, and the seconds it ran.
        """
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"{path}\t{delay:.4f}\n")
        self.process.stdin.flush()
        answer, seconds = self.process.stdout.readline().strip().split("\t")
        assert answer in ("killed", "exit 0"), f"import child failed: {answer!r}"
        return answer == "killed", float(seconds)


@pytest.fixture
def launcher(database_url: str) -> Iterator[Launcher]:
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, database_url, ORGANISATION],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield Launcher(process)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Files:
    """Prepared submissions: even ones bring new reports, odd ones supersede the previous."""

    directory: Path
    made: list[tuple[Path, dict[str, str]]] = field(default_factory=list)

    def get(self, index: int) -> tuple[Path, dict[str, str]]:
        """File ``index`` and its reports' police_report value by case reference."""
        while len(self.made) <= index:
            self.made.append(self._make(len(self.made)))
        return self.made[index]

    def _make(self, index: int) -> tuple[Path, dict[str, str]]:
        block = index // 2 * ROWS
        if index % 2 == 0:
            rows = _reports(ROWS, start=block)
        else:
            # Every other report of the previous file changed, a quarter left as it was, and
            # some new ones.
            rows = _reports(ROWS * 3 // 4, start=block)
            for row in rows[::2]:
                row["police_report"] = CHANGE[row["police_report"]]
            rows += _reports(ROWS // 4, start=block + ROWS * 100)
        path = factory.write_csv(self.directory / f"submission-{index:03d}.csv", rows)
        return path, {r["case_reference"]: r["police_report"] for r in rows}


CHANGE = {"yes": "no", "no": "unknown", "unknown": "yes"}
_TEMPLATES = factory.reports(600)


def _reports(n: int, start: int) -> list[dict[str, str]]:
    """Like factory.reports, faster: pseudonyms repeat, case references do not."""
    return [
        dict(_TEMPLATES[i % len(_TEMPLATES)], case_reference=f"CASE-{i:07d}")
        for i in range(start, start + n)
    ]


def _scalar(conn: object, sql: str) -> int:
    return int(conn.execute(text(sql)).scalar() or 0)  # type: ignore[attr-defined]


def check_register(url: str, model: dict[str, str], *, full: bool = False) -> None:
    """What must hold after any kill, checked on a freshly opened database.

    ``model`` is police_report by case reference over the accepted files, the latest winning.
    ``full`` adds SQLite's integrity check (slow on a big register, so not after every kill).
    """
    engine = connect(url)
    try:
        with engine.connect() as conn:
            if full and conn.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            # Each accepted submission's reports are all there (or it is not accepted).
            accepted = {
                sid: (new + changed, changed)
                for sid, new, changed in conn.execute(
                    text(
                        "SELECT id, rows_new, rows_changed FROM submissions "
                        "WHERE outcome = 'accepted'"
                    )
                )
            }
            made = dict(
                conn.execute(
                    text("SELECT submission_id, count(*) FROM reports GROUP BY submission_id")
                ).all()
            )
            superseded = dict(
                conn.execute(
                    text(
                        "SELECT superseded_by_submission_id, count(*) FROM reports "
                        "WHERE superseded_by_submission_id IS NOT NULL "
                        "GROUP BY superseded_by_submission_id"
                    )
                ).all()
            )
            assert set(made) <= set(accepted), "reports without an accepted submission"
            for sid, (versions, changed) in accepted.items():
                assert made.get(sid, 0) == versions, f"submission {sid}: reports missing"
                assert superseded.get(sid, 0) == changed, f"submission {sid}: history wrong"
            # Nothing counted twice: one accepted submission per content, and exactly one
            # current version of each case, the highest, with versions 1..n.
            assert not _scalar(
                conn,
                "SELECT count(*) FROM (SELECT 1 FROM submissions WHERE outcome = 'accepted' "
                "GROUP BY organisation_code, content_sha256 HAVING count(*) > 1) x",
            )
            assert not _scalar(
                conn,
                "SELECT count(*) FROM (SELECT organisation_code, case_reference FROM reports "
                "GROUP BY organisation_code, case_reference "
                "HAVING sum(CASE WHEN is_current THEN 1 ELSE 0 END) <> 1 "
                "OR max(version) <> count(*) "
                "OR max(CASE WHEN is_current THEN version END) <> max(version)) x",
            )
            # The current reports are exactly those of the accepted files, latest version
            # (read through the driver's cursor: tens of thousands of rows after every kill).
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute("SELECT case_reference, police_report FROM reports WHERE is_current")
                current = cursor.fetchall()
            finally:
                cursor.close()
            assert len(current) == len(model)
            assert dict(current) == model
    finally:
        engine.dispose()


def _accepted_times(engine: Engine, path: Path) -> int:
    with engine.connect() as conn:
        return _scalar(
            conn,
            "SELECT count(*) FROM submissions WHERE outcome = 'accepted' "
            f"AND content_sha256 = '{file_sha256(path)}'",
        )


@pytest.mark.slow
def test_killed_imports_lose_nothing_and_count_nothing_twice(
    engine: Engine, database_url: str, launcher: Launcher, tmp_path: Path
) -> None:
    kills = 60 if engine.dialect.name == "sqlite" else 40
    rng = random.Random(f"{SEED}-{engine.dialect.name}")
    files = Files(tmp_path)
    model: dict[str, str] = {}

    # A register with content, and how long an import of this size runs, to aim the kills.
    path, rows = files.get(0)
    killed, duration = launcher.kill_import(path, 600)
    assert not killed
    model.update(rows)
    check_register(database_url, model, full=True)

    index, tries, attempts, interrupted, superseding = 1, 0, 0, 0, 0
    while interrupted < kills:
        attempts += 1
        assert attempts <= 2 * kills, "the kills keep missing the imports"
        path, rows = files.get(index)
        killed, seconds = launcher.kill_import(path, rng.uniform(0.0, duration))
        tries += 1
        interrupted += killed
        superseding += killed and index % 2 == 1
        done = _accepted_times(engine, path)
        assert (done == 1) if not killed else (done in (0, 1))  # whole and once, or not at all
        if done:  # the kill came after the commit: the whole file is in
            model.update(rows)
        if not killed:
            duration = seconds  # imports slow down as the register grows
        check_register(database_url, model, full=attempts % 10 == 0)
        if done or tries == FOLLOW_UP_EVERY:
            again = import_submission(engine, path, ORGANISATION)
            assert again.outcome is (Outcome.DUPLICATE if done else Outcome.ACCEPTED)
            if not done:
                assert again.rows_new + again.rows_changed + again.rows_unchanged == len(rows)
                assert again.rows_changed == (len(rows) * 3 // 8 if index % 2 else 0)
            model.update(rows)
            assert import_submission(engine, path, ORGANISATION).outcome is Outcome.DUPLICATE
            assert _accepted_times(engine, path) == 1
            check_register(database_url, model)
            index, tries = index + 1, 0

    check_register(database_url, model, full=True)
    # Superseding imports were among the ones killed.
    assert superseding >= kills // 5, (superseding, kills)
