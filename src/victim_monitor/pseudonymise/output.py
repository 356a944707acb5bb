"""Writing a submission file atomically: the whole file appears, or nothing does.

The rows go to a hidden temporary file beside the target (same directory, hence same file
system), which is synced and then renamed over the target with ``os.replace``. A crash, an
error row or Ctrl-C leaves no half-written submission that someone might upload.
"""

from __future__ import annotations

import csv
import io
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
    def write_text(self, text: str) -> None: ...
    def close(self) -> None: ...


def rows_text(rows: Sequence[Sequence[str]], fmt: OutputFormat, columns: Sequence[str]) -> str:
    """A block of rows as its writer puts them in the file (for JSON, objects without the
    separator before the first): pure, so worker processes can format their own blocks."""
    if not rows:
        return ""
    if fmt == "csv":
        return _csv_text(rows, len(columns))
    objects = [
        json.dumps(
            {c: (v if v else None) for c, v in zip(columns, values, strict=True)},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for values in rows
    ]
    if fmt == "jsonl":
        return "".join(text + "\n" for text in objects)
    return ",\n".join(objects)


def _csv_text(rows: Sequence[Sequence[str]], width: int) -> str:
    """RFC 4180 rows: joined with commas when no value needs quotes, else by ``csv``.

    Pseudonyms, filters, codes and checked references never need quotes; joining is several
    times faster than ``csv.writer`` and gives the same bytes, which the counts below prove
    for the block (one comma fewer than values a row, no quote, no line break inside a value).
    """
    text = "\r\n".join(map(",".join, rows))
    n = len(rows)
    if (
        width > 1  # csv writes a lone empty value as ""
        and all(len(values) == width for values in rows)
        and text.count(",") == n * (width - 1)
        and '"' not in text
        and text.count("\r") == text.count("\n") == n - 1
    ):
        return text + "\r\n"
    handle = io.StringIO(newline="")
    csv.writer(handle, lineterminator="\r\n").writerows(rows)
    return handle.getvalue()


class _CsvWriter:
    """RFC 4180 CSV: comma, CRLF line ends, quotes only where needed; header row first."""

    def __init__(self, handle: TextIO, columns: Sequence[str]) -> None:
        self._handle, self._columns = handle, tuple(columns)
        csv.writer(handle, lineterminator="\r\n").writerow(columns)

    def write(self, values: Sequence[str]) -> None:
        self.write_many([values])

    def write_many(self, rows: Sequence[Sequence[str]]) -> None:
        self.write_text(rows_text(rows, "csv", self._columns))

    def write_text(self, text: str) -> None:
        """Rows formatted by :func:`rows_text`."""
        self._handle.write(text)

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
        self.write_many([values])

    def write_many(self, rows: Sequence[Sequence[str]]) -> None:
        self.write_text(rows_text(rows, "json" if self._array else "jsonl", self._columns))

    def write_text(self, text: str) -> None:
        """Rows formatted by :func:`rows_text`."""
        if not text:
            return
        if self._array:
            self._handle.write(("\n" if self._first else ",\n") + text)
        else:
            self._handle.write(text)
        self._first = False

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
