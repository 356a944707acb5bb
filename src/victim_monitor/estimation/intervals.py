"""Intervals for the population size: Wald, profile likelihood and the BCa bootstrap.

- Wald on the log dark figure (SparseMSE ``estimatepopulation.0``): ``n + exp(b0 +- z se(b0))``.
- Profile likelihood (Rcapture ``closedpCI.t``; Cormack 1992): for each total ``N`` the model is
  refitted with the unobserved cell counted as ``N - n``; the multinomial profile
  log-likelihood is ``-(D(N) - 2 c(N)) / 2`` with Stirling's correction ``c``; the interval is
  where it is within ``chi2(1)/2`` of its maximum. Conditional on the model.
- BCa bootstrap (SparseMSE ``estimatepopulation``; Efron 1987): multinomial resamples of the
  observed persons, each run through the whole method (model selection included); bias
  correction ``z0`` from the share of replicates below the estimate, acceleration from the
  delete-one-person jackknife; R's type 8 quantiles.

Replicates are seeded per replicate from one :class:`numpy.random.SeedSequence`, so the result
does not depend on the number of worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from math import lgamma, log, pi

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import brentq, minimize_scalar
from scipy.stats import chi2, norm

from victim_monitor.estimation.existence import dark_figure_determined
from victim_monitor.estimation.fit import PoissonFit, dark_figure, fit_poisson
from victim_monitor.estimation.procedures import Procedure, run_chunk
from victim_monitor.estimation.select import default_workers
from victim_monitor.processes import forked_pool

Floats = NDArray[np.float64]
Counts = NDArray[np.int64]


@dataclass(frozen=True)
class Interval:
    """An interval for the population size, with how it was made."""

    low: float
    high: float
    level: float
    method: str
    details: dict[str, float | int | str] = field(default_factory=dict)


def wald_log(fit: PoissonFit, observed: int, level: float = 0.95) -> Interval:
    """``n + exp(b0 +- z se)``: SparseMSE's model-conditional interval."""
    if not dark_figure_determined(fit.information):
        return _undetermined(observed, level, "wald-log")
    z = float(norm.ppf(0.5 + level / 2.0))
    b0 = float(fit.coef[0])
    se = float(np.sqrt(fit.covariance()[0, 0]))
    return Interval(
        observed + dark_figure(b0 - z * se),
        observed + dark_figure(b0 + z * se),
        level,
        "wald-log",
        {"se_log_dark": se},
    )


def _stirling(n0: float, total: float) -> float:
    """Cormack's correction term, as Rcapture computes it."""
    if total > 100:
        if n0 in (0.0, 1.0):
            return -total + 0.5 * log(2 * pi * total)
        return n0 - total - 0.5 * log(n0 / total)
    return (
        (n0 * log(n0) if n0 > 0 else 0.0) + lgamma(total + 1) - total * log(total) - lgamma(n0 + 1)
    )


def profile(
    x: Floats,
    y: Floats,
    observed: int,
    estimate: float,
    level: float = 0.95,
    *,
    refit: Callable[[Floats, Floats, Floats | None], PoissonFit] | None = None,
    upper_factor: float = 3.0,
) -> Interval:
    """Multinomial profile-likelihood interval for a model with design ``x`` (intercept first).

    ``refit`` fits the model with the unobserved cell added (default: Newton from the previous
    fit); Rcapture's Chao models pass one that drops negative heterogeneity terms. Where the
    data do not fix the dark figure (a rank-deficient design whose null vector moves the
    intercept) the profile is flat: every total from ``observed`` up, an unbounded interval.
    """
    if not dark_figure_determined(x):
        return _undetermined(observed, level, "profile-likelihood")
    x_aug = np.vstack([x, np.eye(1, x.shape[1])])
    last: list[Floats | None] = [None]

    def fitter(xa: Floats, ya: Floats, start: Floats | None) -> PoissonFit:
        return fit_poisson(xa, ya, start)

    do_fit = refit or fitter
    # the root searches start at points the maximisation already visited (the maximum, and
    # the ends of the search range): each total is fitted once
    seen: dict[float, float] = {}

    def loglik(total: float) -> float:
        if total in seen:
            return seen[total]
        n0 = total - observed
        y_aug = np.append(y, n0)
        fit = do_fit(x_aug, y_aug, last[0])
        if fit.coef.size == x.shape[1]:
            last[0] = fit.coef
        seen[total] = -(fit.deviance - 2.0 * _stirling(n0, total)) / 2.0
        return seen[total]

    hi_search = upper_factor * estimate
    best = minimize_scalar(
        lambda t: -loglik(t),
        bounds=(observed, hi_search),
        method="bounded",
        options={"xatol": 1e-4},
    )
    n_max, l_max = float(best.x), -float(best.fun)
    cut = l_max - float(chi2.ppf(level, 1)) / 2.0
    details: dict[str, float | int | str] = {"multinomial_estimate": n_max}

    def below(t: float) -> float:
        return loglik(t) - cut

    low = float(observed)
    if below(observed) < 0:
        low = float(brentq(below, observed, n_max, xtol=1e-4))
    else:
        details["low_at_observed"] = 1
    high = float("inf")
    if below(hi_search) < 0:
        high = float(brentq(below, n_max, hi_search, xtol=1e-4))
    else:
        details["high_beyond"] = hi_search
    return Interval(low, high, level, "profile-likelihood", details)


