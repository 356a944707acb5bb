"""Reading the first worksheet of an XLSX submission, within the :class:`Limits`.

An XLSX file is a zip of XML parts: a few megabytes can unpack to gigabytes, and openpyxl
loads the shared-string table whole and holds a row's cells at once. So two cheap gates come
before openpyxl parses anything:

1. The zip directory: its own size (read from the end record before :mod:`zipfile` parses
   it), the number of parts, each part's unpacked size and compression ratio, and their
   total. :mod:`zipfile` stops a part at its declared size (and then checks its CRC), so the
   declared sizes bound what any reader of the part gets.
2. A streaming scan of every part with expat, in constant memory. A part's root element says
   what it is, whatever the part is called: a worksheet's row numbers, cells per row, column
   letters and text per cell; a shared-string table's entries and their length; elements
   everywhere. A DTD is refused (Excel never writes one; entities are how XML bombs expand).

openpyxl then reads the values in read-only mode, with the sheet's declared dimension ignored:
a dimension of A1:XFD1048576 would make it pad every row to 16,384 cells (and a too-small
one would make it drop rows). Problems name parts by their role or number, never by the names
inside the file.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.parsers import expat

from victim_monitor.problems import Problem
from victim_monitor.registry.formats import UNREADABLE, UnreadableFileError, cell_text
from victim_monitor.registry.limits import MIB, TOO_BIG_UNPACKED, TOO_LONG, TOO_MANY, Limits

CHUNK = 1 << 16  # bytes of a part fed to expat at a time
# A directory entry is 46 bytes, its name (Excel's are under 40) and extra fields: 1 KiB is
# ample. zipfile holds a ZipInfo of some 500 bytes per entry, so the directory is bounded
# before it is parsed (a 50 MB file could list a million parts).
ENTRY_BYTES = 1024
_END = b"PK\x05\x06"  # end of central directory record
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
SHARED_STRINGS = "xl/sharedStrings.xml"
_SHEET = re.compile(r"xl/worksheets/sheet[0-9]{1,5}\.xml")
_LETTERS = re.compile(r"[A-Za-z]+")
# What reading a damaged zip raises: a bad CRC or header, bad deflate data, a truncated
# file, an unsupported compression method, encryption ("password required").
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    OSError,
    ValueError,
)

Header = list[str]
NumberedRows = Iterator[tuple[int, list[str]]]


def read_workbook(path: Path, limits: Limits) -> tuple[Header, NumberedRows]:
    """The first worksheet's header and its rows, read only if the workbook is within limits."""
    check_workbook(path, limits)
    return _read(path)


def check_workbook(path: Path, limits: Limits) -> None:
    """Raise :class:`UnreadableFileError` if the workbook is over a limit or not a zip."""
    try:
        directory = _directory_size(path)
        if directory is not None and directory > limits.max_members * ENTRY_BYTES:
            message = (
                f"the workbook's zip directory takes {directory:,} bytes; "
                f"at most {limits.max_members * ENTRY_BYTES:,} ({limits.max_members} parts)"
            )
            raise _too_big(path.name, message)
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            check_directory(parts, path.name, limits)
            for number, info in enumerate(parts, start=1):
                if not info.is_dir():
                    with archive.open(info) as stream:
                        _Scan(path.name, _role(number, info), info.file_size, limits).run(stream)
    except _ZIP_ERRORS as exc:
        raise UnreadableFileError(_not_a_workbook(path.name, exc)) from exc


