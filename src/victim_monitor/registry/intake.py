"""Intake of a submission: check every row, then store it whole or not at all.

The file streams through the checks into a temporary staging table inside one transaction, so
memory stays flat whatever the file's size. Repeated case references within the file are found
in SQL. If anything is an error, the transaction is rolled back and only the (rejected)
submission is recorded. Otherwise the staged rows are merged set-wise: new case references
are inserted, unchanged ones are left alone, changed ones get a new version that supersedes the
old. A kill at any point leaves the register as it was; the same file twice is recognised by
its content hash and not counted again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    exists,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError

from victim_monitor.problems import Problem, ProblemLog, Severity, define, grouped
from victim_monitor.registry.checks import (
    REPEATED_CASE,
    STAGED_COLUMNS,
    RowChecker,
    check_header,
)
from victim_monitor.registry.columnar import NotPlainError, checked_blocks, plain_delimiter
from victim_monitor.registry.formats import (
    EMPTY,
    UNREADABLE,
    UnreadableFileError,
    file_format,
    open_rows,
)
from victim_monitor.registry.limits import LIMITS, Limits
from victim_monitor.storage.bulk import insert_rows
from victim_monitor.storage.locks import write_connection
from victim_monitor.storage.schema import REPORT_FIELDS, organisations, reports, submissions

UNKNOWN_ORGANISATION = define("VM301", Severity.ERROR, "Unknown organisation")
DUPLICATE_SUBMISSION = define("VM302", Severity.WARNING, "File already imported")
OTHER_KEY = define("VM303", Severity.ERROR, "Different key from earlier submissions")
OTHER_KEY_ALLOWED = define("VM304", Severity.WARNING, "Different key, allowed for this import")

BATCH = 5000
STORED_PROBLEMS = 200


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    VALID = "valid"  # a dry run that found no error; never stored


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """What happened to one submission file."""

    file: str
    organisation: str
    outcome: Outcome
    file_format: str = ""
    content_sha256: str = ""
    submission_id: int | None = None
    rows_total: int = 0
    rows_new: int = 0
    rows_changed: int = 0
    rows_unchanged: int = 0
    errors: int = 0
    warnings: int = 0
    problem_counts: dict[str, int] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome is not Outcome.REJECTED

    def summary(self) -> str:
        """The outcome and counts, then the problems (:meth:`problem_lines`)."""
        return "\n".join([self.head(), *(f"  {line}" for line in self.problem_lines())])

    def head(self) -> str:
        """The outcome and the counts of rows and problems."""
        return (
            f"{self.file} ({self.organisation}): {self.outcome}\n"
            f"  rows {self.rows_total}: new {self.rows_new}, changed {self.rows_changed}, "
            f"unchanged {self.rows_unchanged}; errors {self.errors}, warnings {self.warnings}"
        )

    def problem_lines(self) -> list[str]:
        """The kept problems, identical ones grouped, and a count of those not kept."""
        lines = grouped(self.problems)
        hidden = self.errors + self.warnings - len(self.problems)
        if hidden > 0:
            counts = ", ".join(f"{c} x{n}" for c, n in sorted(self.problem_counts.items()))
            lines.append(f"... and {hidden} more problems ({counts})")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "organisation": self.organisation,
            "outcome": str(self.outcome),
            "file_format": self.file_format,
            "content_sha256": self.content_sha256,
            "submission_id": self.submission_id,
            "rows": {
                "total": self.rows_total,
                "new": self.rows_new,
                "changed": self.rows_changed,
                "unchanged": self.rows_unchanged,
            },
            "errors": self.errors,
            "warnings": self.warnings,
            "problem_counts": self.problem_counts,
            "problems": [p.as_dict() for p in self.problems],
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _staging_table() -> Table:
    columns: list[Column[Any]] = [Column("row_number", Integer, nullable=False)]
    columns += [Column(name, reports.c[name].type) for name in REPORT_FIELDS]
    columns.append(Column("content_sha256", String(64), nullable=False))
    # Filled by the merge from the case's current report, if any.
    columns.append(Column("prior_version", Integer))
    columns.append(Column("unchanged", Boolean))
    return Table("intake_staging", MetaData(), *columns, prefixes=["TEMPORARY"])


def import_submission(
    engine: Engine,
    path: Path,
    organisation: str,
    *,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    limits: Limits = LIMITS,
    allow_key: str | None = None,
) -> IntakeResult:
    """Check ``path`` and, unless ``dry_run`` or it has errors, add its reports to the register.

    A file over one of the ``limits`` (a workbook that unpacks too far, too many rows or
    columns, a value too long) is rejected with a VM108-VM110 problem as soon as it shows. A
    file encoded with another key than the register's earlier submissions is rejected (VM303:
    its persons could never be linked to theirs) unless that key is ``allow_key`` (VM304).
    ``dry_run`` does the whole import and undoes it, so its counts are what would happen.
    """
    organisation = organisation.upper()
    name = path.name
    log = ProblemLog()
    try:
        fmt = file_format(path)
        sha = file_sha256(path)
    except UnreadableFileError as exc:
        log.add(exc.problem)
        return _result(name, organisation, Outcome.REJECTED, log)
    except OSError as exc:
        log.add(_unreadable(name, exc))
        return _result(name, organisation, Outcome.REJECTED, log)

    with engine.connect() as conn:
        if not conn.scalar(select(func.count()).where(organisations.c.code == organisation)):
            log.add(
                UNKNOWN_ORGANISATION(
                    f"organisation {organisation!r} is not in the register "
                    "(`victim-monitor status` lists the codes)",
                    file=name,
                )
            )
            return _result(name, organisation, Outcome.REJECTED, log, fmt, sha)
        previous = conn.scalar(
            select(submissions.c.id).where(
                submissions.c.organisation_code == organisation,
                submissions.c.content_sha256 == sha,
                submissions.c.outcome == Outcome.ACCEPTED.value,
            )
        )
    if previous is not None:
        log.add(
            DUPLICATE_SUBMISSION(
                f"this file was imported before as submission {previous}; nothing is counted twice",
                file=name,
            )
        )
        outcome = Outcome.VALID if dry_run else Outcome.DUPLICATE
        result = _result(name, organisation, outcome, log, fmt, sha)
        return result if dry_run else _record(engine, result, None)

    staging = _staging_table()
    with write_connection(engine) as conn:
        trans = conn.begin()
        try:
            staging.create(conn)
            key_id, total = _stage(conn, staging, path, log, today, progress, limits)
            # Repeated cases and the merge look staged rows up by case reference (without
            # the index SQLite's merge scanned the staging table once per current report).
            Index("ix_intake_staging_case", staging.c.case_reference).create(conn)
            _repeated_cases(conn, staging, name, log)
            if key_id is not None:
                _other_key(conn, key_id, name, log, allow_key)
            if log.has_errors:
                trans.rollback()
                result = _result(
                    name, organisation, Outcome.REJECTED, log, fmt, sha, rows_total=total
                )
                return result if dry_run else _record(engine, result, key_id)
            sub_id = _insert_submission(conn, name, organisation, fmt, sha, key_id)
            changed, inserted = _merge(conn, staging, organisation, sub_id)
            result = _result(
                name,
                organisation,
                Outcome.VALID if dry_run else Outcome.ACCEPTED,
                log,
                fmt,
                sha,
                submission_id=None if dry_run else sub_id,
                rows_total=total,
                rows_new=inserted - changed,
                rows_changed=changed,
                rows_unchanged=total - inserted,
            )
            if dry_run:  # what would happen, measured by doing it, then undone
                trans.rollback()
                return result
            conn.execute(
                update(submissions).where(submissions.c.id == sub_id).values(_counts(result))
            )
            staging.drop(conn)
            trans.commit()
            return result
        except IntegrityError:
            # Another process committed the same file between our check and our commit.
            trans.rollback()
            log.add(DUPLICATE_SUBMISSION("this file was imported at the same time", file=name))
            return _record(
                engine, _result(name, organisation, Outcome.DUPLICATE, log, fmt, sha), None
            )
        except BaseException:
            trans.rollback()
            raise


def _unreadable(name: str, exc: OSError) -> Problem:
    return UNREADABLE(f"cannot open the file ({exc.strerror or exc})", file=name)


def _stage(
    conn: Connection,
    staging: Table,
    path: Path,
    log: ProblemLog,
    today: dt.date | None,
    progress: Callable[[int], None] | None,
    limits: Limits,
) -> tuple[str | None, int]:
    """Check every row; stage the good ones. Returns the file's key id and its row count."""
    name = path.name
    try:
        rows = open_rows(path, limits)
    except UnreadableFileError as exc:
        log.add(exc.problem)
        return None, 0
    header = check_header(rows.header, name)
    log.extend(list(header.problems))
    if header.problems and any(p.severity is Severity.ERROR for p in header.problems):
        # Without the right columns the rows cannot be read meaningfully.
        try:
            _drain(rows.rows)
        except UnreadableFileError as exc:
            log.add(exc.problem)
        return None, 0
    checker = RowChecker(header, name, today or dt.date.today())
    delimiter = plain_delimiter(path) if rows.file_format == "csv" else None
    if delimiter is not None:
        _close_unread(rows.rows)
        trial = ProblemLog(keep=log.keep)
        try:
            total = _stage_blocks(conn, staging, path, delimiter, checker, trial, progress, limits)
        except NotPlainError:
            # Read the file again, row by row, as the csv module reads it.
            conn.execute(staging.delete())
            checker = RowChecker(header, name, checker.today)
            try:
                rows = open_rows(path, limits)
            except UnreadableFileError as exc:
                log.add(exc.problem)
                return None, 0
        else:
            log.absorb(trial)
            return checker.key_id, total
    return checker.key_id, _stage_rows(conn, staging, rows.rows, checker, log, progress)


