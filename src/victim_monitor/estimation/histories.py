"""Capture-history tables: how many persons were seen on exactly which lists.

A table over ``m`` lists is held as the vector of counts of all ``2**m - 1`` observable cells;
cell ``c`` (a bit mask, bit ``i`` set when the person is on list ``i``) sits at index ``c - 1``.
Tables come from a CSV file in the format of ``../shared/mse-datasets`` (one 0/1 column per
list and a ``count`` column, one row per observed pattern), or from the persons of the register.
Bad input is reported as coded, located problems (VM5xx), never as a traceback.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from victim_monitor.csvfile import to_text
from victim_monitor.estimation import codes
from victim_monitor.problems import Problem, Severity

if TYPE_CHECKING:
    import pandas as pd

MAX_LISTS = 15
"""Above this the table has more cells than any method here can use (2**15 - 1)."""

COUNT_NAMES = ("count", "freq", "frequency")


@dataclass(frozen=True, eq=False)
class CaptureHistoryTable:
    """Counts of persons per capture pattern over named lists (cell ``c`` at index ``c - 1``)."""

    lists: tuple[str, ...]
    counts: NDArray[np.int64]
    source: str | None = None
    warnings: tuple[Problem, ...] = field(default=())

    def __post_init__(self) -> None:
        counts = np.array(self.counts, dtype=np.int64)
        if counts.shape != ((1 << len(self.lists)) - 1,):
            raise ValueError("counts must hold one entry per observable cell (2**m - 1)")
        counts.setflags(write=False)
        object.__setattr__(self, "counts", counts)

    @classmethod
    def from_patterns(
        cls,
        lists: Sequence[str],
        patterns: Iterable[Sequence[int]],
        counts: Iterable[int],
        *,
        source: str | None = None,
    ) -> CaptureHistoryTable:
        """Build from observed patterns (rows of 0/1) and their counts; repeats are summed."""
        full = np.zeros((1 << len(lists)) - 1, dtype=np.int64)
        for pattern, count in zip(patterns, counts, strict=True):
            code = cell_code(pattern)
            if code == 0:
                raise ValueError("the all-zero pattern is not observable")
            full[code - 1] += int(count)
        return cls(tuple(lists), full, source)

    @property
    def n_lists(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        """Number of distinct persons seen on at least one list."""
        return int(self.counts.sum())

    def with_counts(self, counts: NDArray[np.int64]) -> CaptureHistoryTable:
        """The same lists with other cell counts (bootstrap and jackknife replicates)."""
        return CaptureHistoryTable(self.lists, counts, self.source)

    def list_sizes(self) -> dict[str, int]:
        bits = cell_bits(self.n_lists)
        return {name: int(self.counts @ bits[:, i]) for i, name in enumerate(self.lists)}

    def overlap(self, term: int) -> int:
        """Persons on every list of ``term`` (a bit mask), whatever other lists they are on."""
        cells = np.arange(1, 1 << self.n_lists)
        return int(self.counts[(cells & term) == term].sum())

    def empty_pairs(self) -> list[tuple[str, str]]:
        """Pairs of lists with nobody in common."""
        m = self.n_lists
        return [
            (self.lists[i], self.lists[j])
            for i in range(m)
            for j in range(i + 1, m)
            if self.overlap((1 << i) | (1 << j)) == 0
        ]

    def rows(self) -> list[tuple[tuple[int, ...], int]]:
        """Observed patterns with their counts, in cell order."""
        bits = cell_bits(self.n_lists)
        return [
            (tuple(int(b) for b in bits[c]), int(self.counts[c]))
            for c in np.flatnonzero(self.counts)
        ]

    def to_csv(self) -> str:
        """The table in the shared CSV format (observed patterns only)."""
        return to_text([*self.lists, "count"], ([*p, count] for p, count in self.rows()))

    def summary(self) -> str:
        sizes = ", ".join(f"{k} {v}" for k, v in self.list_sizes().items())
        empty = ", ".join(f"{a}:{b}" for a, b in self.empty_pairs()) or "none"
        return (
            f"{self.observed} persons on {self.n_lists} lists ({sizes}); "
            f"{int(np.count_nonzero(self.counts))} observed patterns; pairs with nobody in "
            f"common: {empty}"
        )


def cell_code(pattern: Sequence[int]) -> int:
    """Bit mask of a 0/1 pattern: bit ``i`` set when the person is on list ``i``."""
    return sum(1 << i for i, v in enumerate(pattern) if v)


def cell_bits(m: int) -> NDArray[np.int64]:
    """The 0/1 patterns of all observable cells, row ``c - 1`` for cell ``c``."""
    cells = np.arange(1, 1 << m)
    return ((cells[:, None] >> np.arange(m)[None, :]) & 1).astype(np.int64)


def read_table(path: str | Path) -> CaptureHistoryTable | list[Problem]:
    """Read a capture-history CSV; the table, or every problem found (errors stop it)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [codes.UNREADABLE(f"cannot read the file: {exc}", file=name)]
    return parse_table(text, file=name)


