"""Writing a submission file atomically: the whole file appears, or nothing does.

The rows go to a hidden temporary file beside the target (same directory, hence same file
system), which is synced and then renamed over the target with ``os.replace``. A crash, an
error row or Ctrl-C leaves no half-written submission that someone might upload.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, Protocol, TextIO

OutputFormat = Literal["csv", "jsonl", "json"]


def output_format(path: Path) -> OutputFormat:
    """The container for an output path: JSON Lines, a JSON array, or CSV for anything else."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        raise ValueError(f"{path}: the encoder writes .csv, .jsonl or .json, not .xlsx")
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".json":
        return "json"
    return "csv"


class RowWriter(Protocol):
    def write(self, values: Sequence[str]) -> None: ...
    def write_many(self, rows: Sequence[Sequence[str]]) -> None: ...
    def close(self) -> None: ...


class _CsvWriter:
    """RFC 4180 CSV: comma, CRLF line ends, quotes only where needed; header row first."""

    def __init__(self, handle: TextIO, columns: Sequence[str]) -> None:
        self._handle, self._width = handle, len(columns)
        self._writer = csv.writer(handle, lineterminator="\r\n")
        self._writer.writerow(columns)

    def write(self, values: Sequence[str]) -> None:
        self._writer.writerow(values)

    def write_many(self, rows: Sequence[Sequence[str]]) -> None:
        """Rows at once: joined with commas when no value needs quotes, else by ``csv``.

        Pseudonyms, filters, codes and checked references never need quotes; joining is
        several times faster than ``csv.writer`` and gives the same bytes, which the counts
        below prove for the block (one comma fewer than values a row, no quote, no line
        break inside a value).
        """
        if not rows:
            return
        text = "\r\n".join(map(",".join, rows))
        n = len(rows)
        if (
            self._width > 1  # csv writes a lone empty value as ""
            and all(len(values) == self._width for values in rows)
            and text.count(",") == n * (self._width - 1)
            and '"' not in text
            and text.count("\r") == text.count("\n") == n - 1
        ):
            self._handle.write(text + "\r\n")
        else:
            self._writer.writerows(rows)

    def close(self) -> None:
        pass


class _JsonWriter:
    """One object per report with keys in column order; empty values as ``null``.

    JSON Lines writes one object per line; a JSON array wraps the same lines in ``[`` ``]``.
    Both stream: nothing is held in memory.
    """

    def __init__(self, handle: TextIO, columns: Sequence[str], *, array: bool) -> None:
        self._handle, self._columns, self._array = handle, tuple(columns), array
        self._first = True
        if array:
            handle.write("[")

    def write(self, values: Sequence[str]) -> None:
        obj = {c: (v if v else None) for c, v in zip(self._columns, values, strict=True)}
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        if self._array:
            self._handle.write(("\n" if self._first else ",\n") + text)
        else:
            self._handle.write(text + "\n")
        self._first = False

    def write_many(self, rows: Sequence[Sequence[str]]) -> None:
        for values in rows:
            self.write(values)

    def close(self) -> None:
        if self._array:
            self._handle.write("]\n" if self._first else "\n]\n")


def row_writer(handle: TextIO, columns: Sequence[str], fmt: OutputFormat) -> RowWriter:
    if fmt == "csv":
        return _CsvWriter(handle, columns)
    return _JsonWriter(handle, columns, array=fmt == "json")


class AtomicFile:
    """A temporary file that becomes ``target`` only when :meth:`commit` was called."""

    def __init__(self, target: Path, handle: TextIO, temporary: Path) -> None:
        self.target, self.handle, self.temporary = target, handle, temporary
        self.committed = False

    def commit(self) -> None:
        self.committed = True


_BUFFER = 1 << 20  # bytes; fewer write calls for a large submission


@contextmanager
def atomic_output(target: Path) -> Iterator[AtomicFile]:
    """Yield a temporary file beside ``target``; rename it into place only if committed.

    The file is created with mode 0600 (``mkstemp``); it holds no clear data, but there is
    no reason for others on a shared machine to read it before it is sent.
    """
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    temporary = Path(name)
    handle = os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=_BUFFER)
    atomic = AtomicFile(target, handle, temporary)
    try:
        yield atomic
        if atomic.committed:
            handle.flush()
            os.fsync(handle.fileno())
        handle.close()
        if atomic.committed:
            os.replace(temporary, target)
    finally:
        handle.close()
        temporary.unlink(missing_ok=True)
