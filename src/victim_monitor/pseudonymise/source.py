"""Reading the raw file at the source: CSV as spreadsheets and case systems export it, or an
Excel workbook (its first sheet, opened with the register's limits: ``registry.workbook``).

CSV: UTF-8 with or without BOM; the separator (``,`` ``;`` or tab) is read from the header row.
Columns are found by their standard name, by a known Dutch or English alias, or by an
explicit ``--map raw=standard``; every other column is ignored and never read into output.
"""

from __future__ import annotations

import codecs
import csv
import itertools
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

from victim_monitor.problems import Problem, ProblemCode, ProblemLog
from victim_monitor.pseudonymise import codes
from victim_monitor.pseudonymise.columns import RAW_COLUMNS, REQUIRED_RAW_COLUMNS
from victim_monitor.pseudonymise.values import source_values, value_key
from victim_monitor.registry.formats import UnreadableFileError
from victim_monitor.registry.limits import LIMITS
from victim_monitor.registry.workbook import read_workbook

_SEPARATORS = (",", ";", "\t")
HEADER_ROW = 1


def column_key(name: str) -> str:
    """A column name as compared: case, accents, spaces and punctuation do not matter."""
    return value_key(name).replace(" ", "_")


@cache
def column_aliases() -> dict[str, str]:
    """Known other names of the standard raw columns (``source-values.toml``)."""
    return {
        column_key(alias): column
        for column, aliases in source_values()["columns"].items()
        for alias in aliases
    }


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each standard raw column is in the file, and which columns are ignored."""

    positions: Mapping[str, int]
    ignored: tuple[str, ...]


def resolve_layout(
    header: Sequence[str],
    column_map: Mapping[str, str] | None = None,
    *,
    file: str | None = None,
) -> tuple[Layout, list[Problem]]:
    """Match header names to standard columns: explicit map, then exact name, then alias."""
    problems: list[Problem] = []

    def problem(code: ProblemCode, field: str, value: str | None, message: str) -> None:
        problems.append(code(message, file=file, row=HEADER_ROW, field=field, value=value))

    names = [column_key(h) for h in header]
    positions: dict[str, int] = {}
    used: set[int] = set()
    for raw, standard in (column_map or {}).items():
        target = column_key(standard)
        found = [i for i, name in enumerate(names) if name == column_key(raw)]
        if target not in RAW_COLUMNS:
            problem(
                codes.MAP_UNKNOWN_COLUMN,
                standard,
                f"{raw}={standard}",
                "not a standard raw column; see docs/encoder.md for the list",
            )
        elif not found:
            problem(
                codes.MAP_UNKNOWN_COLUMN, raw, f"{raw}={standard}", "no such column in the raw file"
            )
        elif len(found) > 1 or target in positions:
            problem(codes.COLUMN_TWICE, target, raw, "mapped from more than one raw column")
        else:
            positions[target] = found[0]
            used.add(found[0])

    # Exact standard names first, then aliases; neither takes a column the map already set.
    aliases = column_aliases()
    exact = {name: name for name in RAW_COLUMNS}
    for rule in (exact, aliases):
        claims: dict[str, list[int]] = {}
        for i, name in enumerate(names):
            claimed = rule.get(name)
            if claimed is not None and claimed not in positions and i not in used:
                claims.setdefault(claimed, []).append(i)
        for column, found in claims.items():
            if len(found) > 1:
                shown = ", ".join(header[i] for i in found)
                problem(
                    codes.COLUMN_TWICE,
                    column,
                    shown,
                    "several raw columns could be this one; choose with --map",
                )
            positions[column] = found[0]
            used.update(found)

    for column in RAW_COLUMNS:
        if column in positions:
            continue
        if column in REQUIRED_RAW_COLUMNS:
            problem(
                codes.RAW_COLUMN_MISSING,
                column,
                ", ".join(header),
                "required; name the raw column holding it with --map raw=" + column,
            )
        else:
            problem(
                codes.OPTIONAL_COLUMN_ABSENT,
                column,
                None,  # the header is shown once, with a missing required column, if any
                "not in the raw file; every report gets it as unknown",
            )
    ignored = tuple(h for i, h in enumerate(header) if i not in used)
    return Layout(positions, ignored), problems


def detect_separator(header_line: str) -> str:
    """The separator occurring most often in the header line (``,`` when there is none)."""
    return max(_SEPARATORS, key=header_line.count)


@dataclass(frozen=True, slots=True)
class RawTable:
    """An open raw CSV whose header has been resolved; its rows are read on demand."""

    layout: Layout
    records: Iterator[tuple[int, list[str]]]  # (row number as a person counts, cells)
    width: int
    log: ProblemLog
    file: str

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(row number, cells by standard name: every raw column, stripped, empty when the
        file lacks it); blank rows are skipped but counted; problems of reading go to ``log``."""
        for item in self.items():
            if isinstance(item, Problem):
                self.log.add(item)
            else:
                yield item

    def items(self) -> Iterator[tuple[int, dict[str, str]] | Problem]:
        """:meth:`rows` with the problems of reading in their place among the rows (a long
        row's before it, an unreadable rest last), for a reader that takes rows in blocks."""
        columns = tuple(self.layout.positions)
        pick = itemgetter(*self.layout.positions.values())  # >= 6 columns: gives tuples
        padding = [""] * self.width
        absent = {column: "" for column in RAW_COLUMNS if column not in self.layout.positions}
        row = HEADER_ROW
        try:
            for row, record in self.records:
                if not "".join(record).strip():
                    continue  # spreadsheets export trailing empty rows (";;;;")
                if len(record) > self.width and any(v.strip() for v in record[self.width :]):
                    yield codes.ROW_TOO_LONG(
                        f"{len(record)} values for {self.width} columns; quote values "
                        "that contain the separator",
                        file=self.file,
                        row=row,
                    )
                if len(record) < self.width:  # spreadsheets drop trailing empty cells
                    record = record + padding[len(record) :]
                cells = dict(zip(columns, map(str.strip, pick(record)), strict=True))
                if absent:
                    cells.update(absent)
                yield row, cells
        except NotUtf8Error as exc:
            yield _unreadable(self.file, f"line {exc.line} is not UTF-8 text", row + 1)
        except csv.Error as exc:
            yield _unreadable(self.file, f"not readable as CSV ({exc})", row + 1)
        except UnreadableFileError as exc:  # a workbook damaged or over a limit further on
            yield _unreadable(self.file, exc.problem.message, exc.problem.row)


