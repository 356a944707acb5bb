"""Vectorised intake of a plain CSV submission: Arrow parses, the checks run column-wise.

The row path (the csv module, then :class:`RowChecker` row by row) is the reference; this
path stages the same rows and logs the same problems in the same order, about four times
faster. Arrow reads the file in blocks, so memory stays flat. In each block a row is
*accepted* column-wise only when it is plainly valid: patterns on the many-valued columns
(case reference, pseudonyms, Bloom filter) and, on the few-valued ones (dates, codes,
countries, kinds), the row path's own functions applied once per distinct value. Every other
row goes to :meth:`RowChecker.check`, which finds and words its problems. As in
``RowChecker``, accepting is a narrower test than the full check, never a different one.

A file that Arrow might read otherwise than the csv module (a quote in the header row, a NUL,
a value near the length limit, anything Arrow refuses, such as a row of another width) raises
:class:`NotPlain` and is read again by the row path from the start. Blank rows are skipped
and counted in the row numbers, as the row path does.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from victim_monitor.problems import Problem
from victim_monitor.registry.checks import (
    _AGE_MESSAGE,
    _CASE,
    _PERMIT,
    _SECTOR,
    _SEX_EXACT,
    _UNLINKABLE_MESSAGE,
    _YNU,
    AGE_MISMATCH,
    COLUMNS,
    EARLIEST_REPORT,
    FORMAT_VERSION,
    UNLINKABLE,
    RowChecker,
    _country,
    _integer,
    _kinds,
    _parse_date,
)
from victim_monitor.registry.formats import csv_delimiter
from victim_monitor.registry.limits import Limits
from victim_monitor.storage.schema import PSEUDONYM_FIELDS

# About 1,500 reports a block: large enough for column-wise work to pay, small enough for
# flat memory (a block and its staged rows take some tens of MiB).
BLOCK_BYTES = 1 << 20
_HEADER_BYTES = 1 << 16
_PSEUDONYM = r"^(?:[0-9a-f]{64})?$"  # what RowChecker._accept lets through (_hex64_or_empty)
_BLOOM = r"^(?:(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)?$"
_CODED = ("border_crossed", "dublin_claimant", "residence_permit", "police_report")

Staged = tuple[object, ...]
Bools = Any  # numpy arrays of bool (numpy's typing of them is loose)
Ints = Any


class NotPlainError(Exception):
    """The file is left to the row path (it reads every CSV the csv module reads)."""


def plain_delimiter(path: Path) -> str | None:
    """The delimiter if ``path`` may be read column-wise; None if its header row holds a
    quote (the row path reads the first line as the header; Arrow would read a record) or
    the file holds a NUL."""
    with path.open("rb") as handle:
        first = handle.readline(_HEADER_BYTES)
        if b'"' in first or not first.endswith((b"\n", b"\r")):
            return None
        # The csv module stops at a NUL (VM101); Arrow reads on. A scan of the bytes costs
        # far less than a test of every column of every block.
        handle.seek(0)
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            if b"\x00" in chunk:
                return None
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return csv_delimiter(text)


def checked_blocks(
    path: Path,
    delimiter: str,
    checker: RowChecker,
    limits: Limits,
) -> Iterator[tuple[int, list[Staged], list[Problem]]]:
    """Per block: the reports it holds, the staged rows and the problems, in row order."""
    width = checker.header.width
    names = [f"c{i}" for i in range(width)]
    try:
        reader = pa_csv.open_csv(
            path,
            read_options=pa_csv.ReadOptions(
                column_names=names, skip_rows=1, block_size=BLOCK_BYTES
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, OSError) as exc:
        raise NotPlainError(str(exc)) from exc
    # The csv module refuses a longer value (VM110); far below that, both read alike.
    longest = min(limits.max_cell_chars, csv.field_size_limit()) // 2
    first = 2  # the header is row 1
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowException as exc:
            raise NotPlainError(str(exc)) from exc
        columns = [batch.column(i) for i in range(width)]
        lengths = [_lengths(column) for column in columns]
        _require_plain(lengths, longest)
        yield _check_block(columns, lengths, first, checker)
        first += batch.num_rows


def _require_plain(lengths: list[Ints], longest: int) -> None:
    # Bytes, not characters: a value of more characters has more bytes (the test is stricter).
    if max(int(length.max(initial=0)) for length in lengths) > longest:
        raise NotPlainError("a value near the length limit")


def _check_block(
    columns: list[pa.Array], lengths: list[Ints], first: int, checker: RowChecker
) -> tuple[int, list[Staged], list[Problem]]:
    """Check one block of rows, numbered from ``first``; returns (reports, staged, problems)."""
    n = len(columns[0])
    skip: Bools = sum(lengths) == 0  # blank rows: skipped, but numbered
    staged: list[Staged | None] = []
    problems: list[Problem] = []
    start = 0
    # Until a row names the file's key, rows go one by one (the first row usually does).
    while checker.key_id is None and start < n:
        if not skip[start]:
            row, found = checker.check(first + start, [c[start].as_py() for c in columns])
            staged.append(row)
            problems.extend(found)
        start += 1
    if start < n:
        rest = [c.slice(start) for c in columns]
        rest_staged, rest_problems = _check_columns(rest, first + start, checker, skip[start:])
        staged.extend(rest_staged)
        problems.extend(rest_problems)
    reports = n - int(skip.sum())
    return reports, [row for row in staged if row is not None], problems


def _check_columns(
    columns: list[pa.Array], first: int, checker: RowChecker, skip: Bools
) -> tuple[list[Staged | None], list[Problem]]:
    """Accept plainly valid rows column-wise; every other row goes to ``checker.check``."""
    col = {name: columns[checker.header.index[name]] for name in COLUMNS}
    accepted, values, warn_age, unlinkable = _accept(col, checker, first)
    rows: list[Staged | None] = list(zip(*values, strict=True))
    problems: list[Problem] = []
    for i in (~accepted | warn_age | unlinkable).nonzero()[0].tolist():
        number = first + i
        if not accepted[i]:
            found: list[Problem] = []
            if skip[i]:
                rows[i] = None
            else:
                rows[i], found = checker.check(number, [c[i].as_py() for c in columns])
            problems.extend(found)
            continue
        if warn_age[i]:
            problems.append(
                AGE_MISMATCH(_AGE_MESSAGE, file=checker.file, row=number, field="age_at_report")
            )
        if unlinkable[i]:
            problems.append(UNLINKABLE(_UNLINKABLE_MESSAGE, file=checker.file, row=number))
    return rows, problems


# --- column-wise tests -------------------------------------------------------------------------
# Arrow arrays become numpy through their buffers: Arrow's own conversions (to_numpy, Python
# values as arguments) import pandas, which would cost an import of the CLI a second.


def _lengths(column: pa.Array) -> Ints:
    """The length of each value in bytes (0 for an empty one)."""
    return _int32s(pc.binary_length(column))


def _int32s(array: pa.Array) -> Ints:
    values = np.frombuffer(array.buffers()[1], dtype=np.int32)
    return values[array.offset : array.offset + len(array)]


def _matches(column: pa.Array, pattern: str) -> Bools:
    """Whether each value matches ``pattern`` (RE2, anchored by the pattern)."""
    found = pc.match_substring_regex(column, pattern)
    bits = np.unpackbits(np.frombuffer(found.buffers()[1], dtype=np.uint8), bitorder="little")
    return bits[found.offset : found.offset + len(found)].astype(bool)


def _hex64_or_empty(column: pa.Array) -> Bools:
    """Whether each value is empty or 64 lowercase hex digits (the pattern _PSEUDONYM, tested
    on the column's bytes at once: the nine pseudonyms are most of a file's bytes)."""
    n = len(column)
    if n == 0:
        return np.zeros(0, dtype=bool)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[
        column.offset : column.offset + n + 1
    ]
    lengths = np.diff(offsets)
    ok = (lengths == 0) | (lengths == 64)
    buffer = column.buffers()[2]
    if buffer is None or offsets[-1] == offsets[0]:
        return ok
    data = np.frombuffer(buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    # A byte is a digit 0-9 or a letter a-f; unsigned differences wrap below the range, so
    # each test is one comparison (0.09 s against 0.22 s for a table lookup, 100,000 rows).
    bad = (data - np.uint8(48) >= 10) & (data - np.uint8(97) >= 6)
    if bad.any():
        before = np.concatenate(([0], np.cumsum(bad)))
        starts = offsets - offsets[0]
        ok &= before[starts[1:]] == before[starts[:-1]]
    return ok


def _per_value(column: pa.Array, function: Callable[[str], tuple[Any, ...]]) -> list[Any]:
    """``function`` of each row's stripped text, computed once per distinct text: one
    numpy array (of objects) per item of its result."""
    encoded = pc.dictionary_encode(column)
    results = [function(text.strip()) for text in encoded.dictionary.to_pylist()]
    index = _int32s(encoded.indices)
    arrays = []
    for k in range(len(results[0])):
        table = np.empty(len(results), dtype=object)
        table[:] = [result[k] for result in results]
        arrays.append(table[index])
    return arrays


def _accept(
    col: dict[str, pa.Array], checker: RowChecker, first: int
) -> tuple[Bools, list[list[Any]], Bools, Bools]:
    """Which rows are plainly valid, every row's staged values (STAGED_COLUMNS, column by
    column; meaningful only where accepted), and which accepted rows get which warning.

    Each test is RowChecker._accept's on the same stripped text, or a narrower one (the
    patterns take no surrounding blanks), so what is accepted here is accepted there alike.
    """
    today = checker.today
    key_id = checker.key_id

    def date(text: str) -> tuple[str | None, int, bool]:
        d = _parse_date(text)
        ok = d is not None and EARLIEST_REPORT <= d <= today
        return (d.isoformat(), d.year, True) if ok and d is not None else (None, 0, False)

    (version_ok,) = _per_value(col["format_version"], lambda t: (t == FORMAT_VERSION,))
    key, key_ok = _per_value(col["key_id"], lambda t: (t, t == key_id))
    iso, year, date_ok = _per_value(col["report_date"], date)
    sex, sex_ok = _per_value(col["sex"], lambda t: (_SEX_EXACT.get(t), t in _SEX_EXACT))
    birth, birth_number, birth_given, birth_ok = _per_value(col["birth_year"], _birth_year)
    age, age_number, age_given, age_ok = _per_value(col["age_at_report"], _age)
    nationality, nationality_ok = _per_value(col["nationality"], _country_code)
    coe, coe_ok = _per_value(col["country_of_exploitation"], _country_code)
    kinds, kinds_ok = _per_value(col["exploitation"], _kinds_code)
    sector, sector_ok = _per_value(col["sector"], _sector_code)
    coded = {
        name: _per_value(col[name], _code_in(allowed))
        for name, allowed in zip(_CODED, (_YNU, _YNU, _PERMIT, _YNU), strict=True)
    }
    year = year.astype(np.int64)
    birth_number = birth_number.astype(np.int64)
    birth_given = birth_given.astype(bool)
    age_given = age_given.astype(bool)
    accepted = _matches(col["case_reference"], f"^{_CASE.pattern}$")
    for ok in (version_ok, key_ok, date_ok, sex_ok, birth_ok, age_ok, nationality_ok, coe_ok):
        accepted &= ok.astype(bool)
    for ok in (kinds_ok, sector_ok, *(c[1] for c in coded.values())):
        accepted &= ok.astype(bool)
    accepted &= ~birth_given | (birth_number <= year)
    accepted &= _matches(col["bloom"], _BLOOM)
    for name in PSEUDONYM_FIELDS:
        accepted &= _hex64_or_empty(col[name])

    gap = year - birth_number - age_number.astype(np.int64)
    warn_age = accepted & birth_given & age_given & ((gap < 0) | (gap > 1))
    no_pseudonym = _lengths(col["bloom"]) == 0
    for name in PSEUDONYM_FIELDS:
        no_pseudonym &= _lengths(col[name]) == 0
    unlinkable = accepted & no_pseudonym

    n = len(iso)
    case = col["case_reference"].to_pylist()
    pseudonyms = [col[name].to_pylist() for name in PSEUDONYM_FIELDS]
    bloom = col["bloom"].to_pylist()
    iso_list, key_list = iso.tolist(), key.tolist()
    sex_list, birth_list, age_list = sex.tolist(), birth.tolist(), age.tolist()
    nationality_list, coe_list = nationality.tolist(), coe.tolist()
    kinds_list, sector_list = kinds.tolist(), sector.tolist()
    coded_lists = {name: coded[name][0].tolist() for name in _CODED}
    # The hash covers the canonical text of every stored value, as RowChecker's does.
    canonical = zip(
        case,
        _texts(iso_list),
        key_list,
        *pseudonyms,
        bloom,
        *(_texts(v) for v in (sex_list, birth_list, age_list, nationality_list)),
        kinds_list,
        _texts(sector_list),
        *(coded_lists[name] for name in _CODED),
        _texts(coe_list),
        strict=True,
    )
    digests = [hashlib.sha256("\x1f".join(parts).encode()).hexdigest() for parts in canonical]
    values = [
        range(first, first + n),
        case,
        iso_list,
        year.tolist(),
        key_list,
        *([value or None for value in p] for p in pseudonyms),
        [value or None for value in bloom],
        sex_list,
        birth_list,
        age_list,
        nationality_list,
        kinds_list,
        sector_list,
        coded_lists["border_crossed"],
        coe_list,
        coded_lists["dublin_claimant"],
        coded_lists["residence_permit"],
        coded_lists["police_report"],
        digests,
    ]
    return accepted, values, warn_age, unlinkable


def _texts(values: list[Any]) -> list[str]:
    return ["" if value is None else str(value) for value in values]


def _birth_year(text: str) -> tuple[int | None, int, bool, bool]:
    """(value, value or 0, given, plausible apart from the report year)."""
    year = _integer(text) if text else None
    ok = not text or (year is not None and year >= 1900)
    return year, year or 0, bool(text), ok


def _age(text: str) -> tuple[int | None, int, bool, bool]:
    age = _integer(text) if text else None
    ok = not text or (age is not None and 0 <= age <= 120)
    return age, age or 0, bool(text), ok


def _country_code(text: str) -> tuple[str | None, bool]:
    code = _country(text) if text else None
    return code, not text or code is not None


def _kinds_code(text: str) -> tuple[str, bool]:
    kinds, unknown = _kinds(text)
    return kinds, not unknown


def _code_in(allowed: frozenset[str]) -> Callable[[str], tuple[str, bool]]:
    def code(text: str) -> tuple[str, bool]:
        value = text.lower()
        return value, value in allowed

    return code


def _sector_code(text: str) -> tuple[str | None, bool]:
    sector = text.lower() or None
    return sector, sector is None or sector in _SECTOR
