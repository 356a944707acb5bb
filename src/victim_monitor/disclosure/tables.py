"""Tables to protect: cells with counts, and the linear relations between them.

A :class:`Table` is a k-dimensional contingency table; with ``margins`` every dimension (or the
dimensions named) has a ``"Total"`` category, each total the sum of its parts ("total = sum of
parts"). In an
*overlapping* dimension a person can fall in several categories (the monitor counts a victim
once in a total and under every reporter), so its totals are not sums; what holds there is
``part <= total <= sum of parts``.

A :class:`TableSet` gives every cell an *identity*: the measure (persons, police reports),
the table's fixed coordinates and every non-total coordinate. Cells of different tables with
the same identity are one cell (the year totals of the year x form and the year x age tables),
so they are protected together. ``groupings`` relate categories of different tables
(``adult = adolescent + 23 and older``), ``equations`` add any other "total = sum of parts",
``covers`` relate categories of different dimensions that overlap (a reporter type and its
organisations: ``max(children) <= parent <= sum(children)``). And a cell is never larger than
a cell with one coordinate fewer (police-reported victims of a form are among the victims of
that form), whatever tables they are in: these *nesting* rows are added for every such pair.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from victim_monitor.disclosure.codes import (
    NOT_ADDITIVE,
    TABLE_MALFORMED,
    TABLES_DISAGREE,
    DisclosureError,
)
from victim_monitor.disclosure.result import TOTAL, CellRef, Cover, Equation, Key
from victim_monitor.problems import Problem

COUNT_COLUMN = "count"

Identity = tuple[str, tuple[tuple[str, str], ...]]
Groupings = Mapping[str, Mapping[str, Sequence[str]]]


@dataclass(frozen=True, init=False)
class Table:
    """A contingency table of counts, completed with its margins and checked.

    ``counts`` is a DataFrame with one column per dimension and a ``count`` column, or a
    mapping from category tuples to counts. Interior cells not given count 0. ``margins`` is
    ``True`` (a total in every dimension), ``False`` (none) or the dimensions with a total: a
    factsheet table by year and form has form totals per year but no all-years total, which
    keeps the years apart. Totals are computed (totals given are checked); totals over an
    overlapping dimension cannot be computed and must be given. ``fixed`` names coordinates
    the whole table is restricted to (``{"form": "domestic_sexual"}`` for domestic sexual
    exploitation by age). ``weight`` multiplies the cost of hiding the table's cells (a cell
    shared by tables takes the largest): headline tables are hidden last.
    """

    name: str
    dimensions: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    counts: Mapping[Key, int]
    margins: tuple[str, ...]
    overlapping: tuple[str, ...]
    fixed: tuple[tuple[str, str], ...]
    measure: str
    weight: float

    def __init__(
        self,
        name: str,
        dimensions: Sequence[str],
        counts: pd.DataFrame | Mapping[tuple[Any, ...], int],
        margins: bool | Sequence[str] = True,
        *,
        categories: Mapping[str, Sequence[Any]] | None = None,
        overlapping: Sequence[str] = (),
        fixed: Mapping[str, Any] | None = None,
        measure: str = "persons",
        weight: float = 1.0,
    ) -> None:
        dims = tuple(str(d) for d in dimensions)
        problems: list[Problem] = []
        if isinstance(margins, bool):
            with_total = dims if margins else ()
        else:
            with_total = tuple(d for d in dims if d in set(margins))
            if set(margins) - set(dims):
                problems.append(TABLE_MALFORMED("margins name unknown dimensions", field=name))
        given = _read_counts(name, dims, counts, problems)
        cats = _categories(name, dims, given, categories or {}, with_total, problems)
        if not weight > 0:
            problems.append(TABLE_MALFORMED(f"weight must be > 0, not {weight}", field=name))
        if len(set(dims)) != len(dims) or not dims:
            problems.append(TABLE_MALFORMED("dimensions are empty or repeated", field=name))
        bad_overlap = sorted(set(overlapping) - set(dims))
        if bad_overlap:
            problems.append(
                TABLE_MALFORMED(
                    f"overlapping dimensions not in the table: {bad_overlap}", field=name
                )
            )
        fixed_pairs = tuple(sorted((str(k), str(v)) for k, v in (fixed or {}).items()))
        if set(dict(fixed_pairs)) & set(dims):
            problems.append(TABLE_MALFORMED("a fixed coordinate is also a dimension", field=name))
        if problems:
            raise DisclosureError(problems)
        full = _complete(name, dims, cats, given, tuple(overlapping), problems)
        if problems:
            raise DisclosureError(problems)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "dimensions", dims)
        object.__setattr__(self, "categories", cats)
        object.__setattr__(self, "counts", full)
        object.__setattr__(self, "margins", with_total)
        object.__setattr__(self, "overlapping", tuple(d for d in dims if d in set(overlapping)))
        object.__setattr__(self, "fixed", fixed_pairs)
        object.__setattr__(self, "measure", measure)
        object.__setattr__(self, "weight", float(weight))

    def cell_keys(self) -> list[Key]:
        """Every cell, margins included, in a fixed order (last dimension fastest)."""
        return list(itertools.product(*self.categories))

    def identity(self, key: Key) -> Identity:
        """The cell's identity: shared by every cell of any table that counts the same group."""
        pairs = [(d, c) for d, c in zip(self.dimensions, key, strict=True) if c != TOTAL]
        return self.measure, tuple(sorted([*pairs, *self.fixed]))

    def relations(self) -> tuple[list[tuple[Key, list[Key]]], list[tuple[Key, list[Key]]]]:
        """(sums, overlaps): ``total = sum(parts)`` and ``part <= total <= sum(parts)``."""
        sums: list[tuple[Key, list[Key]]] = []
        overlaps: list[tuple[Key, list[Key]]] = []
        for key in self.cell_keys():
            for i, dim in enumerate(self.dimensions):
                if key[i] != TOTAL:
                    continue
                parts = [(*key[:i], c, *key[i + 1 :]) for c in self.categories[i][:-1]]
                (overlaps if dim in self.overlapping else sums).append((key, parts))
        return sums, overlaps


