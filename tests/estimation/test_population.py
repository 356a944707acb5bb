"""The public API: estimate(), its JSON twin, coded errors, the export list."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import victim_monitor.estimation as estimation
from victim_monitor.estimation import (
    METHODS,
    CaptureHistoryTable,
    EstimationError,
    PopulationEstimate,
    estimate,
)

Tables = type


def test_public_exports_are_pinned() -> None:
    assert sorted(estimation.__all__) == sorted(
        [
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
    )


def test_json_has_the_documented_shape(tables: Tables) -> None:
    found = estimate(tables.get("netherlands6"), bootstrap=100, seed=1, sensitivity=3)
    out = json.loads(found.to_json())
    assert out["observed"] == 8234
    assert out["estimate"] == pytest.approx(111139.37, abs=0.01)
    assert set(out["interval"]) >= {"low", "high", "level", "method"}
    assert out["interval"]["level"] == 0.95
    assert out["interval"]["method"] == "bca"
    assert out["model"]["terms"] == ["O:Z", "P:Z", "I:Z", "P:R", "O:P", "K:R", "I:K", "K:O"]
    assert out["model"]["neg_inf_terms"] == ["K:R", "I:K"]
    assert out["method"] == "stepwise"
    assert out["diagnostics"]["bootstrap"]["replicates"] == 100
    conditional = out["diagnostics"]["model_conditional_intervals"]
    assert set(conditional) == {"wald", "profile"}
    assert [w["code"] for w in out["warnings"]] == ["VM532"]
    assert len(out["sensitivity"]["models"]) == 3
    assert out["coverage"]["value"] == pytest.approx(8234 / 111139.37, rel=1e-6)


def test_json_has_no_infinities(tables: Tables) -> None:
    found = estimate(tables.get("neworleans5"), method="rcapture-mth-darroch", sensitivity=0)
    assert found.interval.high == math.inf
    text = found.to_json()
    assert "Infinity" not in text
    assert json.loads(text)["interval"]["high"] is None


def test_summary_reads_like_a_sentence(tables: Tables) -> None:
    text = estimate(tables.get("uk6"), sensitivity=2).summary()
    assert "Population estimate (stepwise): 11,418" in text
    assert "coverage" in text
    assert "best models" in text


def test_result_is_frozen(tables: Tables) -> None:
    found = estimate(tables.get("uk5"), method="main", sensitivity=0)
    assert isinstance(found, PopulationEstimate)
    with pytest.raises(AttributeError):
        found.estimate = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("method", sorted(set(METHODS) - {"fixed"}))
def test_every_method_runs(tables: Tables, method: str) -> None:
    found = estimate(tables.get("uk5"), method=method, sensitivity=0)
    assert found.estimate > found.observed
    assert found.interval.low <= found.estimate <= found.interval.high


def test_auto_follows_multiplesystemsestimation(tables: Tables) -> None:
    assert estimate(tables.get("neworleans5"), method="auto", sensitivity=0).method == "bic"
    assert estimate(tables.get("uk6"), method="auto", sensitivity=0).method == "stepwise"


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"method": "magic"}, "VM514"),
        ({"interval": "bca"}, "VM514"),
        ({"level": 1.5}, "VM514"),
        ({"method": "fixed"}, "VM514"),
        ({"method": "fixed", "model": ["LA:XX"]}, "VM514"),
    ],
)
def test_impossible_requests_are_coded_errors(tables: Tables, kwargs: dict, code: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(EstimationError) as caught:
        estimate(tables.get("uk5"), **kwargs)
    assert caught.value.problem.code == code


def test_too_many_lists_for_exhaustive_search_is_coded(tables: Tables) -> None:
    with pytest.raises(EstimationError) as caught:
        estimate(tables.get("neworleans8"), method="bic")
    assert caught.value.problem.code == "VM513"


def test_fixed_model_flags_a_missing_estimate(tables: Tables) -> None:
    found = estimate(tables.get("artificial3"), method="fixed", model=["A:B"], sensitivity=0)
    assert "VM530" in [w.code for w in found.warnings]
    assert "VM537" in [w.code for w in found.warnings]


def test_all_pairs_on_three_lists_is_not_determined_and_its_interval_says_so(
    tables: Tables,
) -> None:
    # issue 13: artificial3 all-pairs showed 118 with an interval of 96-104. With A:C and B:C
    # at minus infinity four cells are left for five parameters: the dark figure is free, the
    # profile flat, and every total from the 96 registered up fits as well as any other
    found = estimate(tables.get("artificial3"), method="all-pairs", sensitivity=0)
    assert [w.code for w in found.warnings][:2] == ["VM531", "VM537"]
    assert "not determined" in found.warnings[1].message
    assert (found.interval.low, found.interval.high) == (96.0, math.inf)
    assert found.interval.details["not_determined"] == 1
    assert found.diagnostics["model_conditional_intervals"]["wald"] == [96.0, math.inf]
    assert found.interval.low <= found.estimate <= found.interval.high


def test_all_pairs_without_an_estimate_is_flagged_as_unbounded(tables: Tables) -> None:
    # issue 13: korea3 all-pairs printed 500,603,866,476 (nobody on c and d only, and the
    # model with every pair is saturated: the dark figure grows without bound)
    found = estimate(tables.get("korea3"), method="all-pairs", sensitivity=0)
    flagged = {w.code: w.message for w in found.warnings}
    assert {"VM530", "VM537", "VM535"} <= set(flagged)
    assert "growing without bound" in flagged["VM537"]
    assert found.interval.high == math.inf
    assert found.interval.low <= found.estimate


def test_seeded_bootstrap_is_reproducible(tables: Tables) -> None:
    data = tables.get("uk5")
    a = estimate(data, bootstrap=150, seed=42, sensitivity=0)
    b = estimate(data, bootstrap=150, seed=42, sensitivity=0)
    assert (a.interval.low, a.interval.high) == (b.interval.low, b.interval.high)
    c = estimate(data, bootstrap=150, sensitivity=0)
    assert isinstance(c.settings["seed"], int)  # a fresh seed is recorded for reproduction


def test_two_list_table_gives_the_lincoln_petersen_estimate() -> None:
    table = CaptureHistoryTable(("A", "B"), np.array([60, 30, 20]))
    found = estimate(table, method="main", sensitivity=0)
    assert found.estimate == pytest.approx(80 * 50 / 20)


def test_parametric_resampling_draws_from_the_fitted_model(tables: Tables) -> None:
    data = tables.get("uk6")
    found = estimate(data, bootstrap=200, seed=3, resampling="fitted", sensitivity=0)
    assert found.diagnostics["bootstrap"]["resampling"] == "fitted model"
    assert found.interval.low < found.estimate < found.interval.high
    with pytest.raises(EstimationError):
        estimate(data, bootstrap=10, resampling="sideways")


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(4)), st.lists(st.integers(1, 60), min_size=15, max_size=15))
def test_estimates_do_not_depend_on_the_order_of_the_lists(
    order: list[int], counts: list[int]
) -> None:
    lists = ("A", "B", "C", "D")
    table = CaptureHistoryTable(lists, np.array(counts))
    patterns, values = zip(*table.rows(), strict=True)
    shuffled = CaptureHistoryTable.from_patterns(
        [lists[i] for i in order], [[p[i] for i in order] for p in patterns], values
    )
    for method in ("main", "bic"):
        a = estimate(table, method=method, interval="wald", sensitivity=0)
        b = estimate(shuffled, method=method, interval="wald", sensitivity=0)
        assert b.estimate == pytest.approx(a.estimate, rel=1e-6)
        assert sorted(b.model.terms) == sorted(
            ":".join(sorted(t.split(":"), key=[lists[i] for i in order].index))
            for t in a.model.terms
        )
