"""Encoding a raw file into a submission: read, check, pseudonymise, write atomically.

Every problem in the raw file is found in one pass and reported with its code, row and
field. If any is an error, nothing is written: an organisation never sends a partial file.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType

from victim_monitor.problems import CATALOGUE, Problem, ProblemLog, grouped
from victim_monitor.pseudonymise import codes
from victim_monitor.pseudonymise.columns import SUBMISSION_COLUMNS
from victim_monitor.pseudonymise.key import Key
from victim_monitor.pseudonymise.output import (
    RowWriter,
    atomic_output,
    output_format,
    row_writer,
)
from victim_monitor.pseudonymise.rows import BLOCK, RowEncoder, refuse_repeats
from victim_monitor.pseudonymise.source import open_raw

PROGRESS_EVERY = 1000  # rows between progress callbacks
SUMMARY_PROBLEMS = 20  # problems listed in summary(); all are in ``problems``


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
) -> EncodeResult:
    """Encode the raw CSV ``raw`` into the submission ``out`` (.csv, .jsonl or .json).

    ``column_map`` maps raw column names to standard ones (``--map raw=standard``).
    ``progress`` is called with the number of rows read, every 1000 rows and at the end.
    ``today`` bounds report dates (default: the real today; for tests).
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
            run = _Run(RowEncoder(key, today=today), writer, log, str(raw), progress)
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
    before it, as if the rows had gone one at a time.
    """

    def __init__(
        self,
        encoder: RowEncoder,
        writer: RowWriter,
        log: ProblemLog,
        file: str,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.encoder, self.writer, self.log, self.file = encoder, writer, log, file
        self.progress = progress
        self.block: list[tuple[int, dict[str, str]]] = []
        self.seen: set[str] = set()
        self.read = self.written = 0

    def take(self, items: Iterable[tuple[int, dict[str, str]] | Problem]) -> None:
        """Encode and write the rows, logging the problems of reading in their place."""
        progress, block = self.progress, self.block
        for item in items:
            if isinstance(item, Problem):
                self.flush()
                self.log.add(item)
                block = self.block
                continue
            block.append(item)
            self.read += 1
            if progress is not None and self.read % PROGRESS_EVERY == 0:
                progress(self.read)
            if len(block) >= BLOCK:
                self.flush()
                block = self.block
        self.flush()

    def flush(self) -> None:
        """Encode the rows waiting, log their problems, write them unless there was an error."""
        block, self.block = self.block, []
        if not block:
            return
        results = self.encoder.encode_cells(block, file=self.file)
        log, ready = self.log, []
        for result in refuse_repeats(block, results, self.seen, self.file):
            if result.problems:
                log.extend(list(result.problems))
            if result.encoded is not None and not log.has_errors:
                ready.append(result.encoded)  # after an error only check
        self.writer.write_many(ready)
        self.written += len(ready)