def _read_counts(
    name: str,
    dims: Key,
    counts: pd.DataFrame | Mapping[tuple[Any, ...], int],
    problems: list[Problem],
) -> dict[Key, int]:
    items: Iterable[tuple[tuple[Any, ...], Any]]
    if isinstance(counts, pd.DataFrame):
        missing = [c for c in (*dims, COUNT_COLUMN) if c not in counts.columns]
        if missing:
            problems.append(TABLE_MALFORMED(f"columns missing: {missing}", field=name))
            return {}
        columns = [counts[d].astype(str).tolist() for d in dims]
        items = zip(zip(*columns, strict=True), counts[COUNT_COLUMN].tolist(), strict=True)
    else:
        items = counts.items()
    given: dict[Key, int] = {}
    for raw_key, raw_value in items:
        key = tuple(str(k) for k in raw_key)
        if len(key) != len(dims):
            problems.append(TABLE_MALFORMED(f"key {key} has not {len(dims)} parts", field=name))
            continue
        value = _count(raw_value)
        if value is None:
            problems.append(
                TABLE_MALFORMED("count is not a whole number >= 0", field=name, value=raw_value)
            )
            continue
        if key in given:
            problems.append(TABLE_MALFORMED(f"cell {key} given twice", field=name))
            continue
        given[key] = value
    return given


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | np.integer) and value >= 0:
        return int(value)
    if isinstance(value, float | np.floating) and value >= 0 and float(value).is_integer():
        return int(value)
    return None


