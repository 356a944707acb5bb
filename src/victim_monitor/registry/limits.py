"""How large a submission file may be, and the problems that say a file is over a limit.

The readers stream, so a long file costs time, not memory; but a small file can still unpack
into gigabytes (an XLSX is a zip of XML) or hold one row of a million cells. Every reader
refuses such a file as early as it can see it, with a coded problem naming the limit: a
workbook by its zip directory before anything is unpacked, then by a streaming scan of its
parts before openpyxl parses them (:mod:`victim_monitor.registry.workbook`); CSV and JSON
row by row. The defaults are far above any real submission (format v1 has 25 columns).
"""

from __future__ import annotations

from dataclasses import dataclass

from victim_monitor.problems import Severity, define

TOO_BIG_UNPACKED = define("VM108", Severity.ERROR, "Workbook too large when unpacked")
TOO_MANY = define("VM109", Severity.ERROR, "Too many rows or columns")
TOO_LONG = define("VM110", Severity.ERROR, "Value too long")

MIB = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps on a submission file; :data:`LIMITS` are the defaults every interface uses."""

    max_columns: int = 256  # Excel 2003's width; format v1 has 25, other columns are errors
    # The csv module's own field limit, which already bounds every CSV cell (Excel: 32,767).
    max_cell_chars: int = 131_072
    max_sheet_rows: int = 1_048_576  # Excel's own sheet height; CSV and JSON are not capped
    max_members: int = 1000  # parts in a workbook's zip (Excel writes about a dozen)
    max_sheet_bytes: int = 256 * MIB  # a worksheet's XML, unpacked (100,000 rows: ~190 MiB)
    max_shared_strings_bytes: int = 64 * MIB  # the shared-string table openpyxl loads whole
    max_shared_strings: int = 1_048_576  # its entries, each a Python string in memory
    max_part_bytes: int = 16 * MIB  # any other part (styles, workbook, relationships, media)
    max_total_bytes: int = 512 * MIB  # all parts together, unpacked
    # openpyxl holds a part's XML elements in memory until it is done with them: a row or a
    # shared text at a time (a cell is <c>, <v>, <f>, <is> and a few rich-text runs), the
    # rest of a part whole. About 100 bytes each.
    max_item_elements: int = 2048
    max_elements: int = 1_048_576
    # Worksheet XML compresses 4-20 times; a zip bomb hundreds or thousands of times. Apache
    # POI refuses the same ratio (its minInflateRatio 0.01). Parts under 1 MiB are exempt:
    # unpacked they are small whatever their ratio.
    max_ratio: float = 100.0
    ratio_exempt_bytes: int = MIB


LIMITS = Limits()
