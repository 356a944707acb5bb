"""Reading submission files (CSV, XLSX, JSON, JSON Lines) as a stream of text rows.

Every container is turned into the same thing: a header (list of column names) and rows of
text values numbered as a person sees the file. Checking the values is not done here but in
:mod:`victim_monitor.registry.checks`. Every format is read within the :class:`Limits` of
:mod:`victim_monitor.registry.limits` (workbooks by :mod:`victim_monitor.registry.workbook`).
No problem made here repeats a value from the file.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from victim_monitor.problems import Problem, Severity, define
from victim_monitor.registry.limits import LIMITS, TOO_LONG, TOO_MANY, Limits

UNREADABLE = define("VM101", Severity.ERROR, "File cannot be read")
UNSUPPORTED = define("VM107", Severity.ERROR, "Unsupported file type")
EMPTY = define("VM106", Severity.ERROR, "File has no header or no reports")

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".json": "json", ".jsonl": "jsonl"}


class UnreadableFileError(Exception):
    """The file (or the rest of it) cannot be read; carries the coded problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Rows:
    """A submission file opened for streaming: its format, header and numbered rows."""

    path: Path
    file_format: str
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]


def file_format(path: Path) -> str:
    """The container format from the file name, or raise with VM107."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableFileError(
            UNSUPPORTED(
                f"files ending in {path.suffix or '(nothing)'} are not submissions; "
                "use .csv, .xlsx, .json or .jsonl",
                file=path.name,
            )
        )
    return fmt


def open_rows(path: Path, limits: Limits = LIMITS) -> Rows:
    """Open ``path`` and read its header; rows are read lazily, each within ``limits``."""
    fmt = file_format(path)
    if not path.is_file():
        raise UnreadableFileError(UNREADABLE("no such file", file=path.name))
    if fmt == "xlsx":
        from victim_monitor.registry.workbook import read_workbook  # it imports this module

        header, rows = read_workbook(path, limits)
    else:
        header, rows = {"csv": _csv, "json": _json, "jsonl": _jsonl}[fmt](path, limits)
    try:
        if not header:
            raise UnreadableFileError(EMPTY("the file has no header row", file=path.name))
        _check_width(path.name, 1, header, limits)
        _check_text(path.name, 1, header, limits)
    except UnreadableFileError:
        _close(rows)
        raise
    # The csv module already refuses a field over its limit, at no cost per row.
    texts = fmt != "csv" or limits.max_cell_chars < csv.field_size_limit()
    return Rows(path, fmt, header, _capped(path.name, rows, limits, texts=texts))


def _capped(
    file: str, rows: Iterator[tuple[int, list[str]]], limits: Limits, *, texts: bool
) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in rows:
            _check_width(file, number, values, limits)
            if texts:
                _check_text(file, number, values, limits)
            yield number, values
    finally:
        _close(rows)


def _check_width(file: str, row: int, values: list[str], limits: Limits) -> None:
    if len(values) > limits.max_columns:
        message = f"{len(values):,} columns; at most {limits.max_columns}"
        raise UnreadableFileError(TOO_MANY(message, file=file, row=row))


def _check_text(file: str, row: int, values: list[str], limits: Limits) -> None:
    for position, value in enumerate(values, start=1):
        if len(value) > limits.max_cell_chars:
            message = f"a value of more than {limits.max_cell_chars:,} characters"
            raise UnreadableFileError(
                TOO_LONG(message, file=file, row=row, field=f"column {position}")
            )


def _close(rows: Iterator[tuple[int, list[str]]]) -> None:
    if isinstance(rows, Generator):
        rows.close()  # runs the reader's ``finally``, which closes the file


def _decode_error(path: Path, row: int | None, exc: Exception) -> UnreadableFileError:
    return UnreadableFileError(
        UNREADABLE(f"not valid UTF-8 text ({exc}); save the file as UTF-8", file=path.name, row=row)
    )


def _csv(path: Path, limits: Limits) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    handle = path.open("r", encoding="utf-8-sig", newline="")
    # A header row is a few hundred characters; without a bound, a file without line breaks
    # would be read whole into memory here.
    longest = limits.max_columns * 1024
    try:
        first = handle.readline(longest + 1)
    except UnicodeDecodeError as exc:
        handle.close()
        raise _decode_error(path, 1, exc) from exc
    if len(first) > longest:
        handle.close()
        message = f"a header row of more than {longest:,} characters"
        raise UnreadableFileError(TOO_LONG(message, file=path.name, row=1))
    delimiter = csv_delimiter(first)
    try:
        header = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error as exc:
        handle.close()
        raise UnreadableFileError(_csv_error(path, 1, exc)) from exc
    if not header:
        handle.close()  # the rows below would never be read, nor the file closed
        return [], iter(())

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for values in csv.reader(handle, delimiter=delimiter):
                number += 1
                if values and (values[0] or any(values)):
                    yield number, values
        except UnicodeDecodeError as exc:
            raise _decode_error(path, number + 1, exc) from exc
        except csv.Error as exc:
            raise UnreadableFileError(_csv_error(path, number + 1, exc)) from exc
        finally:
            handle.close()

    return header, rows()


def csv_delimiter(header_line: str) -> str:
    """Dutch Excel writes ';'; the header row decides (column names contain neither)."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _csv_error(path: Path, row: int, exc: csv.Error) -> Problem:
    # The csv module's messages name the fault, never the text ("line contains NUL").
    if str(exc).startswith("field larger than field limit"):
        message = f"a value of more than {csv.field_size_limit():,} characters"
        return TOO_LONG(message, file=path.name, row=row)
    return UNREADABLE(f"malformed CSV ({exc})", file=path.name, row=row)