def _categories(
    name: str,
    dims: Key,
    given: Mapping[Key, int],
    declared: Mapping[str, Sequence[Any]],
    margins: tuple[str, ...],
    problems: list[Problem],
) -> tuple[tuple[str, ...], ...]:
    result: list[tuple[str, ...]] = []
    for i, dim in enumerate(dims):
        if dim in declared:
            cats = [str(c) for c in declared[dim]]
        else:
            cats = list(dict.fromkeys(k[i] for k in given if k[i] != TOTAL))
        if TOTAL in cats or len(set(cats)) != len(cats) or not cats:
            problems.append(TABLE_MALFORMED(f"bad categories of {dim}: {cats}", field=name))
        unknown = {k[i] for k in given} - set(cats) - ({TOTAL} if dim in margins else set())
        if unknown:
            problems.append(
                TABLE_MALFORMED(f"categories of {dim} not declared: {sorted(unknown)}", field=name)
            )
        result.append(tuple(cats) + ((TOTAL,) if dim in margins else ()))
    return tuple(result)


def _complete(
    name: str,
    dims: Key,
    cats: tuple[tuple[str, ...], ...],
    given: Mapping[Key, int],
    overlapping: tuple[str, ...],
    problems: list[Problem],
) -> dict[Key, int]:
    full: dict[Key, int] = {}
    keys = sorted(itertools.product(*cats), key=lambda k: sum(c == TOTAL for c in k))
    for key in keys:
        totals = [i for i, c in enumerate(key) if c == TOTAL]
        additive = [i for i in totals if dims[i] not in overlapping]
        if not additive:
            if totals and key not in given:
                problems.append(
                    TABLE_MALFORMED(
                        f"total {key} over an overlapping dimension not given", field=name
                    )
                )
            full[key] = given.get(key, 0)
            continue
        i = additive[0]
        full[key] = sum(full[(*key[:i], c, *key[i + 1 :])] for c in cats[i][:-1])
        if key in given and given[key] != full[key]:
            problems.append(
                NOT_ADDITIVE(
                    f"total {key} is {given[key]}, its parts sum to {full[key]}", field=name
                )
            )
    return full