def _unreadable(file: str, why: str, row: int | None = None) -> Problem:
    advice = "save it from the spreadsheet as 'CSV UTF-8'" if "UTF-8" in why else ""
    message = f"{why}; {advice}" if advice else why
    return codes.RAW_UNREADABLE(message, file=file, row=row)


class NotUtf8Error(ValueError):
    """A line of the raw file is not UTF-8 (``line`` counts physical lines from 1)."""

    def __init__(self, line: int) -> None:
        super().__init__(f"line {line} is not UTF-8 text")
        self.line = line


def decoded_lines(handle: BinaryIO) -> Iterator[str]:
    """The file's lines as text, BOM dropped; decoded line by line to locate a bad byte."""
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NotUtf8Error(number) from None


@contextmanager
def open_raw(
    path: Path, column_map: Mapping[str, str] | None, log: ProblemLog
) -> Iterator[RawTable | None]:
    """Open a raw CSV or workbook and resolve its header; None (with problems logged) if that
    fails."""
    file = str(path)
    if path.suffix.lower() == ".xlsx":
        yield _open_workbook(path, column_map, log)
        return
    try:
        handle = path.open("rb")
    except OSError as exc:
        log.add(_unreadable(file, f"cannot open ({exc.strerror or exc})"))
        yield None
        return
    with handle:
        lines = decoded_lines(handle)
        try:
            first = next(lines, "")
        except NotUtf8Error:
            first = None
        if first is None:
            log.add(_unreadable(file, "not UTF-8 text", HEADER_ROW))
        elif not first.strip():
            log.add(_unreadable(file, "empty: the first row must name the columns", HEADER_ROW))
        else:
            separator = detect_separator(first)
            reader = csv.reader(itertools.chain([first], lines), delimiter=separator)
            try:
                header = [name.strip() for name in next(reader)]
            except NotUtf8Error as exc:
                log.add(_unreadable(file, f"line {exc.line} is not UTF-8 text", HEADER_ROW))
                yield None
                return
            except csv.Error as exc:
                log.add(_unreadable(file, f"not readable as CSV ({exc})", HEADER_ROW))
                yield None
                return
            layout, problems = resolve_layout(header, column_map, file=file)
            log.extend(problems)
            if not log.has_errors:
                records = enumerate(reader, start=HEADER_ROW + 1)
                yield RawTable(layout, records, len(header), log, file)
                return
        yield None


def _open_workbook(
    path: Path, column_map: Mapping[str, str] | None, log: ProblemLog
) -> RawTable | None:
    """The first sheet of a workbook, if it is within the intake's limits (a "zip bomb" is
    refused before it is unpacked) and its header resolves."""
    file = str(path)
    try:
        header, records = read_workbook(path, LIMITS)
    except UnreadableFileError as exc:
        log.add(_unreadable(file, exc.problem.message, exc.problem.row))
        return None
    except OSError as exc:
        log.add(_unreadable(file, f"cannot open ({exc.strerror or exc})"))
        return None
    if not header:
        log.add(_unreadable(file, "empty: the first row must name the columns", HEADER_ROW))
        return None
    layout, problems = resolve_layout([h.strip() for h in header], column_map, file=file)
    log.extend(problems)
    if log.has_errors:
        return None
    return RawTable(layout, records, len(header), log, file)
