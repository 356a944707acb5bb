"""Estimation of the hidden number of victims: multiple systems estimation (MSE).

Log-linear models on how registered persons overlap between lists, with the model selection of
the field's software (SparseMSE stepwise, MultipleSystemsEstimation BIC, Rcapture's classical
models), existence checks for sparse tables, profile-likelihood and BCa bootstrap intervals,
and estimates per stratum with coverage. The method notes are in
``docs/methods/estimation.md``.

    table = read_table("uk6.csv")            # a CaptureHistoryTable, or a list of problems
    result = estimate(table, method="stepwise", bootstrap=1000, seed=1)
    print(result.summary()); result.to_json()
"""

from victim_monitor.estimation.codes import EstimationError
from victim_monitor.estimation.histories import (
    CaptureHistoryTable,
    parse_table,
    read_table,
    table_from_persons,
)
from victim_monitor.estimation.intervals import Interval
from victim_monitor.estimation.methods import METHODS
from victim_monitor.estimation.population import estimate
from victim_monitor.estimation.result import ModelEstimate, PopulationEstimate
from victim_monitor.estimation.strata import StratifiedEstimate, estimate_strata

__all__ = [
    "METHODS",
    "CaptureHistoryTable",
    "EstimationError",
    "Interval",
    "ModelEstimate",
    "PopulationEstimate",
    "StratifiedEstimate",
    "estimate",
    "estimate_strata",
    "parse_table",
    "read_table",
    "table_from_persons",
]
