"""Encoding a raw file into a submission: read, check, pseudonymise, write atomically.

Every problem in the raw file is found in one pass and reported with its code, row and
field. If any is an error, nothing is written: an organisation never sends a partial file.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType

from victim_monitor.problems import CATALOGUE, Problem, ProblemLog, grouped
from victim_monitor.processes import can_fork, forked_pool, usable_cores
from victim_monitor.pseudonymise import codes
from victim_monitor.pseudonymise.columns import SUBMISSION_COLUMNS
from victim_monitor.pseudonymise.key import Key
from victim_monitor.pseudonymise.output import (
    OutputFormat,
    RowWriter,
    atomic_output,
    output_format,
    row_writer,
    rows_text,
)
from victim_monitor.pseudonymise.rows import BLOCK, RowEncoder, refuse, repeated_rows
from victim_monitor.pseudonymise.source import open_raw

PROGRESS_EVERY = 1000  # rows between progress callbacks
SUMMARY_PROBLEMS = 20  # problems listed in summary(); all are in ``problems``
MAX_WORKERS = 4  # beyond this the one process that reads and writes keeps the others waiting

_Numbered = tuple[int, dict[str, str]]  # a raw row and its number
_Encoded = tuple[str, int, list[Problem]]  # a block's rows as text, how many, its problems


@dataclass(frozen=True, slots=True)
class EncodeResult:
    """What an encoding run did: counts, problems, and the file written (None if none)."""

    raw: Path
    out: Path | None
    key_id: str
    rows_read: int
    rows_written: int
    problems: tuple[Problem, ...]  # the first 1000; ``counts`` counts them all
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    errors: int = 0
    warnings: int = 0
    ignored_columns: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the submission was written (no errors)."""
        return self.out is not None

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (for ``--json``), problems included."""
        return {
            "ok": self.ok,
            "raw": str(self.raw),
            "out": None if self.out is None else str(self.out),
            "key_id": self.key_id,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "errors": self.errors,
            "warnings": self.warnings,
            "counts": dict(sorted(self.counts.items())),
            "ignored_columns": list(self.ignored_columns),
            "problems": [p.as_dict() for p in self.problems],
        }

    def summary(self) -> str:
        """A few lines for a person: outcome, counts, problems per code."""
        return "\n".join([self.head(), *self.problem_lines()])

    def head(self) -> str:
        """The outcome and the counts."""
        if self.ok:
            head = f"Wrote {self.rows_written} reports to {self.out} (key_id {self.key_id})."
        else:
            head = f"Nothing written: {self.errors} error(s) in {self.raw}."
        lines = [head, f"Rows read: {self.rows_read}; warnings: {self.warnings}."]
        if self.ignored_columns:
            lines.append("Columns not used (never copied): " + ", ".join(self.ignored_columns))
        return "\n".join(lines)

    def problem_lines(self) -> list[str]:
        """The problems per code, then the first ones, identical ones grouped."""
        lines = []
        for code, count in sorted(self.counts.items()):
            kind = CATALOGUE[code]
            lines.append(f"  {code} {kind.severity}: {kind.title} (x{count})")
        if self.problems:
            lines.append(f"First problems (of {self.errors + self.warnings}):")
            lines.extend(f"  {line}" for line in grouped(self.problems)[:SUMMARY_PROBLEMS])
        return lines


def encode_file(
    raw: Path,
    key: Key,
    out: Path,
    *,
    column_map: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
    workers: int | None = None,
) -> EncodeResult:
    """Encode the raw CSV ``raw`` into the submission ``out`` (.csv, .jsonl or .json).

    ``column_map`` maps raw column names to standard ones (``--map raw=standard``).
    ``progress`` is called with the number of rows read, every 1000 rows and at the end.
    ``today`` bounds report dates (default: the real today; for tests).
    ``workers``: processes encoding rows at once (default: the usable cores, at most
    :data:`MAX_WORKERS`); a file of one block (:data:`~rows.BLOCK` rows), or any file where
    processes cannot be forked (Windows), is encoded in this process.
    Raises ValueError for unusable arguments (output over the raw file, no such directory,
    .xlsx output); everything wrong with the raw file's content comes back as problems.
    """
    fmt = output_format(out)
    if out.exists() and raw.exists() and out.resolve() == raw.resolve():
        raise ValueError(f"{out}: the output would overwrite the raw file")
    if not out.parent.is_dir():
        raise ValueError(f"{out.parent}: no such directory for the output")

    log = ProblemLog()
    run: _Run | None = None
    ignored: tuple[str, ...] = ()
    with (
        open_raw(raw, column_map, log) as table,
        atomic_output(out) as target,
        _collector_paused(),
    ):
        if table is not None:
            ignored = table.layout.ignored
            writer = row_writer(target.handle, SUBMISSION_COLUMNS, fmt)
            encoder = RowEncoder(key, today=today)
            if not can_fork():
                workers = 1
            elif workers is None:
                workers = min(usable_cores(), MAX_WORKERS)
            run = _Run(encoder, writer, fmt, log, str(raw), progress, workers)
            run.take(table.items())
            writer.close()
            if run.read == 0 and not log.has_errors:
                log.add(codes.NO_REPORTS("the header has no rows under it", file=str(raw)))
            if progress is not None:
                progress(run.read)
        if not log.has_errors:
            target.commit()
    read, written = (run.read, run.written) if run is not None else (0, 0)

    return EncodeResult(
        raw=raw,
        out=None if log.has_errors else out,
        key_id=key.key_id,
        rows_read=read,
        rows_written=0 if log.has_errors else written,
        problems=tuple(log.kept),
        counts=MappingProxyType(dict(log.counts)),
        errors=log.errors,
        warnings=log.warnings,
        ignored_columns=ignored,
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while rows stream by, as it was before after.

    The encoder's remembered values (names, pseudonyms, Bloom masks: tens of thousands of
    tuples) are scanned again and again by collections that the rows' short-lived objects
    set off; that was a fifth of the time on a file of distinct names. Encoding rows makes
    no reference cycles, so nothing waits for the collector: memory stays flat.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Run:
    """One file's rows on their way to the writer, a block at a time, problems in row order.

    A problem of reading (a long row, an unreadable rest) is logged after the rows read
    before it, as if the rows had gone one at a time. With ``workers`` > 1, the blocks after
    the first are encoded and formatted in forked processes, at most two a worker in flight,
    and taken back in order: the output and the problems are those of one process.
    """

    def __init__(
        self,
        encoder: RowEncoder,
        writer: RowWriter,
        fmt: OutputFormat,
        log: ProblemLog,
        file: str,
        progress: Callable[[int], None] | None,
        workers: int = 1,
    ) -> None:
        self.encoder, self.writer, self.fmt, self.log = encoder, writer, fmt, log
        self.file, self.progress, self.workers = file, progress, workers
        self.seen: set[str] = set()
        self.read = self.written = 0

    def take(self, items: Iterable[tuple[int, dict[str, str]] | Problem]) -> None:
        """Encode and write the rows, logging the problems of reading in their place."""
        units = self._units(items)
        for unit in units:
            if isinstance(unit, Problem):
                self.log.add(unit)
                continue
            repeated = repeated_rows(unit, self.seen)
            self._write(_encoded(self.encoder, unit, repeated, self.file, self.fmt))
            if self.workers > 1 and len(unit) == BLOCK:  # a full block: more may follow
                self._take_forked(units)
                return

    def _take_forked(self, units: Iterator[list[_Numbered] | Problem]) -> None:
        in_flight = 2 * self.workers
        pending: deque[Future[_Encoded] | Problem] = deque()
        with forked_pool(self.workers, _adopt, (self.encoder,)) as pool:
            for unit in units:
                if isinstance(unit, Problem):
                    pending.append(unit)
                else:
                    repeated = repeated_rows(unit, self.seen)
                    pending.append(
                        pool.submit(_encoded_in_worker, unit, repeated, self.file, self.fmt)
                    )
                while len(pending) > in_flight:
                    self._finish(pending.popleft())
            while pending:
                self._finish(pending.popleft())

    def _finish(self, done: Future[_Encoded] | Problem) -> None:
        if isinstance(done, Problem):
            self.log.add(done)
        else:
            self._write(done.result())

    def _units(
        self, items: Iterable[tuple[int, dict[str, str]] | Problem]
    ) -> Iterator[list[_Numbered] | Problem]:
        """The rows in blocks of :data:`BLOCK`, a problem of reading ending a block."""
        progress = self.progress
        block: list[_Numbered] = []
        for item in items:
            if isinstance(item, Problem):
                if block:
                    yield block
                    block = []
                yield item
                continue
            block.append(item)
            self.read += 1
            if progress is not None and self.read % PROGRESS_EVERY == 0:
                progress(self.read)
            if len(block) >= BLOCK:
                yield block
                block = []
        if block:
            yield block

    def _write(self, encoded: _Encoded) -> None:
        """Log a block's problems; write its rows unless there was an error (after an error
        the rest is only checked: nothing will be kept)."""
        text, count, problems = encoded
        if problems:
            self.log.extend(problems)
        if not self.log.has_errors:
            self.writer.write_text(text)
            self.written += count


def _encoded(
    encoder: RowEncoder,
    block: list[_Numbered],
    repeated: list[int],
    file: str,
    fmt: OutputFormat,
) -> _Encoded:
    """A block's rows encoded and formatted, how many, and their problems in row order."""
    results = refuse(block, encoder.encode_cells(block, file=file), repeated, file)
    problems = [problem for result in results for problem in result.problems]
    rows = [result.encoded for result in results if result.encoded is not None]
    return rows_text(rows, fmt, SUBMISSION_COLUMNS), len(rows), problems


# A worker process's encoder, inherited from the process that forked it (never pickled).
_worker_encoder: RowEncoder | None = None


def _adopt(encoder: RowEncoder) -> None:
    global _worker_encoder
    _worker_encoder = encoder


def _encoded_in_worker(
    block: list[_Numbered], repeated: list[int], file: str, fmt: OutputFormat
) -> _Encoded:
    """:func:`_encoded` in a worker process, with the encoder it inherited."""
    assert _worker_encoder is not None, "a worker starts with _adopt"
    return _encoded(_worker_encoder, block, repeated, file, fmt)
