"""Does a model's maximum likelihood estimate exist, and is it identifiable?

On sparse tables the estimate of a log-linear model can be infinite (Fienberg and Rinaldo 2012).
After the terms with an empty margin are set to minus infinity (the extended estimate), the
finite part exists exactly when some strictly positive table has the observed margins. The
linear program of SparseMSE ``checkident`` (Chan, Silverman and Vincent 2021) decides it:

    maximise s  subject to  X' y* = X' y,  y* >= s,  y* >= 0

and the estimate exists when the optimum ``s`` is positive. Identifiability is the full column
rank of the reduced design ``X``. The codes are SparseMSE's: 0 fine, 1 no estimate, 2 not
identifiable, 3 both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, hstack, identity

from victim_monitor.estimation.design import Model, Reduced, pair_terms, reduce, sufficient
from victim_monitor.estimation.fit import PoissonFit

FINE, NO_ESTIMATE, NOT_IDENTIFIABLE, BOTH = 0, 1, 2, 3
LP_TOLERANCE = 1e-7


def estimate_exists(reduced: Reduced) -> bool:
    """The linear program: is there a strictly positive table with the observed margins?"""
    x, y = reduced.x, reduced.y
    if np.all(y > 0):
        return True
    n_cells, _ = x.shape
    objective = np.zeros(n_cells + 1)
    objective[-1] = -1.0
    a_eq = hstack([csr_matrix(x.T), csr_matrix((x.shape[1], 1))])
    a_ub = hstack([-identity(n_cells, format="csr"), csr_matrix(np.ones((n_cells, 1)))])
    result = linprog(
        objective,
        A_ub=a_ub,
        b_ub=np.zeros(n_cells),
        A_eq=a_eq,
        b_eq=x.T @ y,
        bounds=[(0, None)] * (n_cells + 1),
        method="highs",
    )
    return bool(result.status == 0 and -result.fun > LP_TOLERANCE)


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


@dataclass(frozen=True)
class AllModelsCheck:
    """SparseMSE ``checkallmodels`` over every model of main effects and two-list terms."""

    empty_pairs: tuple[int, ...]
    top_models: int
    failing: tuple[Model, ...]
    full_model_identifiable: bool

    @property
    def all_exist(self) -> bool:
        return not self.failing


def check_all_models(
    counts: NDArray[np.int64], m: int, *, max_top_models: int = 1 << 12
) -> AllModelsCheck:
    """Check every two-way model for a finite extended estimate.

    As in SparseMSE, if the estimate exists for a model it exists for every model with fewer
    overlapping pairs; so only the ``2**k`` "top" models (all overlapping pairs, any subset of
    the ``k`` empty pairs) are checked, and a failing top model is searched downwards.
    """
    pairs = pair_terms(m)
    empty = tuple(p for p in pairs if sufficient(counts, m, p) == 0)
    overlapping = [p for p in pairs if p not in empty]
    if (1 << len(empty)) > max_top_models:
        raise ValueError(
            f"{1 << len(empty)} top-level models to check (more than {max_top_models})"
        )
    failing: list[Model] = []
    for k in range(len(empty) + 1):
        for chosen in combinations(empty, k):
            top = tuple(overlapping) + chosen
            if check(counts, m, top) & NO_ESTIMATE:
                failing.extend(_search_down(counts, m, chosen, overlapping))
    full = reduce(counts, m, tuple(pairs))
    return AllModelsCheck(empty, 1 << len(empty), tuple(failing), identifiable(full))


def _search_down(
    counts: NDArray[np.int64], m: int, fixed: Sequence[int], overlapping: Sequence[int]
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
        if check(counts, m, model) & NO_ESTIMATE:
            found.append(model)
            start = max(removed) + 1 if removed else 0
            frontier.extend((*removed, i) for i in range(start, len(overlapping)))
    return found