def _stage_blocks(
    conn: Connection,
    staging: Table,
    path: Path,
    delimiter: str,
    checker: RowChecker,
    log: ProblemLog,
    progress: Callable[[int], None] | None,
    limits: Limits,
) -> int:
    """The column-wise path (:mod:`columnar`); raises NotPlainError for the row path."""
    total = 0
    for count, staged, problems in checked_blocks(path, delimiter, checker, limits):
        total += count
        log.extend(problems)
        insert_rows(conn, staging.name, STAGED_COLUMNS, staged)
        if progress is not None:
            progress(total)
    if total == 0:
        log.add(EMPTY("the file holds no reports", file=path.name))
    return total


def _stage_rows(
    conn: Connection,
    staging: Table,
    rows: Iterator[tuple[int, list[str]]],
    checker: RowChecker,
    log: ProblemLog,
    progress: Callable[[int], None] | None,
) -> int:
    """The row path: the csv module (or another reader), then each row checked alone."""
    batch: list[tuple[object, ...]] = []
    total = 0
    try:
        for number, values in rows:
            total += 1
            row, problems = checker.check(number, values)
            for problem in problems:
                log.add(problem)
            if row is not None:
                batch.append(row)
                if len(batch) >= BATCH:
                    insert_rows(conn, staging.name, STAGED_COLUMNS, batch)
                    batch = []
                    if progress is not None:
                        progress(total)
    except UnreadableFileError as exc:
        log.add(exc.problem)
    insert_rows(conn, staging.name, STAGED_COLUMNS, batch)
    if progress is not None:
        progress(total)
    if total == 0:
        log.add(EMPTY("the file holds no reports", file=checker.file))
    return total


