"""Design matrices of log-linear models on the incomplete 2**m table, and their terms.

A term is a bit mask of lists (``0b011`` is the interaction of lists 1 and 2); a model is a tuple
of interaction terms (order two or more). Main effects and the intercept are always in.
The expected count of cell ``c`` is ``exp(sum of the parameters of every term t with
c & t == t)``; the dark figure is ``exp(intercept)``.

A term nobody is counted under (two lists with nobody in common) has maximum likelihood
estimate minus infinity: its column is dropped and the cells under it are removed from the fit,
as in SparseMSE ``buildmodel`` and MultipleSystemsEstimation ``fit_hier_model`` (the extended
maximum likelihood estimate of Chan, Silverman and Vincent 2021).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations

import numpy as np
from numpy.typing import NDArray

Model = tuple[int, ...]
"""Interaction terms (bit masks of two or more lists) in the order they were added."""

MAX_ENUMERATED = 200_000


def order(term: int) -> int:
    """Number of lists in a term."""
    return term.bit_count()


def members(term: int) -> list[int]:
    """Indices of the lists in a term."""
    return [i for i in range(term.bit_length()) if term >> i & 1]


def pair_terms(m: int) -> list[int]:
    """All two-list terms in SparseMSE's order: (1,2), (1,3), ..., (1,m), (2,3), ..."""
    return [(1 << i) | (1 << j) for i in range(m) for j in range(i + 1, m)]


@cache
def _cells(m: int) -> NDArray[np.int64]:
    cells = np.arange(1, 1 << m, dtype=np.int64)
    cells.setflags(write=False)
    return cells


@cache
def column(m: int, term: int) -> NDArray[np.float64]:
    """Indicator over cells of 'on every list of term' (the term's design column)."""
    cells = _cells(m)
    col: NDArray[np.float64] = ((cells & term) == term).astype(np.float64)
    col.setflags(write=False)
    return col


def design_matrix(m: int, terms: Sequence[int]) -> NDArray[np.float64]:
    """Intercept, main effects and ``terms`` as columns over all ``2**m - 1`` cells."""
    cols = [np.ones((1 << m) - 1)] + [column(m, 1 << i) for i in range(m)]
    cols += [column(m, t) for t in terms]
    return np.column_stack(cols)


def sufficient(counts: NDArray[np.int64], m: int, term: int) -> int:
    """Persons counted under a term: on all its lists, whatever else (its margin)."""
    return int(counts @ column(m, term))


@dataclass(frozen=True, eq=False)
class Reduced:
    """A model's design on the cells left once terms with an empty margin are at minus infinity.

    ``columns`` names the columns of ``x``: 0 for the intercept, else the term's bit mask.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    keep: NDArray[np.bool_]
    columns: tuple[int, ...]
    neg_inf: tuple[int, ...]
    n_params: int
    hierarchical: bool = True


FULL_DESIGN_LISTS = 10
"""Up to this many lists every term's column is kept in one matrix (1,023 x 1,024)."""


@cache
def full_design(m: int) -> NDArray[np.float64]:
    """Columns for every term, the intercept at column 0 and term ``t`` at column ``t``."""
    if m > FULL_DESIGN_LISTS:
        raise ValueError(f"no full design for {m} lists; use columns()")
    cells = _cells(m)
    terms = np.arange(1 << m)
    x: NDArray[np.float64] = ((cells[:, None] & terms[None, :]) == terms[None, :]).astype(
        np.float64
    )
    x.setflags(write=False)
    return x


def columns(m: int, terms: Sequence[int]) -> NDArray[np.float64]:
    """The design columns of ``terms`` (0 is the intercept) over all cells."""
    if m <= FULL_DESIGN_LISTS:
        return full_design(m)[:, list(terms)]
    return np.column_stack([column(m, t) for t in terms])


def margins(counts: NDArray[np.int64], m: int) -> NDArray[np.int64]:
    """Persons counted under every term at once (index = term; index 0 is everyone)."""
    out = np.concatenate([[0], counts]).astype(np.int64)
    for i in range(m):
        view = out.reshape(-1, 2, 1 << i)
        view[:, 0, :] += view[:, 1, :]
    return out


