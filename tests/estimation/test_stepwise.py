"""Stepwise selection against SparseMSE 2.0.1 and MultipleSystemsEstimation 1.2.0.

Provenance: tests/estimation/reference/reference-estimates.csv (R 4.2, settings per row).
Selected model must be the same (terms, and the order SparseMSE added them); the point estimate
is required within 0.5% by the issue and agrees to the printed two decimals; so does
SparseMSE's model-conditional Wald interval.
"""

from __future__ import annotations

import numpy as np
import pytest

from victim_monitor.estimation import estimate
from victim_monitor.estimation.design import mse_label
from victim_monitor.estimation.intervals import jackknife_tables, resample
from victim_monitor.estimation.stepwise import stepwise, stepwise_estimates

Tables = type


def sparsemse_model(text: str) -> tuple[list[str], set[str]]:
    """'O:Z P:Z | -Inf: K:R I:K' -> finite terms in order, terms at minus infinity."""
    if text == "main effects only":
        return [], set()
    finite, _, neg = text.partition("| -Inf:")
    return finite.split(), set(neg.split())


@pytest.mark.reference(software="SparseMSE", method=r"^estimatepopulation(?!\.0 method=main)")
def test_sparsemse_stepwise_model_and_estimate(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    found = estimate(tables.get(row.dataset), method="stepwise", threshold=0.02, sensitivity=0)
    finite, neg_inf = sparsemse_model(row.model)
    chosen = [t for t in found.model.terms if t not in found.model.neg_inf_terms]
    assert chosen == finite, "same terms, added in the same order"
    if "-Inf" in row.model:  # estimatepopulation.0 rows print the finite terms only
        assert set(found.model.neg_inf_terms) == neg_inf
    assert found.estimate == pytest.approx(row.estimate, rel=1e-6, abs=0.006)


@pytest.mark.reference(software="SparseMSE", method=r"estimatepopulation\.0")
def test_sparsemse_wald_interval(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    method = "main" if "method=main" in row.method else "stepwise"
    found = estimate(tables.get(row.dataset), method=method, interval="wald", sensitivity=0)
    assert found.estimate == pytest.approx(row.estimate, rel=1e-6, abs=0.006)
    assert found.interval.low == pytest.approx(row.ci_low, rel=1e-4, abs=0.006)
    assert found.interval.high == pytest.approx(row.ci_high, rel=1e-4, abs=0.006)


@pytest.mark.reference(software="MultipleSystemsEstimation", method=r"stepwise|auto \(-> stepwise")
def test_multiplesystemsestimation_stepwise(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    data = tables.get(row.dataset)
    method = "auto" if "auto" in row.method else "stepwise"
    found = estimate(data, method=method, sensitivity=0)
    assert found.method == "stepwise"
    assert found.model.label == row.model
    assert found.estimate == pytest.approx(row.estimate, rel=1e-6, abs=0.006)


@pytest.mark.parametrize("name", ["uk6", "netherlands6", "neworleans8", "netherlands5"])
def test_batched_search_takes_the_same_decisions(tables: Tables, name: str) -> None:
    data = tables.get(name)
    m = data.n_lists
    boots = resample(data.counts, 60, seed=3)
    jack, _ = jackknife_tables(data.counts)
    for many in (boots, jack):
        one_by_one = np.array([stepwise(c, m).final.estimate for c in many])
        assert np.allclose(stepwise_estimates(many, m), one_by_one, rtol=1e-6)


def test_threshold_zero_gives_main_effects_and_one_every_pair(tables: Tables) -> None:
    data = tables.get("uk5")
    assert stepwise(data.counts, 5, 0.0).final.model == ()
    every = stepwise(data.counts, 5, 1.0).final  # SparseMSE's special case for pthresh = 1
    assert len(every.model) == 10
    assert every.estimate == pytest.approx(11232.53, abs=0.01)  # Rcapture closedpCI.t, all pairs
    assert stepwise_estimates(data.counts[None, :], 5, 1.0)[0] == pytest.approx(every.estimate)
    assert mse_label((), 3) == "[1,2,3]"


def test_steps_record_p_values_below_the_threshold(tables: Tables) -> None:
    found = estimate(tables.get("uk6"), sensitivity=0)
    steps = found.diagnostics["steps"]
    assert [s["term"] for s in steps] == list(found.model.terms)
    assert all(s["p_value"] < 0.02 for s in steps)
    assert steps[-1]["estimate"] == pytest.approx(found.estimate)


def stepwise_as_in_r(counts: np.ndarray, m: int, threshold: float = 0.02) -> float:
    """SparseMSE's loop literally: the linear program for every candidate at every step."""
    from victim_monitor.estimation import existence
    from victim_monitor.estimation.design import pair_terms
    from victim_monitor.estimation.model import fit_model
    from victim_monitor.estimation.stepwise import pair_p_values

    pairs = pair_terms(m)
    current = fit_model(counts, m, ())
    while len(current.model) < len(pairs):
        p = pair_p_values(counts, m, current).copy()
        for j, t in enumerate(pairs):
            if t in current.model or existence.check(counts, m, (*current.model, t)) > 0:
                p[j] = 1.0
        if p.min() >= threshold:
            break
        current = fit_model(counts, m, (*current.model, pairs[int(np.argmin(p))]))
    return current.estimate


@pytest.mark.parametrize("name", ["neworleans5", "neworleans5_mse120"])
def test_fits_vouching_for_existence_change_no_decision(tables: Tables, name: str) -> None:
    data = tables.get(name)
    boots = resample(data.counts, 20, seed=8)
    literal = np.array([stepwise_as_in_r(c, data.n_lists) for c in boots])
    assert np.allclose(stepwise_estimates(boots, data.n_lists), literal, rtol=1e-5)
