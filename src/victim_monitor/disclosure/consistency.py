"""What an outsider already knows: this release's relations joined with last year's release.

Cells shared by several tables are one cell already (see ``tables``), so they are hidden in all
tables or in none. Across releases, a cell of last year's release and a cell of this year's
with the same identity *and the same count* are taken to be one unknown: an outsider who
assumes an unchanged count and subtracts is right exactly then. So the previous release enters
as extra variables (its cells that are not this year's), extra relations (its margins), and
what it published: exact values of shown cells, ``rounded +- (base - 1)`` of rounded ones.
A revised count makes last year's cell a separate unknown (revisions are not modelled as
"approximately equal"; see the method note).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from victim_monitor.disclosure.result import TOTAL, Outcome, Release
from victim_monitor.disclosure.tables import Identity, Table, TableSet

_REVEALING = {Outcome.SHOWN: 2, Outcome.ROUNDED: 1, Outcome.PRIMARY: 0, Outcome.SECONDARY: 0}


@dataclass(frozen=True)
class Knowledge:
    """The attacker's system: variables ``0..n-1`` are this year's cells, the rest last year's.

    ``known`` variables are public whatever is done now (shown last year, unchanged);
    ``hidden`` ones are last year's hidden cells that are not this year's. A hidden variable
    lies in ``[low, high]`` as far as anyone knows (``[0, inf)`` unless it was rounded).
    """

    n: int
    values: npt.NDArray[np.float64]
    sums: sparse.csr_matrix
    overlaps: sparse.csr_matrix
    known: npt.NDArray[np.bool_]
    hidden: npt.NDArray[np.bool_]
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    previously_hidden: npt.NDArray[np.bool_]
    previously_rounded: dict[int, int]
    revised: int = 0


def previous_tables(release: Release) -> TableSet:
    """The table set a release was protected from, rebuilt from its true counts."""
    tables = []
    for t in release.tables:
        counts = {c.key: c.value for c in t.cells}
        inner = {
            d: tuple(c for c in cats if c != TOTAL)
            for d, cats in zip(t.dimensions, t.categories, strict=True)
        }
        tables.append(
            Table(
                t.name,
                t.dimensions,
                counts,
                t.margins,
                categories=inner,
                overlapping=t.overlapping,
                fixed=dict(t.fixed),
                measure=t.measure,
            )
        )
    return TableSet(tuple(tables), release.groupings, release.equations, release.covers)


def knowledge(tables: TableSet, previous: Release | None = None) -> Knowledge:
    """Join ``tables`` with what ``previous`` published into one system of relations."""
    n = len(tables.values)
    values = tables.values.astype(np.float64)
    if previous is None:
        return Knowledge(
            n=n,
            values=values,
            sums=tables.sums,
            overlaps=tables.overlaps,
            known=np.zeros(n, dtype=bool),
            hidden=np.zeros(n, dtype=bool),
            low=np.zeros(n),
            high=np.full(n, np.inf),
            previously_hidden=np.zeros(n, dtype=bool),
            previously_rounded={},
        )
    prev = previous_tables(previous)
    published = _published(previous, prev)
    base = previous.policy.rounding_base
    mapping = np.empty(len(prev.values), dtype=np.int64)
    extra_values: list[float] = []
    revised = 0
    for j, ident in enumerate(prev.identities):
        i = tables.index.get(ident)
        if i is not None and tables.values[i] == prev.values[j]:
            mapping[j] = i
        else:
            revised += i is not None
            mapping[j] = n + len(extra_values)
            extra_values.append(float(prev.values[j]))
    total = n + len(extra_values)
    all_values = np.concatenate([values, np.asarray(extra_values, dtype=np.float64)])
    known = np.zeros(total, dtype=bool)
    hidden = np.zeros(total, dtype=bool)
    hidden[n:] = True
    low = np.zeros(total)
    high = np.full(total, np.inf)
    previously_hidden = np.zeros(n, dtype=bool)
    previously_rounded: dict[int, int] = {}
    for j, (outcome, shown) in enumerate(published):
        v = int(mapping[j])
        if outcome is Outcome.SHOWN:
            known[v], hidden[v] = True, False
        elif outcome is Outcome.ROUNDED and shown is not None:
            low[v] = max(low[v], shown - base + 1)
            high[v] = min(high[v], shown + base - 1)
            if v < n:
                previously_rounded[v] = shown
        elif v < n:
            previously_hidden[v] = True
    return Knowledge(
        n=n,
        values=all_values,
        sums=_dedupe(
            sparse.vstack([_widen(tables.sums, total), _remap(prev.sums, mapping, total)])
        ),
        overlaps=_dedupe(
            sparse.vstack([_widen(tables.overlaps, total), _remap(prev.overlaps, mapping, total)])
        ),
        known=known,
        hidden=hidden,
        low=low,
        high=high,
        previously_hidden=previously_hidden,
        previously_rounded=previously_rounded,
        revised=revised,
    )


def _published(release: Release, prev: TableSet) -> list[tuple[Outcome, int | None]]:
    """Per cell of the previous set: its most revealing outcome and published value."""
    best: dict[Identity, tuple[Outcome, int | None]] = {}
    by_name = {t.name: t for t in prev.tables}
    for t in release.tables:
        table = by_name[t.name]
        for c in t.cells:
            ident = table.identity(c.key)
            old = best.get(ident)
            if old is None or _REVEALING[c.outcome] > _REVEALING[old[0]]:
                best[ident] = (c.outcome, c.published)
    return [best[ident] for ident in prev.identities]


def _widen(matrix: sparse.csr_matrix, total: int) -> sparse.csr_matrix:
    coo = matrix.tocoo()
    return sparse.csr_matrix((coo.data, (coo.row, coo.col)), shape=(matrix.shape[0], total))


def _remap(
    matrix: sparse.csr_matrix, mapping: npt.NDArray[np.int64], total: int
) -> sparse.csr_matrix:
    coo = matrix.tocoo()
    return sparse.csr_matrix(
        (coo.data, (coo.row, mapping[coo.col])), shape=(matrix.shape[0], total)
    )


def _dedupe(matrix: sparse.spmatrix) -> sparse.csr_matrix:
    """Drop repeated rows (last year's margins that are this year's too)."""
    csr = sparse.csr_matrix(matrix)
    csr.sort_indices()
    seen: set[tuple[tuple[int, ...], tuple[float, ...]]] = set()
    keep: list[int] = []
    for i in range(csr.shape[0]):
        lo, hi = csr.indptr[i], csr.indptr[i + 1]
        row = (tuple(csr.indices[lo:hi].tolist()), tuple(csr.data[lo:hi].tolist()))
        if row not in seen:
            seen.add(row)
            keep.append(i)
    return csr[keep]
