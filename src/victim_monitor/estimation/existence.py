"""Does a model's maximum likelihood estimate exist, and is it identifiable?

On sparse tables the estimate of a log-linear model can be infinite (Fienberg and Rinaldo 2012).
After the terms with an empty margin are set to minus infinity (the extended estimate), the
finite part exists exactly when some strictly positive table has the observed margins. The
linear program of SparseMSE ``checkident`` (Chan, Silverman and Vincent 2021) decides it:

    maximise s  subject to  X' y* = X' y,  y* >= s,  y* >= 0

and the estimate exists when the optimum ``s`` is positive. Identifiability is the full column
rank of the reduced design ``X``. The codes are SparseMSE's: 0 fine, 1 no estimate, 2 not
identifiable, 3 both.

Three things keep the linear program rare (``docs/methods/estimation.md``, "Existence"):
a margin that nobody has rules a model out at once (:class:`ZeroMargins`); answers are cached
on what decides them, the kept cells and the finite terms (:class:`ExistenceCache`); and a fit
that converges inside the parameter space vouches for itself (:mod:`.fit`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import OptimizeResult, linprog

from victim_monitor.estimation import codes
from victim_monitor.estimation.codes import EstimationError
from victim_monitor.estimation.design import (
    Model,
    Reduced,
    columns,
    margins,
    pair_terms,
    reduce,
)
from victim_monitor.estimation.fit import PoissonFit
from victim_monitor.problems import Problem

FINE, NO_ESTIMATE, NOT_IDENTIFIABLE, BOTH = 0, 1, 2, 3
LP_TOLERANCE = 1e-7


def estimate_exists(reduced: Reduced) -> bool:
    """The linear program: is there a strictly positive table with the observed margins?"""
    return positive_table_exists(reduced.x, reduced.y)


def positive_table_exists(x: NDArray[np.float64], y: NDArray[np.float64]) -> bool:
    """Is there a table ``y* > 0`` with ``x' y* = x' y``?

    Solved as ``y* = z + s [y = 0]``, ``z >= 0``, ``0 <= s <= 1``, maximise ``s``: only the
    empty cells need the slack (a solution positive there, averaged with ``y``, is positive
    everywhere), and there are no inequality rows, so HiGHS solves a problem with as many rows
    as ``x`` has columns.
    """
    if not np.any(y == 0):
        return True
    result = _slack_program(x, y)
    return bool(result.status == 0 and -result.fun > LP_TOLERANCE)


def _slack_program(x: NDArray[np.float64], y: NDArray[np.float64]) -> OptimizeResult:
    empty = y == 0
    n_cells = x.shape[0]
    a_eq = np.column_stack([x.T, x[empty].sum(axis=0)])
    objective = np.zeros(n_cells + 1)
    objective[-1] = -1.0
    bounds = np.zeros((n_cells + 1, 2))
    bounds[:, 1] = np.inf
    bounds[-1, 1] = 1.0
    return linprog(objective, A_eq=a_eq, b_eq=x.T @ y, bounds=bounds, method="highs")


def identifiable(reduced: Reduced) -> bool:
    """Full column rank of the reduced design.

    For a hierarchical model the only possible null vector puts ``(-1)**|t|`` on every finite
    term ``t`` (a triangular argument over the subset order), so the design is rank deficient
    exactly when that vector vanishes on every kept cell; other designs get a rank computation.
    """
    x = reduced.x
    if reduced.hierarchical:
        signs = np.array([(-1.0) ** bin(t).count("1") for t in reduced.columns])
        return bool(np.any(np.abs(x @ signs) > 0.5))
    return bool(x.shape[0] >= x.shape[1] and int(np.linalg.matrix_rank(x)) == x.shape[1])


def facial_cells(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.bool_]:
    """The cells some table with the observed margins makes positive: the facial set of
    Fienberg and Rinaldo (2012). Where it is every cell the estimate exists; else the extended
    estimate fits the facial cells and puts the others at 0.

    Where :func:`positive_table_exists` fails, its dual solution ``l`` is the proof: ``x l`` is
    zero on the observed cells and nowhere negative, so every table with these margins is 0
    where it is positive. Those cells go, and the program runs again on the rest.
    """
    facial = np.ones(x.shape[0], dtype=bool)
    while True:
        rest = np.flatnonzero(facial)
        x_rest, y_rest = x[rest], y[rest]
        if not np.any(y_rest == 0):
            return facial
        result = _slack_program(x_rest, y_rest)
        if result.status != 0 or -result.fun > LP_TOLERANCE:
            return facial
        proof = np.abs(x_rest @ result.eqlin.marginals)
        forced = (proof > 1e-7 * max(1.0, float(proof.max()))) & (y_rest == 0)
        if not forced.any():  # no usable proof (numerically): one cell at a time instead
            return facial & _facial_by_search(x, y, facial)
        facial[rest[forced]] = False


def _facial_by_search(
    x: NDArray[np.float64], y: NDArray[np.float64], within: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """The facial cells among ``within``, each empty one asked whether a table fills it."""
    found = within & (y > 0)
    for cell in np.flatnonzero(within & (y == 0)).tolist():
        if found[cell]:
            continue
        objective = -np.eye(1, int(x.shape[0]), cell)[0]
        bounds = np.zeros((x.shape[0], 2))
        bounds[:, 1] = np.where(within, np.inf, 0.0)
        bounds[cell, 1] = 1.0
        result = linprog(objective, A_eq=x.T, b_eq=x.T @ y, bounds=bounds, method="highs")
        if result.status == 0 and -result.fun > LP_TOLERANCE:
            found |= within & (result.x > LP_TOLERANCE)
    return found


def dark_figure_bounded(x: NDArray[np.float64], y: NDArray[np.float64]) -> bool:
    """Is the dark figure of the extended estimate finite and fixed by the data?

    Without an estimate some cells' fitted values go to 0 along a direction of the
    parameters; the dark figure stays finite exactly when that direction leaves the intercept
    alone, i.e. when the facial cells alone fix it (New Orleans' Chao models: yes; korea3 with
    every pair, Rcapture's Darroch model on artificial3: no, to infinity and to 0).
    """
    return dark_figure_determined(x[facial_cells(x, y)])


def dark_figure_determined(x: NDArray[np.float64]) -> bool:
    """Do the data fix the intercept, the log of the dark figure (is it in the row space)?

    Where the design is rank deficient and a null vector moves the intercept (for a
    hierarchical model the only null vector does), every total from the registered count up
    fits the data equally well: the estimate is not determined. ``x`` may also be ``X'WX``.
    """
    target = np.eye(1, x.shape[1])[0]
    combination = np.linalg.lstsq(x.T, target, rcond=None)[0]
    return bool(np.abs(x.T @ combination - target).max() < 1e-8)


def check(counts: NDArray[np.int64], m: int, model: Model) -> int:
    """SparseMSE ``checkident``: 0 fine, 1 no finite estimate, 2 not identifiable, 3 both."""
    return check_with_fit(reduce(counts, m, model), None)


def check_with_fit(reduced: Reduced, fit: PoissonFit | None) -> int:
    """Like :func:`check`, but a converged, strictly positive fit settles existence at once."""
    ident = identifiable(reduced)
    if ident and fit is not None and fit.certain:
        return FINE
    exists = estimate_exists(reduced)
    return (0 if exists else NO_ESTIMATE) + (0 if ident else NOT_IDENTIFIABLE)


def not_estimable(
    reduced: Reduced | tuple[NDArray[np.float64], NDArray[np.float64]],
    observed: int,
    estimate: float,
    model: str = "this model",
) -> list[Problem]:
    """VM537 where a model's own estimate is no estimate: the data do not fix the dark figure,
    or there is no estimate and the extended one's dark figure goes to 0 or to infinity.

    ``reduced`` is the model's reduced design and counts (or the pair ``x, y``). Where the
    extended estimate keeps a finite dark figure (some cells' fitted values at 0) nothing is
    said here: the figure stands as Rcapture and SparseMSE give it.
    """
    x, y = (reduced.x, reduced.y) if isinstance(reduced, Reduced) else reduced
    if not dark_figure_determined(x):
        return [
            codes.NOT_ESTIMABLE(
                f"the estimate is not determined: {model} has more parameters than these data "
                f"fix, and every total from the {observed:,} registered up fits them equally well"
            )
        ]
    if positive_table_exists(x, y) or dark_figure_bounded(x, y):
        return []
    dark = estimate - observed
    way = "going to 0" if dark < 1.0 else "growing without bound"
    return [
        codes.NOT_ESTIMABLE(
            f"the estimate does not exist: no strictly positive table has the margins of {model}, "
            "and its fit runs off to the edge of the parameter space with the dark figure "
            f"{way}; {estimate:,.0f} is where the fit stopped, not an estimate"
        )
    ]


@dataclass(frozen=True, eq=False)
class ZeroMargins:
    """The patterns nobody has in the marginal tables of a table: a quick proof of no estimate.

    For a term ``u`` and ``t`` inside it, ``n(t; u)`` counts the persons on all lists of ``t``
    and on no other list of ``u``: by inclusion and exclusion a sum of the margins of the terms
    between ``t`` and ``u``, which a hierarchical model with ``u`` fixes. Where it is zero,
    every table with the model's margins is zero on the cells with that pattern; if the model
    keeps one of them, no strictly positive table fits and the estimate does not exist. This is
    the zero in a generator's marginal table of the classical theory (Bishop, Fienberg and
    Holland 1975, ch. 3); it is sufficient, not necessary ("hidden" zeros need the linear
    program).
    """

    terms: NDArray[np.int64]
    """The term ``u`` of each zero pattern."""
    cells: NDArray[np.bool_]
    """``cells[z, c]``: lattice cell ``c`` (never 0) has zero pattern ``z``."""

    def restrict(self, terms: NDArray[np.int64]) -> ZeroMargins:
        """Only the patterns of these terms (those of the models at hand)."""
        keep = np.isin(self.terms, terms)
        return ZeroMargins(self.terms[keep], self.cells[keep])

    def rule_out(self, in_model: NDArray[np.bool_], keep: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """For models (rows; ``in_model[b, t]``: term ``t`` in model ``b``, ``keep[b, c]``: cell
        ``c`` kept), True where a zero pattern of one of its terms covers a kept cell."""
        if self.terms.size == 0:
            return np.zeros(in_model.shape[0], dtype=bool)
        covered = keep.astype(np.float32) @ self.cells.T.astype(np.float32) > 0
        return np.asarray(np.any(covered & in_model[:, self.terms], axis=1))


def zero_margins(counts: NDArray[np.int64], m: int) -> ZeroMargins:
    """Every (term, pattern) of the table that nobody has, with the cells it covers."""
    size = 1 << m
    cells = np.arange(size)
    y = np.concatenate([[0], counts])
    terms: list[int] = []
    covers: list[NDArray[np.bool_]] = []
    for u in range(1, size):
        pattern = cells & u
        observed = np.bincount(pattern, weights=y, minlength=size)
        for t in np.flatnonzero(observed == 0):
            # t must lie inside u; t == u is a margin of zero: those cells leave the fit anyway
            if t & ~u == 0 and t != u:
                terms.append(u)
                covers.append((pattern == t) & (cells != 0))
    cells_out = np.array(covers, dtype=bool).reshape(len(covers), size)
    return ZeroMargins(np.array(terms, dtype=np.int64), cells_out)


@dataclass(frozen=True, eq=False)
class ExistenceCache:
    """Linear-program answers on one table, keyed on what decides them.

    Whether the estimate exists depends only on the kept cells and the finite terms, so models
    that differ in terms at minus infinity over cells already left out share an answer. For
    the same kept cells more terms mean more margins to match: terms that include a set without
    an estimate have none either, and terms inside a set with an estimate have one. Those
    answers need no linear program; ``solved`` counts the ones that did.
    """

    counts: NDArray[np.int64]
    m: int
    known: dict[bytes, list[tuple[int, bool]]] = field(default_factory=dict)

    @property
    def solved(self) -> int:
        return sum(len(v) for v in self.known.values())

    def exists(self, keep: NDArray[np.bool_], terms: Sequence[int]) -> bool:
        """Does the estimate exist with cells ``keep`` (over cells 1..2**m-1) and these finite
        terms (the intercept is always in)?"""
        y = self.counts[keep].astype(np.float64)
        if np.all(y > 0):
            return True
        mask = sum(1 << int(t) for t in terms)
        answers = self.known.setdefault(np.packbits(keep).tobytes(), [])
        for other, ok in answers:
            if ok and mask & ~other == 0:
                return True
            if not ok and other & ~mask == 0:
                return False
        ok = positive_table_exists(columns(self.m, [0, *terms])[keep], y)
        answers.append((mask, ok))
        return ok

    def check(self, model: Model) -> int:
        """SparseMSE ``checkident`` through the cache."""
        reduced = reduce(self.counts, self.m, model)
        exists = self.exists(reduced.keep, reduced.columns[1:])
        return (0 if exists else NO_ESTIMATE) + (0 if identifiable(reduced) else NOT_IDENTIFIABLE)


@dataclass(frozen=True)
class AllModelsCheck:
    """SparseMSE ``checkallmodels`` over every model of main effects and two-list terms."""

    empty_pairs: tuple[int, ...]
    top_models: int
    failing: tuple[Model, ...]
    full_model_identifiable: bool
    linear_programs: int = 0
    """How many linear programs were solved (the rest were settled without one)."""

    @property
    def all_exist(self) -> bool:
        return not self.failing


def check_all_models(
    counts: NDArray[np.int64], m: int, *, max_top_models: int = 1 << 12
) -> AllModelsCheck:
    """Check every two-way model for a finite extended estimate.

    As in SparseMSE, if the estimate exists for a model it exists for every model with fewer
    overlapping pairs; so only the ``2**k`` "top" models (all overlapping pairs, any subset of
    the ``k`` empty pairs) need checking, and a failing top model is searched downwards. The
    top models share their terms and differ only in the cells they leave out, and only cells
    whose design row the observed cells do not span can stop an estimate
    (:func:`_relevant_cells`): empty pairs over the same such cells are one class, and one
    linear program per set of classes answers for all their top models. Where no cell is
    relevant (New Orleans, 8 lists: 2**18 top models) one program answers for all. More than
    ``max_top_models`` to go through is a coded problem (VM513), not an endless search.
    """
    pairs = pair_terms(m)
    margin = margins(counts, m)
    empty = tuple(p for p in pairs if margin[p] == 0)
    overlapping = tuple(p for p in pairs if margin[p] > 0)
    cache = ExistenceCache(counts, m)
    cells = np.arange(1, 1 << m)
    relevant = _relevant_cells(counts, m, overlapping)
    footprint = {p: ((cells & p) == p) & relevant for p in empty}
    classes: dict[bytes, int] = {}
    for p in empty:
        if footprint[p].any():
            classes.setdefault(np.packbits(footprint[p]).tobytes(), p)

    def pattern(chosen: Sequence[int]) -> bytes:
        left_out = np.zeros(cells.size, dtype=bool)
        for p in chosen:
            left_out |= footprint[p]
        return np.packbits(left_out).tobytes()

    _limit(1 << len(classes), max_top_models, "classes of top-level models")
    fails: dict[bytes, bool] = {}
    for k in range(len(classes) + 1):
        for chosen in combinations(classes.values(), k):
            fails.setdefault(
                pattern(chosen), bool(cache.check((*overlapping, *chosen)) & NO_ESTIMATE)
            )
    failing: list[Model] = []
    if any(fails.values()):
        _limit(1 << len(empty), max_top_models, "top-level models, some without an estimate,")
        for k in range(len(empty) + 1):
            for chosen in combinations(empty, k):
                if fails[pattern(chosen)]:
                    failing.extend(_search_down(cache, chosen, overlapping))
    full = identifiable(reduce(counts, m, tuple(pairs)))
    return AllModelsCheck(empty, 1 << len(empty), tuple(failing), full, cache.solved)


def _limit(needed: int, most: int, what: str) -> None:
    if needed > most:
        raise EstimationError(codes.TOO_MANY_LISTS(f"{needed} {what} to check (more than {most})"))


def _relevant_cells(
    counts: NDArray[np.int64], m: int, overlapping: Sequence[int]
) -> NDArray[np.bool_]:
    """Cells (1..2**m-1) whose row of the top models' design the observed cells do not span.

    No estimate means a parameter vector whose linear predictor is zero on the observed cells,
    at least zero on the kept ones and positive on one (the dual of the linear program). On a
    cell whose row is a combination of observed cells' rows it is zero, so only the other cells
    can tell top models apart; cells under an empty list are never kept.
    """
    margin = margins(counts, m)
    mains = [1 << i for i in range(m) if margin[1 << i] > 0]
    x = columns(m, [0, *mains, *overlapping])
    _, singular, vt = np.linalg.svd(x[counts > 0], full_matrices=False)
    basis = vt[: int(np.sum(singular > singular[0] * 1e-10))] if singular.size else vt[:0]
    residual = x - (x @ basis.T) @ basis
    cells = np.arange(1, 1 << m)
    kept = np.ones(cells.size, dtype=bool)
    for i in range(m):
        if margin[1 << i] == 0:
            kept &= (cells >> i) & 1 == 0
    return np.asarray((np.abs(residual).max(axis=1) > 1e-8) & kept)


def _search_down(
    cache: ExistenceCache, fixed: Sequence[int], overlapping: Sequence[int]
) -> list[Model]:
    """Models (``fixed`` plus subsets of ``overlapping``) without a finite estimate.

    Dropping more terms can only make the estimate exist, so a subset whose model exists
    prunes every further removal (SparseMSE ``subsetsearch``).
    """
    found: list[Model] = []
    frontier: list[tuple[int, ...]] = [()]
    while frontier:
        removed = frontier.pop()
        model = tuple(fixed) + tuple(t for i, t in enumerate(overlapping) if i not in removed)
        if cache.check(model) & NO_ESTIMATE:
            found.append(model)
            start = max(removed) + 1 if removed else 0
            frontier.extend((*removed, i) for i in range(start, len(overlapping)))
    return found
