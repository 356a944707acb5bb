"""What a bootstrap replicate does for each method: the whole method, selection included.

Each procedure is a small picklable value that maps many tables (rows of cell counts) to their
estimates, so worker processes can run it. NaN marks a replicate with no estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from victim_monitor.estimation import existence
from victim_monitor.estimation.covariates import CovariateReplicates
from victim_monitor.estimation.design import Model
from victim_monitor.estimation.model import fit_model
from victim_monitor.estimation.rcapture import fit_closed
from victim_monitor.estimation.select import top_model_estimates
from victim_monitor.estimation.stepwise import stepwise_estimates

Counts = NDArray[np.int64]
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class Stepwise:
    """SparseMSE's stepwise search on every replicate."""

    m: int
    threshold: float

    def many(self, tables: Counts) -> Floats:
        return stepwise_estimates(tables, self.m, self.threshold)


@dataclass(frozen=True)
class TopModels:
    """The best of the models retained from the original data, by AIC or BIC, per replicate."""

    m: int
    models: tuple[Model, ...]
    criterion: str

    def many(self, tables: Counts) -> Floats:
        return top_model_estimates(tables, self.m, self.models, self.criterion)


@dataclass(frozen=True)
class Fixed:
    """One log-linear model refitted on every replicate."""

    m: int
    model: Model

    def many(self, tables: Counts) -> Floats:
        out = np.full(tables.shape[0], np.nan)
        for i, counts in enumerate(tables):
            fitted = fit_model(counts, self.m, self.model)
            ok = fitted.fit.certain or existence.check_with_fit(fitted.reduced, None) == 0
            if ok:
                out[i] = fitted.estimate
        return out


@dataclass(frozen=True)
class Closed:
    """One of Rcapture's closed-population models refitted on every replicate."""

    m: int
    name: str

    def many(self, tables: Counts) -> Floats:
        return np.array([fit_closed(counts, self.m, self.name).estimate for counts in tables])


Procedure = Stepwise | TopModels | Fixed | Closed | CovariateReplicates


def run_chunk(procedure: Procedure, tables: Counts) -> Floats:
    """Top-level (picklable) entry for worker processes."""
    return procedure.many(tables)
