"""A log-linear model fitted on one table, by its extended maximum likelihood estimate."""

from __future__ import annotations

from dataclasses import dataclass
from math import log

import numpy as np
from numpy.typing import NDArray

from victim_monitor.estimation.design import Model, Reduced, reduce
from victim_monitor.estimation.fit import PoissonFit, dark_figure, fit_poisson

Counts = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class FittedModel:
    """A model fitted on one table: its estimate and what was needed to get it."""

    model: Model
    reduced: Reduced
    fit: PoissonFit
    observed: int

    @property
    def estimate(self) -> float:
        return self.observed + dark_figure(self.fit.coef[0])

    @property
    def n_params(self) -> int:
        return self.reduced.n_params

    def bic(self) -> float:
        return self.n_params * log(self.observed) - 2.0 * self.fit.loglik

    def aic(self) -> float:
        return 2.0 * self.n_params - 2.0 * self.fit.loglik


def fit_model(
    counts: Counts,
    m: int,
    model: Model,
    start: FittedModel | None = None,
    margin: NDArray[np.int64] | None = None,
) -> FittedModel:
    """Fit one model (extended estimate: empty-margin terms at minus infinity)."""
    reduced = reduce(counts, m, model, margin)
    guess = None
    if start is not None:
        old = dict(zip(start.reduced.columns, start.fit.coef, strict=True))
        guess = np.array([old.get(c, 0.0) for c in reduced.columns])
    fit = fit_poisson(reduced.x, reduced.y, guess, check_rank=False)
    return FittedModel(model, reduced, fit, int(counts.sum()))
