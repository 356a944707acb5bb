"""The CSV files the system writes, safe to open in a spreadsheet.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
to Excel and LibreOffice (``=HYPERLINK(...)`` typed as a username becomes a link in the audit
export). Every CSV the system writes goes through :func:`writer` or :func:`to_text`, which
put a single quote before such a cell (the OWASP advice for CSV injection). Numbers stay
numbers: an ``int`` or ``float``, or text that is a plain decimal number (``-3``, ``1.5e3``),
is written as it is, since a spreadsheet reads it as that number and nothing else.

The quoting is reversible (:func:`unquote`): a cell that already starts with quotes before
such a character gets one quote more, so files that are read back (``programme import`` of
an export) see exactly the value that was written.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any, Protocol

_FORMULA_START = frozenset("=+-@\t\r")
# A plain decimal number with an optional sign and exponent: a spreadsheet reads it as that
# number, never as a formula, so numeric columns stay byte-identical.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class _Handle(Protocol):
    def write(self, text: str, /) -> Any: ...


def _needs_quote(text: str) -> bool:
    # Quotes in front do not hide a formula from the quoting rule: "'=1" gets one quote more,
    # which keeps :func:`unquote` exact.
    bare = text.lstrip("'")
    return bool(bare) and bare[0] in _FORMULA_START and not _NUMBER.fullmatch(bare)


def safe_cell(value: object) -> object:
    """``value`` as it may go into a CSV cell: text that a spreadsheet would run gets a quote."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def unquote(text: str) -> str:
    """The value :func:`safe_cell` was given, from the text it wrote."""
    if text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text


class SafeWriter:
    """``csv.writer`` whose rows pass through :func:`safe_cell` (the header too)."""

    def __init__(self, handle: _Handle, **fmtparams: Any) -> None:
        self._writer = csv.writer(handle, **fmtparams)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: _Handle, *, lineterminator: str = "\n", **fmtparams: Any) -> SafeWriter:
    """A CSV writer onto ``handle`` that neutralises formula cells (``\\n`` line ends)."""
    return SafeWriter(handle, lineterminator=lineterminator, **fmtparams)


def to_text(
    header: Iterable[object], rows: Iterable[Iterable[object]], *, lineterminator: str = "\n"
) -> str:
    """A whole CSV file as text: the header, then the rows."""
    buffer = io.StringIO()
    out = writer(buffer, lineterminator=lineterminator)
    out.writerow(header)
    out.writerows(rows)
    return buffer.getvalue()
