"""SparseMSE's stepwise selection of two-list terms by Poisson p-value.

Start from main effects (Chan, Silverman and Vincent 2021; SparseMSE ``stepwisefit``). For every
two-list term not yet in, compare the persons on both lists ``n*`` with the number the current
fit expects there ``p*``: the p-value is ``min(P(X <= n*), P(X >= n*))`` for ``X ~
Poisson(p*)``. Add the term with the smallest p-value (the first in list order on a tie) if it
is below the threshold and the model with it has a finite, identifiable estimate; repeat. A
pair with nobody in common can enter (its p-value is ``exp(-p*)``); it is then at minus
infinity and its cells leave the fit.

:func:`stepwise` runs the search on one table and keeps its path; :func:`stepwise_estimates`
runs it on many tables at once (bootstrap and jackknife replicates), fitting all replicates'
candidate models together on the subset lattice. Both take the same decisions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import pdtr, pdtrc

from victim_monitor.estimation import existence
from victim_monitor.estimation.design import columns, margins, pair_terms
from victim_monitor.estimation.fit import MAX_ETA, fit_lattice, superset_sums
from victim_monitor.estimation.model import FittedModel, fit_model
from victim_monitor.estimation.select import identifiable_lattice

Counts = NDArray[np.int64]
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Step:
    """One step of the search: the term added, its p-value, the estimate after it."""

    term: int
    p_value: float
    estimate: float


@dataclass(frozen=True, eq=False)
class StepwiseResult:
    final: FittedModel
    steps: tuple[Step, ...]
    rejected: tuple[tuple[int, int], ...]
    """Significant terms passed over: (term, existence code 1-3)."""


def p_values(n_star: Floats, p_star: Floats) -> Floats:
    """``min(P(X <= n*), P(X >= n*))`` for ``X ~ Poisson(p*)``, as R's ``ppois`` gives it."""
    lower = pdtr(n_star, p_star)
    upper = np.where(n_star > 0, pdtrc(np.maximum(n_star - 1, 0), p_star), 1.0)
    return np.asarray(np.minimum(lower, upper), dtype=np.float64)


def pair_p_values(counts: Counts, m: int, current: FittedModel) -> Floats:
    """The p-value of every two-list term given the current fit."""
    cols = columns(m, pair_terms(m))
    mu = np.zeros(counts.shape[0])
    mu[current.reduced.keep] = current.fit.mu
    return p_values((counts @ cols).astype(np.float64), mu @ cols)


def stepwise(counts: Counts, m: int, threshold: float = 0.02) -> StepwiseResult:
    """Forward selection of two-list terms on one table, keeping the path."""
    pairs = pair_terms(m)
    margin = margins(counts, m)
    if threshold >= 1 and existence.check(counts, m, tuple(pairs)) == existence.FINE:
        # SparseMSE's special case: with threshold 1 the model with every pair, if it exists
        return StepwiseResult(fit_model(counts, m, tuple(pairs), margin=margin), (), ())
    current = fit_model(counts, m, (), margin=margin)
    steps: list[Step] = []
    rejected: list[tuple[int, int]] = []
    included: set[int] = set()
    while threshold > 0 and len(included) < len(pairs):
        p = pair_p_values(counts, m, current)
        ranked = sorted(
            (float(p[j]), j) for j, t in enumerate(pairs) if t not in included and p[j] < threshold
        )
        chosen = None
        for p_value, j in ranked:
            candidate = fit_model(counts, m, (*current.model, pairs[j]), current, margin)
            code = existence.check_with_fit(candidate.reduced, candidate.fit)
            if code == existence.FINE:
                chosen = candidate, p_value, pairs[j]
                break
            rejected.append((pairs[j], code))
        if chosen is None:
            break
        current, p_value, term = chosen
        included.add(term)
        steps.append(Step(term, p_value, current.estimate))
    return StepwiseResult(current, tuple(steps), tuple(rejected))


