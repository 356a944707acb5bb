"""All published tables as one Excel workbook, ``tables.xlsx``, the same bytes on every run.

A contents sheet, a sheet per table (its title and definition above it, the last dimension
across, a suppressed cell as ``×`` with the legend in Dutch and English, counts as numbers)
and a sheet of the estimates. openpyxl stamps the time into the document's properties and
the zip's member dates; here both are fixed (no created/modified property, every member dated
1980-01-01), so the same publication gives the same bytes, as its CSV and JSON files do.
"""

from __future__ import annotations

import datetime
import io
import itertools
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from victim_monitor.published.datapackage import LICENCE
from victim_monitor.published.model import Publication, PublishedTable, YearEstimate
from victim_monitor.vocab import Label

StrPath = str | os.PathLike[str]

MARK = "×"
NOT_AVAILABLE = "."  # CBS's sign for a missing figure (publish --from-figures: none published)
NOT_AVAILABLE_LEGEND = Label(
    f"{NOT_AVAILABLE} niet beschikbaar: geen gepubliceerd cijfer (geen nul)",
    f"{NOT_AVAILABLE} not available: no figure was published (not a zero)",
)
LEGEND = Label(
    f"{MARK} niet gepubliceerd ter bescherming van slachtoffers",
    f"{MARK} not published, to protect victims",
)
CONTENTS = "Contents"
ESTIMATES = "estimates"
HEADER_ROW = 9  # the table's header row on a table sheet; its title and notes are above
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip member can carry
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")  # not allowed in a sheet name
_MAX_NAME = 31
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=12)
_RIGHT = Alignment(horizontal="right")