def _undetermined(observed: int, level: float, method: str) -> Interval:
    """Every total from the registered count up: the data do not fix the dark figure."""
    return Interval(float(observed), float("inf"), level, method, {"not_determined": 1})


def resample(counts: Counts, n_replicates: int, seed: int | None) -> Counts:
    """Multinomial resamples of the observed persons, one seeded generator per replicate."""
    n = int(counts.sum())
    p = counts / n
    children = np.random.SeedSequence(seed).spawn(n_replicates)
    out = np.empty((n_replicates, counts.size), dtype=np.int64)
    for i, child in enumerate(children):
        out[i] = np.random.default_rng(child).multinomial(n, p)
    return out


def resample_fitted(cells: Floats, dark: float, n_replicates: int, seed: int | None) -> Counts:
    """Parametric resamples: ``round(N)`` persons drawn over the dark cell and the observable
    cells with the fitted expected counts; the dark ones are then not seen."""
    total = cells.sum() + dark
    p = np.concatenate([[dark], cells]) / total
    size = round(float(total))
    children = np.random.SeedSequence(seed).spawn(n_replicates)
    out = np.empty((n_replicates, cells.size), dtype=np.int64)
    for i, child in enumerate(children):
        out[i] = np.random.default_rng(child).multinomial(size, p)[1:]
    return out


def jackknife_tables(counts: Counts) -> tuple[Counts, Counts]:
    """Tables with one person fewer in each observed cell, and the cells' counts (weights)."""
    cells = np.flatnonzero(counts)
    tables = np.repeat(counts[None, :], cells.size, axis=0)
    tables[np.arange(cells.size), cells] -= 1
    return tables, counts[cells]


def run_replicates(procedure: Procedure, tables: Counts, workers: int | None = None) -> Floats:
    """Run ``procedure`` on every table, split over worker processes (2 by default).

    Replicates are independent and pre-drawn, so the split changes nothing but the time.
    """
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(tables) < 64:
        return procedure.many(tables)
    chunks = np.array_split(tables, workers)
    with forked_pool(workers) as pool:
        parts = list(pool.map(run_chunk, [procedure] * workers, chunks))
    return np.concatenate(parts)


def acceleration(jack: Floats, weights: Counts) -> float:
    """BCa acceleration from delete-one estimates, each weighted by its cell's count."""
    w = weights.astype(np.float64)
    mean = float(w @ jack / w.sum())
    d = mean - jack
    denom = float(w @ d**2)
    return float(w @ d**3) / (6.0 * denom**1.5) if denom > 0 else 0.0


def bca(
    estimate: float,
    replicates: Floats,
    ahat: float,
    level: float = 0.95,
    probabilities: Sequence[float] = (),
) -> Interval:
    """BCa limits from bootstrap replicates (failed replicates, NaN, are left out)."""
    reps = replicates[np.isfinite(replicates)]
    if reps.size == 0:
        return Interval(float("nan"), float("nan"), level, "bca", {"replicates": 0})
    alpha = (1.0 - level) / 2.0
    probs = [alpha, 1.0 - alpha, *probabilities]
    z0 = float(norm.ppf(np.mean(reps < estimate)))
    za = norm.ppf(probs)
    shifted = za + z0
    zq = norm.cdf(z0 + shifted / (1.0 - ahat * shifted))
    limits = np.quantile(reps, zq, method="median_unbiased")
    details: dict[str, float | int | str] = {
        "replicates": int(reps.size),
        "failed": int(replicates.size - reps.size),
        "z0": z0,
        "acceleration": ahat,
    }
    for p, value in zip(probabilities, limits[2:], strict=True):
        details[f"q{p:g}"] = float(value)
    return Interval(float(limits[0]), float(limits[1]), level, "bca", details)