def stepwise_estimates(tables: Counts, m: int, threshold: float = 0.02) -> Floats:
    """The stepwise estimate of every table (rows of ``tables``), all searched together."""
    if threshold >= 1:  # SparseMSE's special case (see stepwise): rare, one by one
        return np.array([stepwise(t, m, threshold).final.estimate for t in tables])
    n_rep = tables.shape[0]
    size = 1 << m
    cells = np.arange(size)
    y = np.zeros((n_rep, size))
    y[:, 1:] = tables
    margin = superset_sums(y, m)
    pairs = np.array(pair_terms(m))
    n_star = margin[:, pairs]
    keep = np.ones((n_rep, size), dtype=bool)
    keep[:, 0] = False
    mains = [1 << i for i in range(m)]
    for r in range(n_rep):
        for t in mains:
            if margin[r, t] == 0:
                keep[r] &= (cells & t) != t
    terms: list[list[int]] = [[0, *(t for t in mains if margin[r, t] > 0)] for r in range(n_rep)]
    model: list[list[int]] = [[] for _ in range(n_rep)]
    coef: list[Floats] = [np.zeros(0)] * n_rep
    eta = np.zeros((n_rep, size))
    _fit_rows(np.arange(n_rep), terms, keep, y, m, coef, eta, None)
    included = np.zeros((n_rep, pairs.size), dtype=bool)
    active = np.arange(n_rep) if threshold > 0 else np.arange(0)
    while active.size:
        mu = np.exp(np.minimum(eta[active], MAX_ETA)) * keep[active]
        p = p_values(n_star[active], superset_sums(mu, m)[:, pairs])
        p[included[active] | ~(p < threshold)] = np.inf
        order = np.argsort(p, axis=1, kind="stable")
        pointer = np.zeros(active.size, dtype=np.int64)
        pending = np.flatnonzero(np.isfinite(p[np.arange(active.size), order[:, 0]]))
        accepted: list[int] = []
        while pending.size:
            rows = active[pending]
            cand = pairs[order[pending, pointer[pending]]]
            new_terms, new_keep, starts = [], keep[rows].copy(), []
            for i, (r, t) in enumerate(zip(rows, cand, strict=True)):
                if n_star[r, order[pending[i], pointer[pending[i]]]] == 0:
                    new_keep[i] &= (cells & t) != t
                    new_terms.append(terms[r])
                    starts.append(coef[r])
                else:
                    new_terms.append([*terms[r], int(t)])
                    starts.append(np.append(coef[r], 0.0))
            new_coef: list[Floats] = [np.zeros(0)] * rows.size
            new_eta = np.zeros((rows.size, size))
            ok = _fit_rows(
                np.arange(rows.size), new_terms, new_keep, y[rows], m, new_coef, new_eta, starts
            )
            retry = []
            for i, r in enumerate(rows):
                good = ok[i] or _exists(tables[r], m, [*model[r], int(cand[i])])
                if good:
                    j = order[pending[i], pointer[pending[i]]]
                    model[r].append(int(cand[i]))
                    terms[r], keep[r] = new_terms[i], new_keep[i]
                    coef[r], eta[r] = new_coef[i], new_eta[i]
                    included[r, j] = True
                    accepted.append(int(r))
                else:
                    pointer[pending[i]] += 1
                    nxt = pointer[pending[i]]
                    if nxt < pairs.size and np.isfinite(p[pending[i], order[pending[i], nxt]]):
                        retry.append(pending[i])
            pending = np.array(retry, dtype=np.int64)
        active = np.array(sorted(accepted), dtype=np.int64)
    intercept = np.array([c[0] for c in coef])
    return np.asarray(tables.sum(axis=1) + np.exp(np.minimum(intercept, MAX_ETA)))


def _fit_rows(
    rows: NDArray[np.int64],
    terms: list[list[int]],
    keep: NDArray[np.bool_],
    y: Floats,
    m: int,
    coef: list[Floats],
    eta: Floats,
    starts: list[Floats] | None,
) -> NDArray[np.bool_]:
    """Fit the models of ``rows`` grouped by size; store results; True where certainly fine."""
    ok = np.zeros(rows.size, dtype=bool)
    groups: dict[int, list[int]] = {}
    for i in rows:
        groups.setdefault(len(terms[i]), []).append(int(i))
    for members in groups.values():
        idx = np.array(members)
        t = np.array([terms[i] for i in members], dtype=np.int64)
        start = None if starts is None else np.array([starts[i] for i in members])
        res = fit_lattice(t, y[idx], keep[idx], m, start)
        ident = identifiable_lattice(t, keep[idx], m)
        for k, i in enumerate(members):
            coef[i] = res.coef[k]
            eta[i] = res.eta[k]
        ok[idx] = res.certain & ident
    return ok


def _exists(counts: Counts, m: int, model: list[int]) -> bool:
    """The linear program, for the rare fit that cannot vouch for itself."""
    return existence.check(counts, m, tuple(model)) == existence.FINE