@dataclass(frozen=True, eq=False)
class TableSet:
    """Tables protected together, with their shared cells and all relations between cells.

    ``values[i]`` is the count of cell ``i`` (one per identity); ``sums`` holds the rows of
    ``total - sum(parts) = 0`` and ``overlaps`` the rows of ``G y <= 0`` as sparse matrices over
    the cells. Building the set checks that shared cells agree (VM711) and that every relation
    holds for the counts (VM712).
    """

    tables: tuple[Table, ...]
    groupings: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    equations: tuple[Equation, ...] = ()
    covers: tuple[Cover, ...] = ()
    identities: tuple[Identity, ...] = field(init=False)
    values: np.ndarray = field(init=False, repr=False)
    sums: sparse.csr_matrix = field(init=False, repr=False)
    overlaps: sparse.csr_matrix = field(init=False, repr=False)
    index: Mapping[Identity, int] = field(init=False, repr=False)
    weights: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        groupings = {
            str(dim): {str(p): tuple(str(c) for c in cs) for p, cs in groups.items()}
            for dim, groups in self.groupings.items()
        }
        object.__setattr__(self, "groupings", groupings)
        object.__setattr__(self, "tables", tuple(self.tables))
        object.__setattr__(self, "equations", tuple(self.equations))
        object.__setattr__(self, "covers", tuple(self.covers))
        problems: list[Problem] = []
        names = [t.name for t in self.tables]
        if len(set(names)) != len(names):
            problems.append(TABLE_MALFORMED("two tables have the same name"))
        index: dict[Identity, int] = {}
        values: list[int] = []
        seen: dict[Identity, CellRef] = {}
        for table in self.tables:
            for key, value in table.counts.items():
                ident = table.identity(key)
                if ident not in index:
                    index[ident] = len(values)
                    values.append(value)
                    seen[ident] = CellRef(table.name, key)
                elif values[index[ident]] != value:
                    first = seen[ident]
                    problems.append(
                        TABLES_DISAGREE(
                            f"{table.name} {key} is {value}, {first.table} {first.key} is "
                            f"{values[index[ident]]}",
                            field=table.name,
                        )
                    )
        if problems:
            raise DisclosureError(problems)
        sum_rows: dict[tuple[int, tuple[int, ...]], None] = {}
        overlap_rows: dict[tuple[int, tuple[int, ...]], None] = {}
        by_name = {t.name: t for t in self.tables}
        for table in self.tables:
            sums, overlaps = table.relations()
            for total, parts in sums:
                sum_rows[_row(table, total, parts, index)] = None
            for total, parts in overlaps:
                overlap_rows[_row(table, total, parts, index)] = None
        for row in _grouping_rows(self.groupings, index):
            sum_rows[row] = None
        for row in _cover_rows(self.covers, index):
            overlap_rows[row] = None
        nesting = _nesting_rows(index)
        for eq in self.equations:
            refs = [eq.total, *eq.parts]
            if any(r.table not in by_name or r.key not in by_name[r.table].counts for r in refs):
                problems.append(TABLE_MALFORMED(f"equation refers to unknown cells: {eq}"))
                continue
            ids = [index[by_name[r.table].identity(r.key)] for r in refs]
            sum_rows[(ids[0], tuple(sorted(ids[1:])))] = None
        vals = np.asarray(values, dtype=np.int64)
        for top, below in sum_rows:
            if vals[top] != vals[list(below)].sum():
                problems.append(NOT_ADDITIVE(f"{self.describe(top, index)} != sum of parts"))
        for top, below in overlap_rows:
            if vals[list(below)].max(initial=0) > vals[top] or vals[top] > vals[list(below)].sum():
                problems.append(
                    NOT_ADDITIVE(
                        f"{self.describe(top, index)} is not between its largest part and the "
                        "sum of its parts (every person must be in at least one category)"
                    )
                )
        for whole, part in nesting:
            if vals[part] > vals[whole]:
                problems.append(
                    NOT_ADDITIVE(
                        f"{self.describe(part, index)} is larger than "
                        f"{self.describe(whole, index)}, which includes it"
                    )
                )
        if problems:
            raise DisclosureError(problems)
        n = len(values)
        object.__setattr__(self, "identities", tuple(index))
        object.__setattr__(self, "index", index)
        object.__setattr__(self, "values", vals)
        weights = np.ones(len(values))
        for table in self.tables:
            for key in table.counts:
                i = index[table.identity(key)]
                weights[i] = max(weights[i], table.weight)
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "sums", _sum_matrix(list(sum_rows), n))
        object.__setattr__(self, "overlaps", _overlap_matrix(list(overlap_rows), n, nesting))

    def describe(self, cell: int, index: Mapping[Identity, int] | None = None) -> str:
        """A readable name of cell ``cell``: its measure and coordinates."""
        idents = list(index or self.index)
        measure, pairs = idents[cell]
        coords = ", ".join(f"{d}={c}" for d, c in pairs) or "grand total"
        return f"{measure}[{coords}]"

    def refs(self) -> dict[int, list[CellRef]]:
        """Every table cell of each set cell."""
        out: dict[int, list[CellRef]] = {}
        for table in self.tables:
            for key in table.cell_keys():
                out.setdefault(self.index[table.identity(key)], []).append(CellRef(table.name, key))
        return out


def _row(
    table: Table, total: Key, parts: list[Key], index: Mapping[Identity, int]
) -> tuple[int, tuple[int, ...]]:
    return index[table.identity(total)], tuple(sorted(index[table.identity(p)] for p in parts))