def workbook(pub: Publication) -> bytes:
    """``tables.xlsx``: a contents sheet, a sheet per table, the estimates."""
    book = Workbook()
    contents = book.active
    assert contents is not None  # a new workbook has its one sheet
    contents.title = CONTENTS
    names = sheet_names([*sorted(pub.tables), ESTIMATES], taken=(CONTENTS,))
    for name in sorted(pub.tables):
        _table_sheet(book.create_sheet(names[name]), pub.tables[name])
    _estimates_sheet(book.create_sheet(names[ESTIMATES]), pub)
    _contents_sheet(contents, pub, names)
    props = book.properties
    props.creator = pub.software or "victim-monitor"
    props.title = pub.title.en
    # openpyxl cannot leave them out; fixed, as the zip's member dates are, so no time is stamped
    props.created = props.modified = datetime.datetime(*ZIP_EPOCH)
    buffer = io.BytesIO()
    with _FixedDates(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return buffer.getvalue()


def sheet_names(names: Iterable[str], taken: Sequence[str] = ()) -> dict[str, str]:
    """A valid, unique sheet name for each name: at most 31 characters, none of ``[]:*?/\\``.

    Excel compares sheet names without case; a clash gets ``~2``, ``~3``... at the end.
    """
    used = {t.lower() for t in taken}
    out = {}
    for name in names:
        base = _FORBIDDEN.sub("_", name).strip("'") or "sheet"
        candidate = base[:_MAX_NAME]
        for n in itertools.count(2):
            if candidate.lower() not in used:
                break
            suffix = f"~{n}"
            candidate = base[: _MAX_NAME - len(suffix)] + suffix
        used.add(candidate.lower())
        out[name] = candidate
    return out


def both(label: Label) -> str:
    """A label in English and Dutch, once when they are the same."""
    return label.en if label.en == label.nl else f"{label.en} / {label.nl}"


class _FixedDates(zipfile.ZipFile):
    """A zip whose members written by name all carry the same date and permissions."""

    def writestr(
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: bytes | str,  # type: ignore[override]
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=ZIP_EPOCH)
            info.compress_type = self.compression
            info.create_system = 3  # the same on every platform
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(
        self,
        filename: StrPath,
        arcname: StrPath | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        # openpyxl writes each worksheet to a temporary file and adds it with write(), which
        # takes the file's time: its bytes go in by name instead.
        name = os.fspath(arcname if arcname is not None else filename)
        data = Path(filename).read_bytes()
        self.writestr(name, data, compress_type, compresslevel)


def _put(sheet: Worksheet, row: int, column: int, value: int | float | str | None) -> Cell:
    """Write a value; text is always text, never a formula (a label may start with ``=``).

    Control characters cannot be stored in a sheet; they are left out (the CSV keeps them).
    """
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _notes(sheet: Worksheet, lines: Sequence[tuple[str, Font | None]]) -> None:
    for row, (text, font) in enumerate(lines, start=1):
        if text:
            cell = _put(sheet, row, 1, text)
            if font is not None:
                cell.font = font


def _table_sheet(sheet: Worksheet, table: PublishedTable) -> None:
    counting = both(table.counting_label)
    fixed = "; ".join(f"{d} = {c}" for d, c in table.fixed.items())
    rounded = any(c.outcome == "rounded" for c in table.cells)
    missing = any(c.not_available for c in table.cells)
    _notes(
        sheet,
        [
            (table.title.en, _TITLE),
            (table.title.nl, None),
            (table.definition.en, None),
            (table.definition.nl, None),
            (f"{counting}{f' ({fixed})' if fixed else ''}", None),
            (both(LEGEND), None),
            ("Rounded / Afgerond" if rounded else "", None),
            (both(NOT_AVAILABLE_LEGEND) if missing else "", None),
        ],
    )
    rows_dims, across = _layout(table)
    columns = table.categories[across] if across else ("",)
    header = [both(table.dimension_labels[d]) for d in rows_dims]
    header += [both(table.labels[across][c]) if across else "Number / Aantal" for c in columns]
    for col, text in enumerate(header, start=1):
        _put(sheet, HEADER_ROW, col, text).font = _BOLD
    index = {c.key: c for c in table.cells}
    combos = itertools.product(*(table.categories[d] for d in rows_dims))
    for row, combo in enumerate(combos, start=HEADER_ROW + 1):
        for col, (dim, code) in enumerate(zip(rows_dims, combo, strict=True), start=1):
            _put(sheet, row, col, both(table.labels[dim][code]))
        for col, code in enumerate(columns, start=len(rows_dims) + 1):
            cell = index[(*combo, code) if across else combo]
            shown = NOT_AVAILABLE if cell.not_available else _shown(cell.value)
            target = _put(sheet, row, col, shown)
            target.alignment = _RIGHT
    _widths(sheet, len(rows_dims), len(columns))
    sheet.freeze_panes = f"{get_column_letter(len(rows_dims) + 1)}{HEADER_ROW + 1}"


def _layout(table: PublishedTable) -> tuple[tuple[str, ...], str | None]:
    """The dimensions down the rows, and the one across the columns (None: one column)."""
    if len(table.dimensions) == 1:
        return table.dimensions, None
    return table.dimensions[:-1], table.dimensions[-1]


def _shown(value: int | None) -> int | str:
    return MARK if value is None else value


def _widths(sheet: Worksheet, labels: int, values: int) -> None:
    for col in range(1, labels + values + 1):
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = 30 if col <= labels else 16


ESTIMATE_HEADER = (
    Label("Methode", "Method"), Label("Groep", "Stratum"), Label("Jaar", "Year"),
    Label("Geregistreerd", "Registered"), Label("Geschat", "Estimate"),
    Label("Ondergrens", "Low"), Label("Bovengrens", "High"), Label("Dekking", "Coverage"),
    Label("Dekking ondergrens", "Coverage low"), Label("Dekking bovengrens", "Coverage high"),
    Label("Model", "Model"), Label("Niet geschat omdat", "Not estimated because"),
)  # fmt: skip


def _estimates_sheet(sheet: Worksheet, pub: Publication) -> None:
    note = pub.estimation.get("note", {})
    _notes(
        sheet,
        [
            ("Estimated number of victims / Geschat aantal slachtoffers", _TITLE),
            (str(note.get("en", "")), None),
            (str(note.get("nl", "")), None),
            (both(LEGEND), None),
        ],
    )
    top = 6
    for col, label in enumerate(ESTIMATE_HEADER, start=1):
        _put(sheet, top, col, both(label)).font = _BOLD
    rows = [*pub.estimates, *pub.stratum_estimates, *pub.sensitivity]
    for row, estimate in enumerate(rows, start=top + 1):
        for col, value in enumerate(_estimate_row(pub, estimate), start=1):
            _put(sheet, row, col, value)
    _widths(sheet, 3, len(ESTIMATE_HEADER) - 3)


def _estimate_row(pub: Publication, e: YearEstimate) -> list[int | float | str | None]:
    labels = pub.estimation.get("method_labels", {})
    method = e.method or str(pub.estimation.get("method", ""))
    stratum = "All / Alle"
    if e.stratum:
        table = pub.tables.get(e.registered_cell.table)
        parts = []
        for dim, code in e.stratum:
            label = table.labels[dim][code] if table and dim in table.labels else None
            parts.append(both(label) if label else code)
        stratum = "; ".join(parts)
    reason = e.reason
    return [
        labels[method]["en"] if method in labels else method,
        stratum,
        e.year,
        _shown(e.registered),
        e.estimate, e.low, e.high, e.coverage, e.coverage_low, e.coverage_high,
        e.model,
        "" if reason is None else both(Label(reason.nl, reason.en)),
    ]  # fmt: skip


def _contents_sheet(sheet: Worksheet, pub: Publication, names: dict[str, str]) -> None:
    _notes(
        sheet,
        [
            (pub.title.en, _TITLE),
            (pub.title.nl, None),
            (f"{pub.years[0]}-{pub.years[-1]}", None),
            (f"Licence / Licentie: {LICENCE['name']} ({LICENCE['path']})", None),
            (f"Source / Bron: register snapshot {pub.snapshot}", None),
            (both(LEGEND), None),
        ],
    )
    top = 8
    header = ("Sheet / Blad", "Title", "Titel", "CSV")
    for col, text in enumerate(header, start=1):
        _put(sheet, top, col, text).font = _BOLD
    entries = [(names[n], pub.tables[n].title, f"tables/{n}.csv") for n in sorted(pub.tables)]
    entries.append(
        (names[ESTIMATES], Label("Geschat aantal slachtoffers", "Estimated number of victims"),
         "estimates.csv")
    )  # fmt: skip
    for row, (sheet_name, title, csv_path) in enumerate(entries, start=top + 1):
        link = _put(sheet, row, 1, sheet_name)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet_name}'!A1")
        link.font = Font(underline="single", color="0563C1")
        _put(sheet, row, 2, title.en)
        _put(sheet, row, 3, title.nl)
        _put(sheet, row, 4, csv_path)
    for letter, width in zip("ABCD", (30, 60, 60, 36), strict=True):
        sheet.column_dimensions[letter].width = width
