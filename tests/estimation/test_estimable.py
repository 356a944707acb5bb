"""Never a number that does not exist: what may be shown of an estimate, and what may not."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from tests.estimation.conftest import table
from victim_monitor.estimation import StratifiedEstimate, estimate, estimate_strata
from victim_monitor.estimation.estimable import MAX_RATIO, judge


@pytest.mark.parametrize(
    ("observed", "value", "low", "high", "exists", "code"),
    [
        (5, 20.0, 10.0, 40.0, True, "too_small"),
        (100, 300.0, 200.0, 500.0, False, "no_mle"),
        (100, math.inf, 200.0, math.inf, True, "no_estimate"),
        (100, 90.0, 80.0, 120.0, True, "no_estimate"),
        (100, 300.0, 200.0, math.inf, True, "unbounded"),
        (100, 118.0, 96.0, 104.0, True, "outside_interval"),
        (100, MAX_RATIO * 100 + 1, 1500.0, 3000.0, True, "runaway"),
    ],
)
def test_each_failure_has_its_reason(
    observed: int, value: float, low: float, high: float, exists: bool, code: str
) -> None:
    shown = judge(observed, value, low, high, exists=exists)
    assert not shown.estimable
    assert shown.reason is not None
    assert shown.reason.code == code
    assert shown.reason.nl
    assert shown.reason.en
    assert math.isnan(shown.estimate)
    assert math.isnan(shown.low)
    assert math.isnan(shown.high)


def test_a_lower_limit_below_the_registered_count_is_raised_to_it() -> None:
    shown = judge(100, 300.0, -40.0, 600.0)
    assert shown.estimable
    assert (shown.estimate, shown.low, shown.high) == (300.0, 100.0, 600.0)
    assert shown.raised_low
    assert not judge(100, 300.0, 150.0, 600.0).raised_low


@pytest.mark.parametrize("name", ["korea3", "artificial3"])
def test_a_saturated_model_without_an_estimate_is_not_shown(name: str) -> None:
    # issue 13: korea3 all-pairs printed 500,603,866,476; artificial3 118 outside 96-104
    result = estimate(table(name), method="all-pairs", sensitivity=3)
    shown = result.judged
    assert not shown.estimable
    assert shown.reason is not None
    out = result.to_dict()
    assert out["estimable"] is False
    assert out["not_estimable"]["code"] == shown.reason.code
    for value in (out["estimate"], out["interval"]["low"], out["interval"]["high"]):
        assert value is None
    assert out["model"]["estimate"] is None
    text = result.summary()
    assert "not estimable" in text
    # no figure above MAX_RATIO x registered anywhere in the JSON
    numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?", json.dumps(out))]
    assert max(numbers) < MAX_RATIO * result.observed


@pytest.mark.parametrize("method", ["rcapture-mh-darroch", "rcapture-mh-poisson"])
def test_a_model_whose_dark_figure_runs_off_is_not_shown(method: str) -> None:
    # issue 13: these gave 96 on artificial3 with no warning; VM537 marks them (any method)
    result = estimate(table("artificial3"), method=method, sensitivity=0)
    assert any(w.code == "VM537" for w in result.warnings)
    assert not result.judged.estimable


def test_a_good_estimate_is_shown_as_it_is() -> None:
    result = estimate(table("uk5"), method="stepwise", sensitivity=0)
    shown = result.judged
    assert shown.estimable
    assert shown.estimate == result.estimate
    assert result.to_dict()["estimate"] == pytest.approx(result.estimate)


def _sparse_persons() -> pd.DataFrame:
    """Two strata: one well observed, one whose lists hardly overlap (a run-away)."""
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(4000):  # stratum a: 4,000 persons, three lists at 0.3
        seen = rng.random(3) < 0.3
        if seen.any():
            rows.append(("a", *seen.astype(int)))
    # stratum b: 60 on P only, 60 on Q only, 60 on R only, one on P and Q
    rows += [("b", 1, 0, 0)] * 60 + [("b", 0, 1, 0)] * 60 + [("b", 0, 0, 1)] * 60
    rows += [("b", 1, 1, 0)]
    return pd.DataFrame(rows, columns=["form", "P", "Q", "R"])


@pytest.mark.parametrize("approach", ["stratified", "covariates"])
def test_no_stratum_shows_a_number_that_does_not_exist(approach: str) -> None:
    found = estimate_strata(_sparse_persons(), ["P", "Q", "R"], ["form"], approach=approach)
    assert isinstance(found, StratifiedEstimate)
    for s in (*found.strata, found.total):
        if s.reason is None:
            assert s.observed <= s.low <= s.estimate <= s.high < math.inf
            assert s.estimate <= MAX_RATIO * s.observed
        else:
            assert math.isnan(s.estimate)
    b = next(s for s in found.strata if s.key == ("b",))
    assert b.reason is not None
    if approach == "covariates":  # one model: its total needs every stratum
        assert found.total.reason is not None
        assert found.total.reason.code == "stratum"
    else:  # the sum of the strata, b counted as registered: a lower bound
        assert found.total.reason is None
    if approach == "stratified":
        assert b.reason is not None
        assert b.reason.code in ("unbounded", "runaway")
        assert "not estimable" in found.summary()
        assert found.to_dict()["strata"][1]["estimate"] is None
        assert found.to_dict()["strata"][1]["not_estimable"]["code"] == b.reason.code