def cell_text(value: Any) -> str:
    """Text of one spreadsheet or JSON value, as a person would have typed it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _object_rows(
    path: Path, objects: Iterator[tuple[int, Any]]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """Rows from JSON objects; the first object's keys are the header."""
    first = next(objects, None)
    if first is None:
        return [], iter(())
    number, obj = first
    if not isinstance(obj, dict):
        raise UnreadableFileError(
            UNREADABLE("each report must be a JSON object", file=path.name, row=number)
        )
    header = [str(k) for k in obj]

    def rows() -> Iterator[tuple[int, list[str]]]:
        yield number, [cell_text(v) for v in obj.values()]
        for n, item in objects:
            if not isinstance(item, dict):
                raise UnreadableFileError(
                    UNREADABLE("each report must be a JSON object", file=path.name, row=n)
                )
            if list(item) != header and set(item) == set(header):
                item = {k: item[k] for k in header}
            # Different keys give a row of another length, which checks report as VM201.
            yield n, [cell_text(v) for v in item.values()]

    return header, rows()


def _json(path: Path, _limits: Limits) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    try:
        data = json.loads(path.read_text("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise _decode_error(path, None, exc) from exc
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(
            UNREADABLE(f"not valid JSON ({exc.msg} at line {exc.lineno})", file=path.name)
        ) from exc
    except RecursionError as exc:
        raise UnreadableFileError(_too_deep(path, None)) from exc
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise UnreadableFileError(_too_large(path, None)) from exc
    if not isinstance(data, list):
        raise UnreadableFileError(
            UNREADABLE("a JSON submission is an array of report objects", file=path.name)
        )
    return _object_rows(path, enumerate(data, start=1))


def _jsonl(path: Path, _limits: Limits) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    handle = path.open("r", encoding="utf-8-sig")

    def objects() -> Iterator[tuple[int, Any]]:
        number = 0
        try:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, json.loads(line)
        except UnicodeDecodeError as exc:
            raise _decode_error(path, number + 1, exc) from exc
        except json.JSONDecodeError as exc:
            raise UnreadableFileError(
                UNREADABLE(f"not valid JSON ({exc.msg})", file=path.name, row=number)
            ) from exc
        except RecursionError as exc:
            raise UnreadableFileError(_too_deep(path, number)) from exc
        except ValueError as exc:
            raise UnreadableFileError(_too_large(path, number)) from exc
        finally:
            handle.close()

    return _object_rows(path, objects())


def _too_deep(path: Path, row: int | None) -> Problem:
    # Python's JSON parser recurses; a report is flat, so nesting this deep is not a report.
    return UNREADABLE("JSON nested too deeply to be a report", file=path.name, row=row)


def _too_large(path: Path, row: int | None) -> Problem:
    return UNREADABLE("not valid JSON (a value too large to read)", file=path.name, row=row)
