"""One log-linear model over lists and covariates: the Dutch approach (van der Heijden et al.).

Cells are (stratum, capture history). The model has a parameter per stratum (its own dark
figure), the lists' main effects, each list's interaction with each covariate (so how likely an
organisation registers someone may depend on year, form, age, sex, nationality), and two-list
interactions shared by all strata (chosen by stepwise selection on the pooled table unless
given). Stratum ``s`` is estimated at ``n_s + exp(beta_s)``; the strata add up to the total by
construction.

Sparse strata. A list with nobody of a stratum is taken not to see that stratum: its cells in
the stratum are structural zeros, left out of the fit (else its interaction with the stratum's
levels runs to minus infinity). The list x covariate interactions, every level coded, carry a
ridge penalty ``penalty / 2 * sum gamma**2``: a weakly informative normal prior, standard
deviation 2.5, on each level's log odds ratio against the lists' average (:data:`PENALTY`). A
stratum whose lists hardly overlap then takes its capture odds partly from the strata that
share its levels instead of running away; where a level has hundreds of persons the prior
moves nothing. The penalty is fixed, not fitted: fit criteria (AIC, marginal likelihood) weigh
the observed cells, which hardly depend on the one direction that sets a stratum's dark
figure (how visible the stratum is to every list at once), so they shrink it freely and bias
the estimate; ``penalty="aic"`` chooses one per covariate that way, for comparison. Intervals:
Wald on the log dark figure with the penalised (Bayesian) covariance ``(X'WX + P)**-1`` (Wood
2017, sec. 6.10). Pairs of lists with nobody in common are at minus infinity, as elsewhere.

The fit runs on the ``2**m`` lattice of each stratum, as :func:`~.fit.fit_lattice` does:
every stratum uses the same few terms (intercept, lists, its levels' list effects, pairs), so
fitted values come from one subset-sum transform and ``X'WX`` from the margins of ``W``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import cho_factor, cho_solve
from scipy.special import gammaln

from victim_monitor.estimation.fit import MAX_ETA, subset_sums, superset_sums
from victim_monitor.estimation.stepwise import stepwise

Floats = NDArray[np.float64]
Counts = NDArray[np.int64]
Bools = NDArray[np.bool_]

PENALTY = 1 / 2.5**2
"""The prior N(0, 2.5**2) on a log odds ratio: the weakly informative scale of Gelman et al.
(2008, rstanarm's default), odds within a factor 150 of the lists' average at 95%."""
PENALTIES = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
"""``penalty="aic"``: the grid, prior standard deviations of 10 down to 0.18."""
SWEEPS = 3


@dataclass(frozen=True)
class Layout:
    """Strata (rows of level codes, one column per covariate) and the number of lists."""

    m: int
    levels: NDArray[np.int64]
    n_levels: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class Design:
    """The model on the lattice: in stratum ``s`` local slot ``i`` is global parameter
    ``slots[s, i]`` acting on the cells that contain term ``terms[i]`` (a bit mask of lists).

    Parameters: stratum intercepts, lists, list x covariate level (every level), pairs.
    ``covariate[a]`` is the covariate of a list x level parameter, -1 for the others.
    """

    m: int
    slots: NDArray[np.int64]
    terms: NDArray[np.int64]
    covariate: NDArray[np.int64]
    baseline: Bools
    names: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.names)

    def linear(self, coef: Floats) -> Floats:
        """(strata x 2**m) linear predictor."""
        onto = np.zeros((self.slots.shape[0], 1 << self.m))
        for i, t in enumerate(self.terms):
            onto[:, t] += coef[self.slots[:, i]]
        return subset_sums(onto, self.m)

    def score(self, resid: Floats) -> Floats:
        local = superset_sums(resid, self.m)[:, self.terms]
        return np.bincount(self.slots.ravel(), local.ravel(), self.size).astype(np.float64)

    @cached_property
    def _indices(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Where each stratum's local information goes: the cross block (intercept x shared
        parameters), the shared block, and the term of each pair of local slots."""
        n = self.slots.shape[0]
        rest = self.size - n
        local = self.slots[:, 1:] - n  # slot 0 is the stratum's intercept, the rest shared
        cross = (np.arange(n)[:, None] * rest + local).ravel()
        shared = (local[:, :, None] * rest + local[:, None, :]).ravel()
        return cross, shared, self.terms[1:, None] | self.terms[None, 1:]

    def information(self, mu: Floats) -> tuple[Floats, Floats, Floats]:
        """``X'WX`` in blocks: the intercepts' diagonal, intercepts x shared, shared x shared
        (entry ``(a, b)`` is the margin of ``mu`` at the union of the two terms)."""
        margins = superset_sums(mu, self.m)
        cross_at, shared_at, unions = self._indices
        n = self.slots.shape[0]
        rest = self.size - n
        cross = np.bincount(cross_at, margins[:, self.terms[1:]].ravel(), n * rest)
        shared = np.bincount(shared_at, margins[:, unions].ravel(), rest * rest)
        return (
            margins[:, 0],
            cross.reshape(n, rest).astype(np.float64),
            shared.reshape(rest, rest).astype(np.float64),
        )


def design(layout: Layout, pairs: Sequence[int]) -> Design:
    """The parameters of the model and where each acts, for ``layout`` and ``pairs``."""
    m, n_strata = layout.m, layout.levels.shape[0]
    names = [f"stratum {s}" for s in range(n_strata)] + [f"list {j}" for j in range(m)]
    covariate = [-1] * len(names)
    baseline = [False] * len(names)
    slots = [np.arange(n_strata)] + [np.full(n_strata, n_strata + j) for j in range(m)]
    terms = [0] + [1 << j for j in range(m)]
    for v, n_levels in enumerate(layout.n_levels):
        first = len(names)
        for lev in range(n_levels):
            for j in range(m):
                names.append(f"list {j} x covariate {v} level {lev}")
                covariate.append(v)
                baseline.append(lev == 0)
        for j in range(m):
            slots.append(first + layout.levels[:, v] * m + j)
            terms.append(1 << j)
    for t in pairs:
        slots.append(np.full(n_strata, len(names)))
        terms.append(t)
        names.append(f"pair {t}")
        covariate.append(-1)
        baseline.append(False)
    return Design(
        m,
        np.column_stack(slots).astype(np.int64),
        np.array(terms, dtype=np.int64),
        np.array(covariate, dtype=np.int64),
        np.array(baseline, dtype=np.bool_),
        tuple(names),
    )


def structural_zeros(counts: Counts, m: int) -> Bools:
    """(strata x 2**m): True where a cell holds a list that has nobody of the stratum."""
    full = np.concatenate([np.zeros((counts.shape[0], 1)), counts], axis=1)
    seen = superset_sums(full, m)[:, 1 << np.arange(m)] > 0  # (strata, lists)
    cells = np.arange(1 << m)
    on = (cells[:, None] >> np.arange(m)[None, :]) & 1 > 0  # (2**m, lists)
    return np.asarray((on[None, :, :] & ~seen[:, None, :]).any(axis=2), dtype=np.bool_)


@dataclass(frozen=True, eq=False)
class Penalised:
    """A (penalised) Poisson fit on the lattice: coefficients (0 where inactive), the
    covariance of the stratum intercepts (the inverse penalised information's block),
    effective degrees of freedom ``trace((X'WX + P)**-1 X'WX)``."""

    coef: Floats
    loglik: float
    covariance: Floats
    edf: float
    converged: bool

    @property
    def aic(self) -> float:
        return -2.0 * self.loglik + 2.0 * self.edf


@dataclass(frozen=True, eq=False)
class Cells:
    """What is fitted: the design, counts (strata x 2**m), the cells kept and the parameters
    that act on them."""

    design: Design
    y: Floats
    kept: Bools
    active: Bools

    def fit(
        self, penalties: Sequence[float], start: Floats | None = None, max_iter: int = 100
    ) -> Penalised:
        """Maximise ``loglik(b) - sum(penalty_v * gamma_v**2) / 2`` (one penalty per covariate)
        by Newton's method, halving a step that lowers it, from ``start`` or from each
        stratum's mean count."""
        d, y, kept, act = self.design, self.y, self.kept, self.active
        ridge = np.array([*penalties, 0.0])[d.covariate]  # covariate -1 takes the trailing 0
        coef = self._start() if start is None else np.array(start, dtype=np.float64)

        def objective(b: Floats) -> tuple[float, Floats]:
            eta = np.minimum(d.linear(b), MAX_ETA)
            mu = np.exp(eta) * kept
            return float(np.sum(y * eta * kept) - mu.sum() - 0.5 * ridge @ b**2), mu

        value, mu = objective(coef)
        converged = False
        for _ in range(max_iter):
            blocks = _Blocks.of(d.information(mu), ridge, act)
            score = d.score(y - mu)[act] - ridge[act] * coef[act]
            step = blocks.solve(score)
            decrement = float(score @ step)
            if not np.isfinite(decrement):
                break
            if decrement < 1e-10:
                converged = True
                break
            new = coef.copy()
            for _ in range(40):
                new[act] = coef[act] + step
                new_value, new_mu = objective(new)
                if new_value >= value - 1e-12 * abs(value):
                    break
                step *= 0.5
            coef, value, mu = new, new_value, new_mu
        blocks = _Blocks.of(d.information(mu), ridge, act)
        covariance = np.zeros((y.shape[0], y.shape[0]))
        intercepts = np.flatnonzero(act[: y.shape[0]])
        block, edf = blocks.intercept_covariance_and_edf()
        covariance[np.ix_(intercepts, intercepts)] = block
        eta = np.minimum(d.linear(coef), MAX_ETA)
        loglik = float(np.sum(kept * (y * eta - np.exp(eta))) - gammaln(y + 1.0).sum())
        return Penalised(coef, loglik, covariance, edf, converged)

    def _start(self) -> Floats:
        """Each stratum's intercept at the log of its mean count per kept cell, else 0."""
        coef = np.zeros(self.design.size)
        n_strata = self.y.shape[0]
        cells = np.maximum(self.kept.sum(axis=1), 1)
        coef[:n_strata] = np.log(np.maximum(self.y.sum(axis=1), 0.5) / cells)
        return coef


@dataclass(frozen=True, eq=False)
class _Blocks:
    """``X'WX + P`` split after the stratum intercepts, whose block is diagonal (each acts in
    its own stratum only): Newton's system is solved through the Schur complement of that
    block, so a fit over hundreds of strata factors a system of the shared parameters only."""

    diagonal: Floats
    cross: Floats
    schur: Floats
    ridge: Floats
    factor: tuple[Floats, bool] | None
    """Cholesky factor of the Schur complement; None where parameters are aliased (a baseline
    level whose list is a structural zero, fitted without a penalty): then the pseudo-inverse
    moves only what the data identify."""

    @classmethod
    def of(
        cls, information: tuple[Floats, Floats, Floats], ridge: Floats, active: Bools
    ) -> _Blocks:
        """The blocks of the active parameters (intercepts first, as in the design)."""
        n = information[0].size
        on, rest = active[:n], active[n:]
        diagonal, cross = information[0][on], information[1][np.ix_(on, rest)]
        shared = information[2][np.ix_(rest, rest)] + np.diag(ridge[n:][rest])
        schur = shared - (cross.T / diagonal) @ cross
        factor = None
        if schur.size:
            try:
                factor = cho_factor(schur, check_finite=False)
            except np.linalg.LinAlgError:
                factor = None
            # the Cholesky diagonal bounds the conditioning from below, cheaply
            if factor is not None:
                chol = np.abs(np.diag(factor[0]))
                factor = factor if chol.min() > 1e-7 * chol.max() else None
        return cls(diagonal, cross, schur, ridge[n:][rest], factor)

    def _schur_solve(self, rhs: Floats) -> Floats:
        if not self.schur.size:
            return np.zeros(rhs.shape)
        if self.factor is not None:
            return np.asarray(cho_solve(self.factor, rhs, check_finite=False), dtype=np.float64)
        return np.asarray(np.linalg.pinv(self.schur, hermitian=True) @ rhs, dtype=np.float64)

    def solve(self, g: Floats) -> Floats:
        n = self.diagonal.size
        rest = self._schur_solve(g[n:] - self.cross.T @ (g[:n] / self.diagonal))
        return np.concatenate([(g[:n] - self.cross @ rest) / self.diagonal, rest])

    def intercept_covariance_and_edf(self) -> tuple[Floats, float]:
        """The intercepts' block of ``H**-1``, and ``trace(H**-1 X'WX) = rank - trace(H**-1 P)``
        (P acts on the shared parameters only)."""
        inverse = self._schur_solve(np.eye(self.schur.shape[0]))
        scaled = self.cross / self.diagonal[:, None]
        covariance = np.diag(1.0 / self.diagonal) + scaled @ inverse @ scaled.T
        rank = self.schur.shape[0]
        if self.factor is None and self.schur.size:
            rank = int(np.linalg.matrix_rank(self.schur, hermitian=True))
        return covariance, self.diagonal.size + rank - float(self.ridge @ np.diag(inverse))


def cells_of(counts: Counts, layout: Layout, pairs: Sequence[int]) -> Cells:
    """The design, the cells kept (structural zeros and minus-infinity pairs left out) and
    the parameters that act on any kept cell."""
    d = design(layout, pairs)
    y = np.concatenate([np.zeros((counts.shape[0], 1)), counts], axis=1)
    kept = ~structural_zeros(counts, layout.m)
    kept[:, 0] = False
    margin = d.score(y * kept)
    first_pair = d.size - len(pairs)
    empty_pairs = [t for i, t in enumerate(pairs) if margin[first_pair + i] == 0]
    cells = np.arange(1 << layout.m)
    for t in empty_pairs:
        kept[:, (cells & t) == t] = False
    active = d.score(kept.astype(np.float64)) > 0
    return Cells(d, y, kept, active)


@dataclass(frozen=True, eq=False)
class CovariateFit:
    """The fitted model: each stratum's estimate and the covariance of the log dark figures."""

    observed: NDArray[np.int64]
    log_dark: Floats
    covariance_log_dark: Floats
    dropped: tuple[str, ...]
    pairs: tuple[int, ...]
    penalties: tuple[float, ...]
    edf: float
    structural: int
    converged: bool

    @property
    def estimates(self) -> Floats:
        return np.asarray(self.observed + np.exp(np.minimum(self.log_dark, MAX_ETA)), np.float64)

    @property
    def total(self) -> float:
        return float(self.estimates.sum())


def choose_penalties(
    prob: Cells, n_covariates: int, start: Sequence[float] | None = None
) -> tuple[tuple[float, ...], Penalised]:
    """Each covariate's penalty on the grid :data:`PENALTIES` by AIC with effective degrees of
    freedom (Wood 2017, sec. 6.2): coordinate descent from ``start`` (default 1 for every
    covariate), a penalty moved one grid step at a time while AIC falls, fits warm-started,
    until a sweep changes nothing (at most :data:`SWEEPS`)."""
    current = tuple(start) if start is not None else (1.0,) * n_covariates
    seen: dict[tuple[float, ...], Penalised] = {}

    def fitted(penalties: tuple[float, ...], warm: Floats | None) -> Penalised:
        if penalties not in seen:
            seen[penalties] = prob.fit(penalties, warm)
        return seen[penalties]

    best = fitted(current, None)
    for _ in range(SWEEPS):
        before = current
        for v in range(n_covariates):
            for direction in (1, -1):
                while 0 <= (at := PENALTIES.index(current[v]) + direction) < len(PENALTIES):
                    trial = (*current[:v], PENALTIES[at], *current[v + 1 :])
                    found = fitted(trial, best.coef)
                    if not found.aic < best.aic - 1e-9:
                        break
                    current, best = trial, found
        if current == before:
            break
    return current, best


def fit_covariates(
    counts: Counts,
    layout: Layout,
    pairs: Sequence[int] | None = None,
    threshold: float = 0.02,
    penalty: float | str = PENALTY,
    start: Sequence[float] | None = None,
) -> CovariateFit:
    """Fit the model to a (strata x cells) count matrix; pairs chosen stepwise if not given.

    ``penalty``: every covariate's; 0 fits without (first level the baseline); "aic" chooses
    one per covariate (:func:`choose_penalties`, from ``start``).
    """
    if pairs is None:
        pairs = stepwise(counts.sum(axis=0), layout.m, threshold).final.model
    prob = cells_of(counts, layout, pairs)
    n_cov = len(layout.n_levels)
    if isinstance(penalty, str):
        penalties, fit = choose_penalties(prob, n_cov, start)
    elif penalty == 0:
        penalties = (0.0,) * n_cov
        prob = Cells(prob.design, prob.y, prob.kept, prob.active & ~prob.design.baseline)
        fit = prob.fit(penalties)
    else:
        penalties = (float(penalty),) * n_cov
        fit = prob.fit(penalties)
    n_strata = counts.shape[0]
    d = prob.design
    dropped = tuple(
        n for n, a in zip(d.names, prob.active, strict=True) if n.startswith("pair") and not a
    )
    log_dark = np.where(prob.active[:n_strata], fit.coef[:n_strata], -np.inf)
    return CovariateFit(
        counts.sum(axis=1),
        log_dark,
        fit.covariance,
        dropped,
        tuple(pairs),
        penalties,
        fit.edf,
        int((~prob.kept[:, 1:]).sum()),
        fit.converged,
    )


def wald_intervals(result: CovariateFit, z: float) -> tuple[Floats, Floats, float, float]:
    """Per-stratum Wald limits on the log dark figure; the total's on the log of its dark
    figure by the delta method (so no limit falls below the registered count)."""
    log_dark = np.minimum(result.log_dark, MAX_ETA)
    se = np.sqrt(np.maximum(np.diag(result.covariance_log_dark), 0.0))
    observed = result.observed.astype(np.float64)
    low = observed + np.exp(np.minimum(log_dark - z * se, MAX_ETA))
    high = observed + np.exp(np.minimum(log_dark + z * se, MAX_ETA))
    dark = np.exp(log_dark)
    dark_total = float(dark.sum())
    var = max(float(dark @ result.covariance_log_dark @ dark), 0.0)
    se_total = float(np.sqrt(var)) / dark_total if dark_total > 0 else 0.0
    n = float(observed.sum())
    t_low = n + dark_total * float(np.exp(-z * se_total))
    t_high = n + dark_total * float(np.exp(min(z * se_total, MAX_ETA)))
    return low, high, t_low, t_high


@dataclass(frozen=True)
class CovariateReplicates:
    """Bootstrap procedure: refit on resampled tables with the same penalty, the pairs
    reselected (with ``penalty="aic"`` the penalties chosen again, from ``start``)."""

    layout: Layout
    reselect: bool
    pairs: tuple[int, ...]
    threshold: float = 0.02
    penalty: float | str = PENALTY
    start: tuple[float, ...] | None = None

    def many(self, tables: Counts) -> Floats:
        n_strata = self.layout.levels.shape[0]
        out = np.full((tables.shape[0], n_strata), np.nan)
        for i, flat in enumerate(tables):
            counts = flat.reshape(n_strata, -1)
            pairs = None if self.reselect else self.pairs
            fitted = fit_covariates(
                counts, self.layout, pairs, self.threshold, self.penalty, self.start
            )
            if fitted.converged:
                out[i] = fitted.estimates
        return out


def layout_of(keys: Sequence[tuple[str, ...]], m: int) -> tuple[Layout, list[list[str]]]:
    """Level codes of each stratum key, per covariate (first level seen is the baseline)."""
    n_cov = len(keys[0]) if keys else 0
    values: list[list[str]] = [sorted({k[v] for k in keys}) for v in range(n_cov)]
    levels = np.array([[values[v].index(k[v]) for v in range(n_cov)] for k in keys], dtype=np.int64)
    return Layout(m, levels.reshape(len(keys), n_cov), tuple(len(v) for v in values)), values
