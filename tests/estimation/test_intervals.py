"""BCa bootstrap intervals against SparseMSE and MultipleSystemsEstimation; interval basics.

Provenance: tests/estimation/reference/reference-estimates.csv (``estimatepopulation``,
``estimate_population_stepwise``, ``estimate_population_bic``; ``iseed=1234``, nboot per row).
R's random numbers cannot be reproduced, so each reference limit carries Monte-Carlo noise of
its own. The jackknife acceleration is deterministic and must match to the printed digits. For
the limits we draw a large pool of replicates (so our limit is nearly free of noise) and require
agreement within 5% (the issue's criterion); where the reference limit is itself an extreme
order statistic (BCa pushes it to the 0.01% or 99.99% point, or nboot is 150) we require instead
that it lies within the central 99% of the limits that runs of R's size (nboot replicates drawn
from our pool) give. Which criterion each row met is listed in docs/methods/estimation.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest
from scipy.stats import norm

from victim_monitor.estimation import CaptureHistoryTable, estimate
from victim_monitor.estimation.intervals import (
    acceleration,
    bca,
    jackknife_tables,
    resample,
    run_replicates,
)
from victim_monitor.estimation.procedures import Stepwise, TopModels
from victim_monitor.estimation.select import enumerate_models, rank_models

Tables = type


@dataclass(frozen=True)
class Pool:
    estimate: float
    replicates: np.ndarray
    ahat: float


@cache
def pool(data: CaptureHistoryTable, method: str, size: int) -> Pool:
    m = data.n_lists
    if method == "stepwise":
        procedure: Stepwise | TopModels = Stepwise(m, 0.02)
        point = estimate(data, sensitivity=0).estimate
    else:
        ranking = rank_models(data.counts, m, enumerate_models(m, 3))
        procedure = TopModels(m, tuple(r.model for r in ranking.models[:100]), "bic")
        point = ranking.best.estimate
    reps = run_replicates(procedure, resample(data.counts, size, seed=20240601), workers=2)
    jack, weights = jackknife_tables(data.counts)
    return Pool(point, reps, acceleration(procedure.many(jack), weights))


def check_limits(found: Pool, nboot: int, low: float, high: float) -> list[str]:
    """Compare a reference BCa interval with ours; return the criterion each end met."""
    pooled = bca(found.estimate, found.replicates, found.ahat)
    z0 = float(pooled.details["z0"])
    shifted = z0 + norm.ppf([0.025, 0.975])
    levels = norm.cdf(z0 + shifted / (1 - found.ahat * shifted))
    rng = np.random.default_rng(7)
    runs = np.array(
        [
            (lambda iv: (iv.low, iv.high))(
                bca(found.estimate, rng.choice(found.replicates, nboot), found.ahat)
            )
            for _ in range(300)
        ]
    )
    met = []
    for k, (ours, ref) in enumerate(((pooled.low, low), (pooled.high, high))):
        tail = levels[k] if k == 0 else 1 - levels[k]
        if abs(ours / ref - 1) <= 0.05:
            met.append("within 5%")
        elif tail * nboot < 1:
            # R's limit is then (nearly) the smallest or largest of its nboot replicates: check
            # that so extreme a replicate is plausible, P(extreme of nboot beyond ref) in
            # [0.001, 0.999], the tail probability taken from our pool (Hill-extrapolated).
            # (netherlands5 BIC, upper end: about 0.004; see docs/methods/estimation.md.)
            beyond = tail_probability(found.replicates, ref, upper=k == 1)
            chance = 1 - (1 - beyond) ** nboot
            assert 0.001 <= chance <= 0.999, (k, ours, ref, chance)
            met.append("extreme replicate, plausible")
        else:
            spread = np.quantile(runs[:, k], [0.005, 0.995])
            assert spread[0] <= ref <= spread[1], (
                f"{'low' if k == 0 else 'high'} {ref} vs ours {ours:.1f}; runs of {nboot}: {spread}"
            )
            met.append("within Monte-Carlo spread")
    return met


def tail_probability(values: np.ndarray, x: float, *, upper: bool, k: int = 30) -> float:
    """P(X >= x) (or P(X <= x)), empirical inside the sample, Hill tail beyond it."""
    v = np.sort(values[np.isfinite(values)])
    if not upper:
        v = np.sort(1.0 / v)  # the lower tail of X is the upper tail of 1/X
        x = 1.0 / x
    inside = float(np.mean(v >= x))
    if inside > 0:
        return inside
    top = v[-k:]
    alpha = 1.0 / float(np.mean(np.log(top / top[0])))
    return (k / v.size) * float((x / top[0]) ** -alpha)


def nboot_of(settings: str) -> int:
    return int(re.search(r"nboot=(\d+)", settings).group(1))  # type: ignore[union-attr]


@pytest.mark.slow
@pytest.mark.reference(software="SparseMSE", method=r"^estimatepopulation \(")
def test_sparsemse_bca_intervals(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    nboot = nboot_of(row.settings)
    found = pool(tables.get(row.dataset), "stepwise", 8000 if nboot >= 500 else 4500)
    assert found.ahat == pytest.approx(row.note(r"ahat=(-?[\d.]+)"), abs=6e-5)
    check_limits(found, nboot, row.ci_low, row.ci_high)


@pytest.mark.slow
@pytest.mark.reference(software="MultipleSystemsEstimation", method=r"^estimate_population_bic")
def test_multiplesystemsestimation_bic_bca_intervals(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    found = pool(tables.get(row.dataset), "bic", 2000)
    check_limits(found, nboot_of(row.settings), row.ci_low, row.ci_high)


@pytest.mark.slow
@pytest.mark.reference(
    software="MultipleSystemsEstimation", method=r"^estimate_population_stepwise"
)
def test_multiplesystemsestimation_stepwise_bca_intervals(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    nboot = nboot_of(row.settings)
    found = pool(tables.get(row.dataset), "stepwise", 8000 if nboot >= 500 else 4500)
    assert found.ahat == pytest.approx(row.note(r"ahat=(-?[\d.]+)"), abs=6e-5)
    check_limits(found, nboot, row.ci_low, row.ci_high)


def test_bca_without_bias_or_acceleration_is_the_percentile_interval() -> None:
    reps = np.linspace(1.0, 99.0, 999)
    iv = bca(50.0, reps, 0.0)
    assert iv.details["z0"] == pytest.approx(0.0, abs=0.01)
    assert (iv.low, iv.high) == pytest.approx(
        tuple(np.quantile(reps, [0.025, 0.975], method="median_unbiased")), rel=5e-3
    )


def test_acceleration_is_zero_for_symmetric_jackknife_values() -> None:
    assert acceleration(np.array([1.0, 2.0, 3.0]), np.array([5, 1, 5])) == pytest.approx(0.0)


def test_resamples_depend_on_the_seed_only(tables: Tables) -> None:
    counts = tables.get("uk5").counts
    a, b = resample(counts, 5, seed=9), resample(counts, 5, seed=9)
    assert np.array_equal(a, b)
    assert (a.sum(axis=1) == counts.sum()).all()
    assert not np.array_equal(a, resample(counts, 5, seed=10))


def test_bootstrap_result_is_the_same_with_one_or_two_workers(tables: Tables) -> None:
    data = tables.get("uk6")
    one = estimate(data, bootstrap=200, seed=5, workers=1, sensitivity=0)
    two = estimate(data, bootstrap=200, seed=5, workers=2, sensitivity=0)
    assert (one.interval.low, one.interval.high) == (two.interval.low, two.interval.high)
    assert one.diagnostics["bootstrap"]["acceleration"] == pytest.approx(-0.0129, abs=5e-5)
