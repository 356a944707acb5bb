"""Changes with exact Poisson intervals: the interval covers, and noise is not a trend."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.findings.tables import table
from victim_monitor.findings import comparisons, rate_ratio_interval, trend, trends


def test_the_interval_contains_the_ratio_and_inverts_with_the_periods() -> None:
    ratio, low, high = rate_ratio_interval(1218, 1, 668, 1)
    assert ratio == pytest.approx(668 / 1218)
    assert low < ratio < high
    back, b_low, b_high = rate_ratio_interval(668, 1, 1218, 1)
    assert back == pytest.approx(1 / ratio)
    assert b_low == pytest.approx(1 / high)
    assert b_high == pytest.approx(1 / low)
    # periods of different length compare rates per year
    two, *_ = rate_ratio_interval(600, 2, 150, 1)
    assert two == pytest.approx(0.5)


def test_the_interval_covers_the_true_ratio_at_least_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(5)
    for mu_a, mu_b in ((40.0, 20.0), (300.0, 330.0), (8.0, 12.0)):
        a = rng.poisson(mu_a, 2000)
        b = rng.poisson(mu_b, 2000)
        covered = 0
        for x, y in zip(a, b, strict=True):
            if x == 0:
                continue
            _, low, high = rate_ratio_interval(int(x), 1, int(y), 1)
            covered += low <= mu_b / mu_a <= high
        assert covered / np.count_nonzero(a) >= 0.945, (mu_a, mu_b)


def test_noise_is_not_a_trend_and_a_real_change_is() -> None:
    t = table("victims_by_year", None, {"": [600, 620, 610, 590, 650]})
    flat = trend(t, (), ("2014",), ("2018",))
    assert flat is not None
    assert flat.direction == "none"
    assert flat.low < 1 < flat.high
    falling = table("victims_by_year", None, {"": [1218, 1100, 1000, 900, 668]})
    down = trend(falling, (), ("2014",), ("2018",))
    assert down is not None
    assert down.direction == "down"
    assert down.high < 1
    assert math.isclose(down.change, 668 / 1218 - 1, abs_tol=1e-4)


def test_a_hidden_cell_makes_no_trend() -> None:
    t = table("victims_by_age", "age_group", {"minor": [30, None, 25, 20, 12]})
    assert trend(t, (("age_group", "minor"),), ("2014",), ("2018",)) is not None
    assert trend(t, (("age_group", "minor"),), ("2014", "2015"), ("2018",)) is None
    found = trends([t], ("2014", "2015", "2016", "2017", "2018"))
    assert {x.id for x in found} == {
        "victims_by_age/age_group=minor/2014/2018",
        "victims_by_age/age_group=minor/2017/2018",
    }


def test_the_comparisons() -> None:
    assert comparisons(("2017", "2018")) == [(("2017",), ("2018",))]
    five = comparisons(("2014", "2015", "2016", "2017", "2018"))
    assert (("2014", "2015"), ("2018",)) in five
    assert (("2014", "2015", "2016", "2017"), ("2018",)) in five
