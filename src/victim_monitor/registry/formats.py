"""Reading submission files (CSV, XLSX, JSON, JSON Lines) as a stream of text rows.

Every container is turned into the same thing: a header (list of column names) and rows of
text values numbered as a person sees the file. Checking the values is not done here but in
:mod:`victim_monitor.registry.checks`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from victim_monitor.problems import Problem, Severity, define

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


def open_rows(path: Path) -> Rows:
    """Open ``path`` and read its header; rows are read lazily."""
    fmt = file_format(path)
    if not path.is_file():
        raise UnreadableFileError(UNREADABLE("no such file", file=path.name))
    reader = {"csv": _csv, "xlsx": _xlsx, "json": _json, "jsonl": _jsonl}[fmt]
    header, rows = reader(path)
    if not header:
        raise UnreadableFileError(EMPTY("the file has no header row", file=path.name))
    return Rows(path, fmt, header, rows)


def _decode_error(path: Path, row: int | None, exc: Exception) -> UnreadableFileError:
    return UnreadableFileError(
        UNREADABLE(f"not valid UTF-8 text ({exc}); save the file as UTF-8", file=path.name, row=row)
    )


def _csv(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    handle = path.open("r", encoding="utf-8-sig", newline="")
    try:
        first = handle.readline()
    except UnicodeDecodeError as exc:
        handle.close()
        raise _decode_error(path, 1, exc) from exc
    # Dutch Excel writes ';'; the header row decides (column names contain neither).
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        header = next(csv.reader([first], delimiter=delimiter), [])
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        handle.close()
        raise UnreadableFileError(
            UNREADABLE(f"malformed CSV ({exc})", file=path.name, row=1)
        ) from exc
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
            raise UnreadableFileError(
                UNREADABLE(f"malformed CSV ({exc})", file=path.name, row=number + 1)
            ) from exc
        finally:
            handle.close()

    return header, rows()


def _cell(value: Any) -> str:
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


def _xlsx(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook  # slow import, only for workbooks

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFileError(
            UNREADABLE(f"not an Excel workbook ({exc})", file=path.name)
        ) from exc
    except Exception as exc:  # a damaged workbook can fail anywhere in openpyxl
        raise UnreadableFileError(_damaged(path, None, exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        first = next(values, None)
    except Exception as exc:
        workbook.close()
        raise UnreadableFileError(_damaged(path, 1, exc)) from exc
    if first is None:
        workbook.close()
        return [], iter(())
    header = [_cell(v) for v in first]
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, list[str]]]:
        number = 1
        try:
            for number, raw in enumerate(values, start=2):
                cells = [_cell(v) for v in raw]
                # A sheet's row has no "missing fields": empty trailing cells are blanks.
                while len(cells) > len(header) and not cells[-1].strip():
                    cells.pop()
                cells.extend([""] * (len(header) - len(cells)))
                if any(c.strip() for c in cells):
                    yield number, cells
        except Exception as exc:
            raise UnreadableFileError(_damaged(path, number + 1, exc)) from exc
        finally:
            workbook.close()

    return header, rows()


def _damaged(path: Path, row: int | None, exc: Exception) -> Problem:
    # Only the kind of failure: openpyxl's messages may quote cell contents.
    message = f"damaged Excel workbook ({type(exc).__name__}); save it again from Excel"
    return UNREADABLE(message, file=path.name, row=row)


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
        yield number, [_cell(v) for v in obj.values()]
        for n, item in objects:
            if not isinstance(item, dict):
                raise UnreadableFileError(
                    UNREADABLE("each report must be a JSON object", file=path.name, row=n)
                )
            if list(item) != header and set(item) == set(header):
                item = {k: item[k] for k in header}
            # Different keys give a row of another length, which checks report as VM201.
            yield n, [_cell(v) for v in item.values()]

    return header, rows()


def _json(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
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


def _jsonl(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
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
