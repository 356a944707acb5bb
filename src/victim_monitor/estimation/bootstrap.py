"""The BCa bootstrap of a whole method: seeded resamples, jackknife, interval, diagnostics."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from victim_monitor.estimation import codes, intervals
from victim_monitor.estimation.histories import CaptureHistoryTable
from victim_monitor.estimation.intervals import Interval
from victim_monitor.estimation.procedures import Procedure
from victim_monitor.problems import Problem

Floats = NDArray[np.float64]


def replicate_estimates(
    table: CaptureHistoryTable,
    procedure: Procedure,
    n: int,
    seed: int,
    workers: int | None,
    fitted: tuple[Floats, float] | None = None,
) -> tuple[Floats, Floats, NDArray[np.int64]]:
    """Estimates of ``n`` seeded resamples, and the delete-one jackknife (values, and the
    counts of their cells as weights). Resamples are of the observed persons, or drawn from
    ``fitted`` (expected cell counts, dark figure) for a parametric bootstrap."""
    if fitted is None:
        tables = intervals.resample(table.counts, n, seed)
    else:
        tables = intervals.resample_fitted(fitted[0], fitted[1], n, seed)
    replicates = intervals.run_replicates(procedure, tables, workers)
    jack_tables, weights = intervals.jackknife_tables(table.counts)
    return replicates, procedure.many(jack_tables), weights


def fresh_seed() -> int:
    """A new seed, to be recorded so the run can be repeated."""
    return int(np.random.SeedSequence().entropy % (1 << 63))  # type: ignore[operator]


def bca_bootstrap(
    table: CaptureHistoryTable,
    estimate: float,
    procedure: Procedure,
    n: int,
    seed: int,
    level: float,
    workers: int | None,
    fitted: tuple[Floats, float] | None = None,
) -> tuple[Interval, dict[str, Any], list[Problem]]:
    """BCa interval from ``n`` resamples, each running the whole method; with diagnostics."""
    warnings: list[Problem] = []
    replicates, jack, weights = replicate_estimates(table, procedure, n, seed, workers, fitted)
    ok = np.isfinite(jack)
    if not ok.all():
        warnings.append(
            codes.BOOT_FAILURES(
                f"{int((~ok).sum())} jackknife tables gave no estimate; acceleration from the rest"
            )
        )
    ahat = intervals.acceleration(jack[ok], weights[ok])
    result = intervals.bca(estimate, replicates, ahat, level)
    failed = int((~np.isfinite(replicates)).sum())
    if failed:
        warnings.append(
            codes.BOOT_FAILURES(
                f"{failed} of {n} bootstrap replicates gave no estimate and were left out"
            )
        )
    finite = replicates[np.isfinite(replicates)]
    alpha = (1 - level) / 2
    diagnostics = {
        "replicates": n,
        "resampling": "observed persons" if fitted is None else "fitted model",
        "failed": failed,
        "seed": seed,
        "acceleration": ahat,
        "bias_correction": result.details.get("z0"),
        "median": float(np.median(finite)) if finite.size else None,
        "percentile_interval": [float(v) for v in np.quantile(finite, [alpha, 1 - alpha])]
        if finite.size
        else None,
    }
    return result, diagnostics, warnings