def reduce(
    counts: NDArray[np.int64], m: int, model: Model, margin: NDArray[np.int64] | None = None
) -> Reduced:
    """Design and counts of ``model`` on the cells its finite parameters describe."""
    margin = margins(counts, m) if margin is None else margin
    terms = [1 << i for i in range(m)] + list(model)
    neg_inf = tuple(t for t in terms if margin[t] == 0)
    if neg_inf:
        cells = _cells(m)
        keep = np.ones((1 << m) - 1, dtype=bool)
        for t in neg_inf:
            keep &= (cells & t) != t
        finite = [t for t in terms if t not in neg_inf]
        x = columns(m, [0, *finite])[keep]
    else:
        keep = np.ones((1 << m) - 1, dtype=bool)
        finite = terms
        x = columns(m, [0, *finite])
    return Reduced(
        x=x,
        y=counts[keep].astype(np.float64),
        keep=keep,
        columns=(0, *finite),
        neg_inf=neg_inf,
        n_params=1 + len(terms),
        hierarchical=all(order(t) == 2 for t in model) or is_hierarchical(model),
    )


def closure(terms: Sequence[int]) -> Model:
    """The hierarchical model generated by ``terms``: every sub-term of two or more lists."""
    found: set[int] = set()
    for t in terms:
        idx = members(t)
        for k in range(2, len(idx) + 1):
            for sub in combinations(idx, k):
                found.add(sum(1 << i for i in sub))
    return tuple(sorted(found, key=lambda t: (order(t), _lex(t))))


def _lex(term: int) -> tuple[int, ...]:
    return tuple(members(term))


def is_hierarchical(model: Sequence[int]) -> bool:
    return set(closure(model)) == set(model)


def hierarchical_models(m: int, max_order: int = 2) -> Iterator[Model]:
    """Every hierarchical model with all main effects and interactions up to ``max_order``.

    Enumerated level by level: a term of order k may enter only when all its sub-terms of
    order k - 1 are in. For 6 lists and order 2 that is 2**15 = 32,768 models; for 5 lists all
    orders up to 4 it is 6,893, the counts MultipleSystemsEstimation and Rcapture enumerate.
    """

    levels = {
        k: [(t, [t & ~(1 << i) for i in members(t)]) for t in _of_order(m, k)]
        for k in range(2, min(max_order, m) + 1)
    }

    def extend(current: Model, present: frozenset[int], level: int) -> Iterator[Model]:
        # current is in (order, list) order: the chosen terms are all of the next order and
        # come in list order, so appending them keeps it without a sort
        yield current
        if level > max_order or level > m:
            return
        candidates = [
            t for t, subs in levels[level] if level == 2 or all(s in present for s in subs)
        ]
        for k in range(1, len(candidates) + 1):
            for chosen in combinations(candidates, k):
                yield from extend(current + chosen, present | frozenset(chosen), level + 1)

    yield from extend((), frozenset(), 2)


def _of_order(m: int, k: int) -> list[int]:
    """The terms of ``k`` lists, in list order."""
    return [sum(1 << i for i in c) for c in combinations(range(m), k)]


def count_hierarchical(m: int, max_order: int = 2) -> int:
    return sum(1 for _ in hierarchical_models(m, max_order))


def term_label(term: int, names: Sequence[str]) -> str:
    """A term named by its lists in column order, joined by ':' (SparseMSE's style)."""
    return ":".join(names[i] for i in members(term))


def model_labels(model: Sequence[int], names: Sequence[str]) -> list[str]:
    return [term_label(t, names) for t in model]


def mse_label(model: Sequence[int], m: int) -> str:
    """A model in MultipleSystemsEstimation's notation, e.g. ``[123,25,34]`` or ``[45,1,2,3]``.

    The generators (terms in no larger term of the model, main effects included) are written
    as 1-based list numbers, heaviest first: weight = order + sum of 0.5**list number.
    """
    terms = set(model) | {1 << i for i in range(m)}
    roots = [t for t in terms if not any(u != t and (u & t) == t for u in terms)]

    def weight(t: int) -> float:
        return order(t) + sum(0.5 ** (i + 1) for i in members(t))

    roots.sort(key=weight, reverse=True)
    return "[" + ",".join("".join(str(i + 1) for i in members(t)) for t in roots) + "]"


def parse_terms(labels: Sequence[str], names: Sequence[str]) -> Model:
    """Terms from labels like ``"A:B"`` (list names) or MSE generators like ``"12"``."""
    index = {name: i for i, name in enumerate(names)}
    terms: list[int] = []
    for label in labels:
        parts = label.split(":") if ":" in label or label in index else list(label)
        if ":" not in label and label not in index:
            parts = [names[int(d) - 1] for d in label]
        try:
            terms.append(sum(1 << index[p] for p in parts))
        except KeyError as exc:
            raise ValueError(f"unknown list {exc.args[0]!r} in term {label!r}") from None
    return tuple(t for t in terms if order(t) >= 2)
