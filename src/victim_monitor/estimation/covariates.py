"""One log-linear model over lists and covariates: the Dutch approach (van der Heijden et al.).

Cells are (stratum, capture history). The model has a parameter per stratum (its own dark
figure), the lists' main effects, each list's interaction with each covariate (so how likely an
organisation registers someone may depend on year, form, age, sex, nationality), and two-list
interactions shared by all strata (chosen by stepwise selection on the pooled table unless
given). Stratum ``s`` is estimated at ``n_s + exp(beta_s)``; the strata add up to the total by
construction. Parameters with an empty margin are at minus infinity, as elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from victim_monitor.estimation.design import Model
from victim_monitor.estimation.fit import PoissonFit, dark_figure, fit_poisson
from victim_monitor.estimation.histories import cell_bits
from victim_monitor.estimation.stepwise import stepwise

Floats = NDArray[np.float64]
Counts = NDArray[np.int64]


@dataclass(frozen=True)
class Layout:
    """Strata (rows of level codes, one column per covariate) and the number of lists."""

    m: int
    levels: NDArray[np.int64]
    n_levels: tuple[int, ...]


def design(layout: Layout, pairs: Model) -> tuple[Floats, list[str]]:
    """Design over stratum-major cells: stratum intercepts, lists, list x covariate, pairs."""
    m = layout.m
    bits = cell_bits(m).astype(np.float64)
    n_strata, n_cells = layout.levels.shape[0], bits.shape[0]
    stratum = np.repeat(np.arange(n_strata), n_cells)
    rows = np.tile(np.arange(n_cells), n_strata)
    cols: list[Floats] = [(stratum == s).astype(np.float64) for s in range(n_strata)]
    names = [f"stratum {s}" for s in range(n_strata)]
    cols += [bits[rows, j] for j in range(m)]
    names += [f"list {j}" for j in range(m)]
    for v, n_levels in enumerate(layout.n_levels):
        level = layout.levels[stratum, v]
        for lev in range(1, n_levels):
            for j in range(m):
                cols.append(bits[rows, j] * (level == lev))
                names.append(f"list {j} x covariate {v} level {lev}")
    for t in pairs:
        on = [j for j in range(m) if t >> j & 1]
        cols.append(np.prod(bits[rows][:, on], axis=1))
        names.append(f"pair {t}")
    return np.column_stack(cols), names


@dataclass(frozen=True, eq=False)
class CovariateFit:
    fit: PoissonFit
    observed: NDArray[np.int64]
    estimates: Floats
    covariance_log_dark: Floats
    dropped: tuple[str, ...]
    pairs: Model

    @property
    def total(self) -> float:
        return float(self.estimates.sum())


def fit_covariates(
    counts: Counts, layout: Layout, pairs: Model | None = None, threshold: float = 0.02
) -> CovariateFit:
    """Fit the model to a (strata x cells) count matrix; pairs chosen stepwise if not given."""
    if pairs is None:
        pairs = stepwise(counts.sum(axis=0), layout.m, threshold).final.model
    x, names = design(layout, pairs)
    y = counts.reshape(-1).astype(np.float64)
    margin = y @ x
    empty = margin == 0
    empty[: layout.levels.shape[0]] = False  # a stratum nobody is in still has a parameter
    keep = ~np.any(x[:, empty] > 0, axis=1)
    x_red = x[keep][:, ~empty]
    fit = fit_poisson(x_red, y[keep], check_rank=False)
    n_strata = layout.levels.shape[0]
    observed = counts.sum(axis=1)
    log_dark = fit.coef[:n_strata]
    estimates = observed + np.array([dark_figure(b) for b in log_dark])
    cov = fit.covariance()[:n_strata, :n_strata]
    dropped = tuple(n for n, e in zip(names, empty, strict=True) if e)
    return CovariateFit(fit, observed, estimates, cov, dropped, pairs)


def wald_intervals(result: CovariateFit, z: float) -> tuple[Floats, Floats, float, float]:
    """Per-stratum Wald limits on the log dark figure; the total's by the delta method."""
    log_dark = result.fit.coef[: result.observed.size]
    se = np.sqrt(np.maximum(np.diag(result.covariance_log_dark), 0.0))
    observed = result.observed.astype(np.float64)
    low = observed + np.exp(np.minimum(log_dark - z * se, 700.0))
    high = observed + np.exp(np.minimum(log_dark + z * se, 700.0))
    dark = np.exp(np.minimum(log_dark, 700.0))
    se_total = float(np.sqrt(max(float(dark @ result.covariance_log_dark @ dark), 0.0)))
    return low, high, result.total - z * se_total, result.total + z * se_total


@dataclass(frozen=True)
class CovariateReplicates:
    """Bootstrap procedure: refit (pairs reselected) on resampled (strata x cells) tables."""

    layout: Layout
    reselect: bool
    pairs: Model
    threshold: float = 0.02

    def many(self, tables: Counts) -> Floats:
        n_strata = self.layout.levels.shape[0]
        out = np.full((tables.shape[0], n_strata), np.nan)
        for i, flat in enumerate(tables):
            counts = flat.reshape(n_strata, -1)
            pairs = None if self.reselect else self.pairs
            fitted = fit_covariates(counts, self.layout, pairs, self.threshold)
            if fitted.fit.converged:
                out[i] = fitted.estimates
        return out


def layout_of(keys: Sequence[tuple[str, ...]], m: int) -> tuple[Layout, list[list[str]]]:
    """Level codes of each stratum key, per covariate (first level seen is the baseline)."""
    n_cov = len(keys[0]) if keys else 0
    values: list[list[str]] = [sorted({k[v] for k in keys}) for v in range(n_cov)]
    levels = np.array([[values[v].index(k[v]) for v in range(n_cov)] for k in keys], dtype=np.int64)
    return Layout(m, levels.reshape(len(keys), n_cov), tuple(len(v) for v in values)), values