def _drain(rows: Iterator[tuple[int, list[str]]]) -> None:
    for _ in rows:
        pass


def _close_unread(rows: Iterator[tuple[int, list[str]]]) -> None:
    """Close a row stream that will not be read (its reader closes the file)."""
    close = getattr(rows, "close", None)
    if close is not None:
        close()


def _repeated_cases(conn: Connection, staging: Table, name: str, log: ProblemLog) -> None:
    repeated = (
        select(staging.c.case_reference)
        .group_by(staging.c.case_reference)
        .having(func.count() > 1)
        .subquery()
    )
    query = (
        select(staging.c.row_number, staging.c.case_reference)
        .where(staging.c.case_reference.in_(select(repeated.c.case_reference)))
        .order_by(staging.c.case_reference, staging.c.row_number)
    )
    first_row: dict[str, int] = {}
    for number, case in conn.execute(query):
        if case in first_row:
            log.add(
                REPEATED_CASE(
                    f"the case reference of row {first_row[case]} appears again; "
                    "send one report per case (a later correction goes in a later file)",
                    file=name,
                    row=number,
                    field="case_reference",
                )
            )
        else:
            first_row[case] = number


def _other_key(
    conn: Connection, key_id: str, name: str, log: ProblemLog, allow_key: str | None
) -> None:
    other = conn.scalar(
        select(submissions.c.key_id)
        .where(submissions.c.outcome == Outcome.ACCEPTED.value, submissions.c.key_id != key_id)
        .limit(1)
    )
    if other is None:
        return
    said = f"this file was encoded with key {key_id}, earlier submissions with {other}"
    if key_id == allow_key:
        log.add(
            OTHER_KEY_ALLOWED(f"{said}; allowed: its persons link only among themselves", file=name)
        )
        return
    log.add(
        OTHER_KEY(
            f"{said}: its persons could never be linked to theirs. Re-encode it with the "
            f"register's key, or import it with --allow-key {key_id} after a key change",
            file=name,
        )
    )