def parse_table(text: str, *, file: str | None = None) -> CaptureHistoryTable | list[Problem]:
    """Parse capture-history CSV text; rows are numbered as lines, the header being row 1."""
    records = [r for r in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in r)]
    if not records:
        return [codes.EMPTY_TABLE("the file is empty: expected a header and rows", file=file)]
    header = [h.strip() for h in records[0]]
    lowered = [h.lower() for h in header]
    count_at = next((lowered.index(n) for n in COUNT_NAMES if n in lowered), None)
    if count_at is None:
        return [
            codes.NO_COUNT_COLUMN(
                "no 'count' column: add a column 'count' with the persons per pattern",
                file=file,
                row=1,
            )
        ]
    lists = [h for i, h in enumerate(header) if i != count_at]
    problems = _check_header(lists, file)
    if problems:
        return problems
    if len(records) == 1:
        return [codes.EMPTY_TABLE("the table has a header but no rows", file=file, row=2)]

    patterns: dict[int, int] = {}
    counts = np.zeros((1 << len(lists)) - 1, dtype=np.int64)
    for row_no, record in enumerate(records[1:], start=2):
        found = _parse_row(record, header, count_at, file, row_no)
        if isinstance(found, list):
            problems.extend(found)
            continue
        code, count = found
        if code in patterns:
            problems.append(
                codes.DUPLICATE_PATTERN(
                    f"pattern already given on row {patterns[code]}: merge the two rows",
                    file=file,
                    row=row_no,
                )
            )
            continue
        patterns[code] = row_no
        counts[code - 1] = count
    if not problems and counts.sum() == 0:
        problems.append(codes.NOBODY_OBSERVED("every count is zero", file=file))
    if any(p.severity is Severity.ERROR for p in problems):
        return problems
    table = CaptureHistoryTable(tuple(lists), counts, file)
    warnings = [
        codes.EMPTY_LIST(
            f"nobody is on list {name}; its effect is minus infinity", file=file, field=name
        )
        for name, size in table.list_sizes().items()
        if size == 0
    ]
    return CaptureHistoryTable(table.lists, counts, file, tuple(problems + warnings))


def _check_header(lists: list[str], file: str | None) -> list[Problem]:
    if len(lists) < 2:
        return [
            codes.TOO_FEW_LISTS(
                f"{len(lists)} list column(s): estimation needs at least two lists",
                file=file,
                row=1,
            )
        ]
    if len(lists) > MAX_LISTS:
        return [codes.TOO_MANY_LISTS(f"{len(lists)} lists; at most {MAX_LISTS}", file=file, row=1)]
    if any(not name for name in lists) or len(set(lists)) != len(lists):
        return [
            codes.BAD_HEADER(
                "every list column needs its own non-empty name",
                file=file,
                row=1,
                value=",".join(lists),
            )
        ]
    return []


def _parse_row(
    record: list[str], header: list[str], count_at: int, file: str | None, row_no: int
) -> tuple[int, int] | list[Problem]:
    if len(record) != len(header):
        return [
            codes.RAGGED_ROW(
                f"{len(record)} fields where the header has {len(header)}", file=file, row=row_no
            )
        ]
    problems: list[Problem] = []
    code = 0
    bit = 0
    for i, (name, raw) in enumerate(zip(header, record, strict=True)):
        value = raw.strip()
        if i == count_at:
            continue
        if value not in ("0", "1"):
            problems.append(
                codes.NOT_BINARY(
                    "list values must be 0 or 1", file=file, row=row_no, field=name, value=raw
                )
            )
        elif value == "1":
            code |= 1 << bit
        bit += 1
    count = _parse_count(record[count_at].strip())
    if count is None:
        problems.append(
            codes.BAD_COUNT(
                "the count must be a whole number, zero or more",
                file=file,
                row=row_no,
                field=header[count_at],
                value=record[count_at],
            )
        )
    if not problems and code == 0:
        problems.append(
            codes.ALL_ZERO_PATTERN(
                "a pattern on no list is the unobserved cell: drop this row",
                file=file,
                row=row_no,
            )
        )
    if problems or count is None:
        return problems
    return code, count


def _parse_count(value: str) -> int | None:
    try:
        number = float(value)
    except ValueError:
        return None
    if not np.isfinite(number) or number < 0 or number != int(number):
        return None
    return int(number)


def table_from_persons(
    persons: pd.DataFrame, lists: Sequence[str], *, source: str | None = None
) -> CaptureHistoryTable | list[Problem]:
    """Tally persons (one row each, a 0/1 or boolean column per list) into a table.

    Persons on no list cannot be in the register and are reported (VM507), as are list values
    other than 0/1 (VM505) and missing list columns (VM515).
    """
    missing = [name for name in lists if name not in persons.columns]
    if missing or len(lists) < 2:
        what = f"missing list columns {missing}" if missing else "fewer than two lists"
        return [codes.BAD_PERSONS(what, file=source)]
    values = persons.loc[:, list(lists)]
    problems: list[Problem] = []
    matrix = np.zeros((len(values), len(lists)), dtype=np.int64)
    for j, name in enumerate(lists):
        column = values[name]
        as_int = column.astype("Int64", errors="ignore") if column.dtype == bool else column
        ok = as_int.isin([0, 1, True, False])
        for row in np.flatnonzero(~ok.to_numpy())[:20]:
            problems.append(
                codes.NOT_BINARY(
                    "list values must be 0 or 1",
                    file=source,
                    row=int(row) + 1,
                    field=name,
                    value=column.iloc[row],
                )
            )
        matrix[:, j] = np.where(ok.to_numpy(), as_int.where(ok, 0).astype(int).to_numpy(), 0)
    code = matrix @ (1 << np.arange(len(lists)))
    for row in np.flatnonzero(code == 0)[:20]:
        problems.append(codes.ALL_ZERO_PATTERN("person on no list", file=source, row=int(row) + 1))
    if problems:
        return problems
    if len(code) == 0:
        return [codes.EMPTY_TABLE("no persons", file=source)]
    counts = np.bincount(code, minlength=1 << len(lists))[1:].astype(np.int64)
    return CaptureHistoryTable(tuple(lists), counts, source)