def _grouping_rows(
    groupings: Mapping[str, Mapping[str, Sequence[str]]], index: Mapping[Identity, int]
) -> list[tuple[int, tuple[int, ...]]]:
    """``parent = sum(children)`` for every cell whose parent and children all exist.

    A cell with grouped categories in several dimensions (adults of sexual exploitation) is
    also the sum over every combination of their children, when those cells exist.
    """
    rows: list[tuple[int, tuple[int, ...]]] = []
    for ident, cell in index.items():
        measure, pairs = ident
        coords = dict(pairs)
        grouped = [
            (dim, tuple(groups[coords[dim]]))
            for dim, groups in groupings.items()
            if coords.get(dim, "") in groups and groups[coords[dim]]
        ]
        for k in range(1, len(grouped) + 1):
            for chosen in itertools.combinations(grouped, k):
                dims = [d for d, _ in chosen]
                part_ids = []
                for combo in itertools.product(*[children for _, children in chosen]):
                    child = {**coords, **dict(zip(dims, combo, strict=True))}
                    child_ident = (measure, tuple(sorted(child.items())))
                    if child_ident not in index:
                        break
                    part_ids.append(index[child_ident])
                else:
                    rows.append((cell, tuple(sorted(part_ids))))
    return rows


def _cover_rows(
    covers: Sequence[Cover], index: Mapping[Identity, int]
) -> list[tuple[int, tuple[int, ...]]]:
    """``max(children) <= parent <= sum(children)`` for every cell whose children all exist."""
    rows: list[tuple[int, tuple[int, ...]]] = []
    for ident, cell in index.items():
        measure, pairs = ident
        coords = dict(pairs)
        for cover in covers:
            if coords.get(cover.dimension) != cover.parent or cover.child_dimension in coords:
                continue
            rest = {d: c for d, c in coords.items() if d != cover.dimension}
            ids = [
                index.get((measure, tuple(sorted({**rest, cover.child_dimension: ch}.items()))))
                for ch in cover.children
            ]
            if ids and all(i is not None for i in ids):
                rows.append((cell, tuple(sorted(i for i in ids if i is not None))))
    return rows


def _nesting_rows(index: Mapping[Identity, int]) -> list[tuple[int, int]]:
    """(whole, part): the cell with one coordinate fewer includes the cell with it."""
    rows: list[tuple[int, int]] = []
    for (measure, pairs), cell in index.items():
        for k in range(len(pairs)):
            whole = index.get((measure, pairs[:k] + pairs[k + 1 :]))
            if whole is not None:
                rows.append((whole, cell))
    return rows


def _sum_matrix(rows: list[tuple[int, tuple[int, ...]]], n: int) -> sparse.csr_matrix:
    """One row per ``total - sum(parts) = 0``."""
    r: list[int] = []
    c: list[int] = []
    v: list[float] = []
    for i, (total, parts) in enumerate(rows):
        r.append(i)
        c.append(total)
        v.append(1.0)
        r.extend([i] * len(parts))
        c.extend(parts)
        v.extend([-1.0] * len(parts))
    return sparse.csr_matrix((v, (r, c)), shape=(len(rows), n))


def _overlap_matrix(
    rows: list[tuple[int, tuple[int, ...]]], n: int, nesting: Sequence[tuple[int, int]] = ()
) -> sparse.csr_matrix:
    """Rows of ``G y <= 0``: ``part - total <= 0`` for each part, ``total - sum(parts) <= 0``.

    ``nesting`` adds ``part - whole <= 0`` rows.
    """
    r: list[int] = []
    c: list[int] = []
    v: list[float] = []
    i = 0
    for whole, part in dict.fromkeys(nesting):
        r.extend([i, i])
        c.extend([part, whole])
        v.extend([1.0, -1.0])
        i += 1
    for total, parts in rows:
        for part in parts:
            r.extend([i, i])
            c.extend([part, total])
            v.extend([1.0, -1.0])
            i += 1
        r.append(i)
        c.append(total)
        v.append(1.0)
        r.extend([i] * len(parts))
        c.extend(parts)
        v.extend([-1.0] * len(parts))
        i += 1
    return sparse.csr_matrix((v, (r, c)), shape=(i, n))