def _insert_submission(
    conn: Connection,
    name: str,
    organisation: str,
    fmt: str,
    sha: str,
    key_id: str | None,
    outcome: Outcome = Outcome.ACCEPTED,
) -> int:
    values = {
        "organisation_code": organisation,
        "received_at": dt.datetime.now(dt.UTC),
        "filename": name[:255],
        "file_format": fmt,
        "content_sha256": sha,
        "key_id": key_id,
        "outcome": outcome.value,
        "rows_total": 0,
        "rows_new": 0,
        "rows_changed": 0,
        "rows_unchanged": 0,
        "errors": 0,
        "warnings": 0,
        "problems": [],
    }
    inserted = conn.execute(insert(submissions).values(values).returning(submissions.c.id))
    return int(inserted.scalar_one())


def _merge(conn: Connection, staging: Table, organisation: str, sub_id: int) -> tuple[int, int]:
    """Supersede changed reports, insert new versions; returns (changed, inserted)."""
    r = reports
    s = staging
    # Each staged case's current report first, so that the INSERT below reads only the
    # staging table: an INSERT ... SELECT that reads its own target table is copied whole
    # into a scratch table by SQLite before the first row goes in.
    conn.execute(
        update(s)
        .where(
            r.c.organisation_code == organisation,
            r.c.case_reference == s.c.case_reference,
            r.c.is_current == true(),
        )
        .values(prior_version=r.c.version, unchanged=r.c.content_sha256 == s.c.content_sha256)
    )
    changed = conn.execute(
        update(r)
        .where(
            r.c.is_current == true(),
            r.c.organisation_code == organisation,
            exists().where(
                s.c.case_reference == r.c.case_reference,
                s.c.content_sha256 != r.c.content_sha256,
            ),
        )
        .values(is_current=False, superseded_by_submission_id=sub_id)
    ).rowcount
    # The current version is always the highest: new cases get version 1, changed ones the
    # next after their current one (just superseded above); unchanged ones nothing.
    columns = [*REPORT_FIELDS, "content_sha256"]
    source = select(
        *(s.c[c] for c in columns),
        literal(organisation).label("organisation_code"),
        (func.coalesce(s.c.prior_version, 0) + 1).label("version"),
        true().label("is_current"),
        literal(sub_id).label("submission_id"),
    ).where(or_(s.c.prior_version.is_(None), s.c.unchanged == false()))
    conn.execute(
        insert(r).from_select(
            [*columns, "organisation_code", "version", "is_current", "submission_id"], source
        )
    )
    # Counted, not taken from rowcount, which drivers need not report for INSERT ... SELECT.
    inserted = conn.scalar(select(func.count()).where(r.c.submission_id == sub_id)) or 0
    return int(changed), int(inserted)


def _result(
    name: str,
    organisation: str,
    outcome: Outcome,
    log: ProblemLog,
    fmt: str = "",
    sha: str = "",
    **counts: Any,
) -> IntakeResult:
    return IntakeResult(
        file=name,
        organisation=organisation,
        outcome=outcome,
        file_format=fmt,
        content_sha256=sha,
        errors=log.errors,
        warnings=log.warnings,
        problem_counts=dict(log.counts),
        problems=tuple(log.kept),
        **counts,
    )


def _counts(result: IntakeResult) -> dict[str, Any]:
    return {
        "rows_total": result.rows_total,
        "rows_new": result.rows_new,
        "rows_changed": result.rows_changed,
        "rows_unchanged": result.rows_unchanged,
        "errors": result.errors,
        "warnings": result.warnings,
        "problems": [p.as_dict() for p in result.problems[:STORED_PROBLEMS]],
    }


def _record(engine: Engine, result: IntakeResult, key_id: str | None) -> IntakeResult:
    """Record a rejected or duplicate submission (no reports) and return it with its id."""
    with engine.begin() as conn:
        sub_id = _insert_submission(
            conn,
            result.file,
            result.organisation,
            result.file_format,
            result.content_sha256,
            key_id,
            result.outcome,
        )
        conn.execute(update(submissions).where(submissions.c.id == sub_id).values(_counts(result)))
    return replace(result, submission_id=sub_id)
