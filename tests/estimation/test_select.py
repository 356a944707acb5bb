"""Exhaustive selection by BIC against MultipleSystemsEstimation 1.2.0 and Rcapture 1.4.4.

Provenance: tests/estimation/reference/reference-estimates.csv. MultipleSystemsEstimation's
``estimate_population_bic`` (default ``maxorder``: 2 for six lists, 3 for five) and Rcapture's
``closedpMS.t`` (``maxorder`` 2 and 4) must give the same best model, estimate, BIC value and
runner-up as we do.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from victim_monitor.estimation import CaptureHistoryTable, estimate
from victim_monitor.estimation.design import count_hierarchical, mse_label
from victim_monitor.estimation.select import (
    Ranking,
    default_max_order,
    enumerate_models,
    neighbourhood_ranking,
    rank_models,
)
from victim_monitor.estimation.stepwise import stepwise

Tables = type


@cache
def ranking(data: CaptureHistoryTable, order: int) -> Ranking:
    return rank_models(data.counts, data.n_lists, enumerate_models(data.n_lists, order))


@pytest.mark.reference(software="MultipleSystemsEstimation", method=r"bic")
def test_multiplesystemsestimation_bic(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    data = tables.get(row.dataset)
    order = default_max_order(data.n_lists)
    assert order == (2 if data.n_lists == 6 else 3)  # the package's default maxorder
    best = ranking(data, order).best
    assert mse_label(best.model, data.n_lists) == row.model
    assert best.estimate == pytest.approx(row.estimate, rel=1e-6, abs=0.006)
    if "32768" in row.notes:
        assert len(enumerate_models(6, 2)) == 32768


def test_estimate_with_method_bic_reports_the_search(tables: Tables) -> None:
    found = estimate(tables.get("uk5"), method="bic", sensitivity=2)
    assert (found.model.label, round(found.estimate, 2)) == ("[123,25,34]", 25311.29)
    assert found.diagnostics["models_considered"] == 6212
    assert found.diagnostics["retained_for_bootstrap"] == 100
    assert [w.code for w in found.warnings] == ["VM530"]  # 128 models without an estimate
    assert [m.label for m in found.sensitivity] == ["[123,25,34]", "[123,34,5]"]


@pytest.mark.reference(software="Rcapture", method=r"closedpMS\.t")
def test_rcapture_closedpms_best_and_runner_up(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    data = tables.get(row.dataset)
    order = int(re.search(r"maxorder=(\d)", row.settings).group(1))  # type: ignore[union-attr]
    assert int(re.search(r"; (\d+) models fitted", row.settings).group(1)) == (  # type: ignore[union-attr]
        count_hierarchical(data.n_lists, order)
    )
    best, second = ranking(data, order).models[:2]
    assert mse_label(best.model, data.n_lists) == row.model
    assert best.estimate == pytest.approx(row.estimate, rel=1e-6, abs=0.006)
    assert best.bic == pytest.approx(row.note(r"BIC=([\d.]+)"), abs=0.006)
    runner_up = re.search(r"2nd best: (\[[\d,]+\]) \(([\d.]+), BIC ([\d.]+)\)", row.notes)
    assert runner_up
    assert mse_label(second.model, data.n_lists) == runner_up.group(1)
    assert second.estimate == pytest.approx(float(runner_up.group(2)), abs=0.06)
    assert second.bic == pytest.approx(float(runner_up.group(3)), abs=0.006)


@pytest.mark.reference(software="Rcapture", method=r"closedpMS\.t")
def test_rcapture_closedpms_profile_interval(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    data = tables.get(row.dataset)
    best = ranking(data, default_max_order(data.n_lists)).best
    assert mse_label(best.model, data.n_lists) == row.model
    terms = [":".join(data.lists[i] for i in range(data.n_lists) if t >> i & 1) for t in best.model]
    found = estimate(data, method="fixed", model=terms, sensitivity=0)
    assert found.interval.method == "profile-likelihood"
    assert found.interval.low == pytest.approx(row.ci_low, rel=1e-4)
    assert found.interval.high == pytest.approx(row.ci_high, rel=1e-4)


def test_aic_ranks_by_aic_and_sensitivity_lists_runners_up(tables: Tables) -> None:
    found = estimate(tables.get("uk5"), method="aic", sensitivity=3)
    aics = [m.aic for m in found.sensitivity]
    assert aics == sorted(aics)  # type: ignore[type-var]
    assert found.sensitivity[0].label == found.model.label
    assert "AIC" in found.sensitivity_scope


def test_local_search_from_the_stepwise_model_finds_the_global_bic_best(tables: Tables) -> None:
    for name, best in [("netherlands6", "[12,16,25,34,36,45,46]"), ("uk6", "[12,13,25,35,36,45]")]:
        data = tables.get(name)
        start = stepwise(data.counts, 6).final.model
        local = neighbourhood_ranking(data.counts, 6, start)
        assert mse_label(local.best.model, 6) == best
        assert local.best.bic == pytest.approx(ranking(data, 2).best.bic)