def _directory_size(path: Path) -> int | None:
    """The central directory's size as its end record gives it, the record found as zipfile
    finds it; None when there is none (then zipfile refuses the file itself)."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - (76 + 22 + 0xFFFF)))  # zip64 records, end record, comment
        tail = handle.read()
    if tail[-22:-18] == _END and tail[-2:] == b"\0\0":
        at = len(tail) - 22  # without a comment
    else:
        at = tail.rfind(_END, max(0, len(tail) - 22 - 0xFFFF))
        if at < 0 or len(tail) < at + 22:
            return None
    directory = int.from_bytes(tail[at + 12 : at + 16], "little")
    # Zip64: the locator just before the end record, and the zip64 record just before that.
    if at >= 76 and tail[at - 20 : at - 16] == _END64_LOCATOR and tail[at - 76 : at - 72] == _END64:
        directory = max(directory, int.from_bytes(tail[at - 36 : at - 28], "little"))
    return directory


def check_directory(parts: list[zipfile.ZipInfo], file: str, limits: Limits) -> None:
    """The zip directory's sizes within limits; nothing is unpacked."""
    if len(parts) > limits.max_members:
        message = f"the workbook has {len(parts)} parts; at most {limits.max_members}"
        raise _too_big(file, message)
    total = 0
    for number, info in enumerate(parts, start=1):
        size, packed = info.file_size, info.compress_size
        role = _role(number, info)
        cap = _cap_by_name(info.filename, limits)
        if size > cap:
            raise _too_big(file, f"{role} unpacks to {_mib(size)}; at most {_mib(cap)}")
        if size > limits.ratio_exempt_bytes and size > limits.max_ratio * max(packed, 1):
            message = (
                f"{role} unpacks {size / max(packed, 1):,.0f} times ({_mib(packed)} to "
                f"{_mib(size)}); workbook parts compress at most {limits.max_ratio:g} times"
            )
            raise _too_big(file, message)
        total += size
    if total > limits.max_total_bytes:
        message = f"the workbook unpacks to {_mib(total)}; at most {_mib(limits.max_total_bytes)}"
        raise _too_big(file, message)


def _cap_by_name(name: str, limits: Limits) -> int:
    # By name only the usual places; the scan applies the cap of what a part turns out to be.
    if name == SHARED_STRINGS:
        return limits.max_shared_strings_bytes
    return limits.max_sheet_bytes


def _role(number: int, info: zipfile.ZipInfo) -> str:
    """How a part is named in a problem: by its usual role, else its number (names are data)."""
    if info.filename == SHARED_STRINGS:
        return "the shared-string table"
    if _SHEET.fullmatch(info.filename):
        return "a worksheet"
    return f"part {number} of the zip"


def _mib(size: int) -> str:
    return f"{size / MIB:,.1f} MiB"


def _too_big(file: str, message: str) -> UnreadableFileError:
    return UnreadableFileError(TOO_BIG_UNPACKED(message, file=file))


def _not_a_workbook(file: str, exc: Exception) -> Problem:
    # Only the kind of failure: messages of zipfile and openpyxl may quote names and contents.
    return UNREADABLE(f"not an Excel workbook ({type(exc).__name__})", file=file)


@dataclass(slots=True)
class _Scan:
    """One part streamed through expat, counting what openpyxl would hold in memory."""

    file: str
    role: str
    size: int
    limits: Limits
    kind: str = ""  # "worksheet", "sst" or "other", from the root element
    depth: int = 0
    elements: int = 0  # outside rows and shared-string entries
    item_depth: int = 0  # depth of the open row or entry; 0 when none is open
    item_elements: int = 0
    rows: int = 0
    row: int = 0  # the open row's number as the sheet gives it
    cells: int = 0
    column: int = 0
    entries: int = 0
    text: int = 0  # characters of the open cell, entry or element

    def run(self, stream: IO[bytes]) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._characters
        try:
            while chunk := stream.read(CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            # Not XML (an image), or damaged XML: openpyxl stops at the same place, and
            # everything before it has been counted.
            return

    def _doctype(self, *_: object) -> None:
        message = f"{self.role} declares a DTD, which Excel never writes"
        raise UnreadableFileError(UNREADABLE(message, file=self.file))

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        self.depth += 1
        if not self.kind:
            self._root(local)
        if self.item_depth:
            self.item_elements += 1
            if self.item_elements > self.limits.max_item_elements:
                self._too_many(f"more than {self.limits.max_item_elements} XML elements")
            if self.kind == "worksheet" and self.depth == self.item_depth + 1:
                self._cell(attributes.get("r"))
            return
        self.text = 0
        if self.kind == "worksheet" and local == "row":
            self._row(attributes.get("r"))
        elif self.kind == "sst" and local == "si":
            self.entries += 1
            self.item_depth, self.item_elements = self.depth, 0
            if self.entries > self.limits.max_shared_strings:
                limit = self.limits.max_shared_strings
                self._too_many(f"the shared-string table has more than {limit:,} entries")
        else:
            self.elements += 1
            if self.elements > self.limits.max_elements:
                self._too_many(f"{self.role} has more than {self.limits.max_elements:,} elements")

    def _root(self, local: str) -> None:
        self.kind = local if local in ("worksheet", "sst") else "other"
        cap = {
            "worksheet": self.limits.max_sheet_bytes,
            "sst": self.limits.max_shared_strings_bytes,
            "other": self.limits.max_part_bytes,
        }[self.kind]
        if self.size > cap:
            what = {"worksheet": "a worksheet", "sst": "the shared-string table"}.get(
                self.kind, self.role
            )
            raise _too_big(self.file, f"{what} unpacks to {_mib(self.size)}; at most {_mib(cap)}")

    def _row(self, number: str | None) -> None:
        self.rows += 1
        self.row = _row_number(number, self.row + 1)
        self.item_depth, self.item_elements = self.depth, 0
        self.cells = self.column = 0
        limit = self.limits.max_sheet_rows
        if self.rows > limit or self.row > limit:
            raise UnreadableFileError(
                TOO_MANY(f"more than {limit:,} rows", file=self.file, row=min(self.row, limit + 1))
            )

    def _cell(self, reference: str | None) -> None:
        self.cells += 1
        self.column = _column_number(reference, self.column + 1)
        self.text = 0
        if self.cells > self.limits.max_columns or self.column > self.limits.max_columns:
            self._too_many(f"more than {self.limits.max_columns} columns")

    def _end(self, _name: str) -> None:
        if self.depth == self.item_depth:
            self.item_depth = 0
        self.depth -= 1

    def _characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > self.limits.max_cell_chars:
            limit = f"more than {self.limits.max_cell_chars:,} characters"
            if self.kind == "worksheet" and self.item_depth:
                problem = TOO_LONG(
                    f"a cell holds {limit}",
                    file=self.file,
                    row=self.row,
                    field=f"column {self.column}",
                )
            elif self.kind == "sst":
                problem = TOO_LONG(f"shared text {self.entries:,} holds {limit}", file=self.file)
            else:
                problem = TOO_LONG(f"{self.role} holds a text of {limit}", file=self.file)
            raise UnreadableFileError(problem)

    def _too_many(self, message: str) -> None:
        row = self.row if self.kind == "worksheet" and self.item_depth else None
        raise UnreadableFileError(TOO_MANY(message, file=self.file, row=row))


def _row_number(text: str | None, following: int) -> int:
    """A row's number from its ``r`` attribute (as openpyxl reads it), else the next one."""
    if text is None:
        return following
    try:
        return int(text)
    except ValueError:
        try:
            return int(float(text))
        except (ValueError, OverflowError):
            return following  # not a number (or 1e400): openpyxl refuses it when it reads the row


def _column_number(reference: str | None, following: int) -> int:
    """A cell's column (A=1) from its reference such as ``AB12``, else the next column."""
    letters = _LETTERS.match(reference or "")
    if letters is None:
        return following
    number = 0
    for letter in letters.group().upper()[:4]:  # four letters are past any limit already
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _read(path: Path) -> tuple[Header, NumberedRows]:
    from openpyxl import load_workbook  # slow import, only for workbooks

    try:
        workbook = load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFileError(_not_a_workbook(path.name, exc)) from exc
    except Exception as exc:  # a damaged workbook can fail anywhere in openpyxl
        raise UnreadableFileError(_damaged(path, None, exc)) from exc
    try:
        sheet = workbook.worksheets[0]
        reset = getattr(sheet, "reset_dimensions", None)  # read-only sheets have it
        if reset is not None:
            reset()
        values = sheet.iter_rows(values_only=True)
        first = next(values, None)
    except Exception as exc:
        workbook.close()
        raise UnreadableFileError(_damaged(path, 1, exc)) from exc
    if first is None:
        workbook.close()
        return [], iter(())
    header = [cell_text(v) for v in first]
    while header and not header[-1]:
        header.pop()

    def rows() -> NumberedRows:
        number = 1
        try:
            for number, raw in enumerate(values, start=2):
                if not any(v is not None for v in raw):
                    continue  # an empty row, or one openpyxl fills into a gap
                cells = [cell_text(v) for v in raw]
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
