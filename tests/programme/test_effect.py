"""The before/after rule: Poisson intervals, verdicts, and how often it claims a change wrongly."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from victim_monitor.programme.effect import MIN_YEARS, Verdict, compare
from victim_monitor.programme.series import Observation, external_series, poisson_interval


def _series(counts: Mapping[int, int | None]) -> list[Observation]:
    out = []
    for year, count in counts.items():
        if count is None:
            out.append(Observation(year, None, hidden=True))
        else:
            low, high = poisson_interval(count)
            out.append(Observation(year, float(count), low, high))
    return out


def test_garwood_intervals_match_published_values() -> None:
    # Garwood (1936) exact 95% limits, as tabulated e.g. by Ulm (1990).
    assert poisson_interval(0) == pytest.approx((0.0, 3.689), abs=1e-3)
    assert poisson_interval(1) == pytest.approx((0.0253, 5.572), abs=1e-3)
    assert poisson_interval(10) == pytest.approx((4.795, 18.390), abs=1e-3)


def test_a_clear_rise_in_the_expected_direction_is_reported_but_not_attributed() -> None:
    c = compare(_series({2014: 100, 2015: 104, 2016: 98, 2018: 160, 2019: 170}), 2017, "up")
    assert c.verdict is Verdict.CHANGE_AS_EXPECTED
    assert c.lower is not None
    assert c.lower > 1
    assert c.ratio == pytest.approx((330 / 2) / (302 / 3))
    assert "does not show that the measure caused it" in c.claim.en


def test_the_same_rise_against_expectation_and_without_expectation() -> None:
    series = _series({2014: 100, 2015: 104, 2016: 98, 2018: 160, 2019: 170})
    assert compare(series, 2017, "down").verdict is Verdict.CHANGE_AGAINST_EXPECTED
    assert compare(series, 2017, "none").verdict is Verdict.CHANGE


def test_a_difference_within_the_noise_is_no_change() -> None:
    c = compare(_series({2014: 20, 2015: 25, 2017: 27, 2018: 22}), 2016, "up")
    assert c.verdict is Verdict.NO_CHANGE_SHOWN
    assert c.lower is not None
    assert c.upper is not None
    assert c.lower < 1 < c.upper


def test_a_trend_before_the_start_is_not_taken_for_an_effect() -> None:
    c = compare(
        _series({2013: 50, 2014: 80, 2015: 120, 2016: 170, 2018: 300, 2019: 400}), 2017, "up"
    )
    assert c.verdict is Verdict.TREND_BEFORE
    assert c.trend_p is not None
    assert c.trend_p < 0.05


def test_hidden_cells_are_gaps_and_too_few_years_are_insufficient() -> None:
    series = _series({2014: None, 2015: 40, 2017: 90, 2018: 95})
    assert compare(series, 2016, "up").verdict is Verdict.INSUFFICIENT
    assert MIN_YEARS == 2
    # Years after the start that are all hidden: not "too early", but not enough shown.
    hidden_after = _series({2014: 40, 2015: 45, 2017: None, 2018: None})
    assert compare(hidden_after, 2016, "up").verdict is Verdict.INSUFFICIENT


def test_no_start_or_no_year_after_is_too_early() -> None:
    series = _series({2014: 40, 2015: 45, 2016: 50})
    assert compare(series, None, "up").verdict is Verdict.TOO_EARLY
    assert compare(series, 2016, "up").verdict is Verdict.TOO_EARLY
    assert compare(series, 2019, "up").verdict is Verdict.TOO_EARLY
    assert compare([], 2016, "up").verdict is Verdict.INSUFFICIENT  # no series at all


def test_shares_need_bounds_and_separate_intervals() -> None:
    bounded = [
        Observation(2015, 0.02, 0.01, 0.03),
        Observation(2016, 0.025, 0.015, 0.035),
        Observation(2018, 0.06, 0.05, 0.07),
        Observation(2019, 0.07, 0.06, 0.08),
    ]
    assert compare(bounded, 2017, "up", "share").verdict is Verdict.CHANGE_AS_EXPECTED
    overlapping = [*bounded[:2], Observation(2018, 0.04, 0.03, 0.05), bounded[3]]
    assert compare(overlapping, 2017, "up", "share").verdict is Verdict.NO_CHANGE_SHOWN
    values = [(2015, 0.02), (2016, 0.02), (2018, 0.5), (2019, 0.6)]
    unbounded = external_series([(y, v, None, None) for y, v in values], "share")
    assert compare(unbounded, 2017, "up", "share").verdict is Verdict.INSUFFICIENT


def test_external_whole_counts_without_bounds_get_poisson_intervals() -> None:
    (obs,) = external_series([(2018, 10.0, None, None)], "count")
    assert (obs.lower, obs.upper) == pytest.approx(poisson_interval(10))


def test_false_claims_under_no_change_stay_near_the_nominal_level() -> None:
    """With equal yearly rates, the rule should claim a change in at most ~5% of series."""
    rng = np.random.default_rng(2019)
    claims = 0
    runs = 2000
    for _ in range(runs):
        mean = rng.uniform(5, 200)
        counts = rng.poisson(mean, size=6)
        years = dict(zip(range(2013, 2019), (int(c) for c in counts), strict=True))
        verdict = compare(_series(years), 2016, "up").verdict
        claims += verdict in (Verdict.CHANGE_AS_EXPECTED, Verdict.CHANGE_AGAINST_EXPECTED)
    assert claims / runs <= 0.05


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(0, 5000)), min_size=1, max_size=10),
    st.integers(2012, 2024),
    st.sampled_from(["up", "down", "none"]),
)
def test_the_rule_never_claims_without_two_shown_years_each_side(
    counts: list[int | None], start: int, expected: str
) -> None:
    series = _series(dict(zip(range(2012, 2012 + len(counts)), counts, strict=False)))
    c = compare(series, start, expected)
    shown_before = sum(o.value is not None for o in series if o.year < start)
    shown_after = sum(o.value is not None for o in series if o.year > start)
    if shown_before < MIN_YEARS or shown_after < MIN_YEARS:
        assert c.verdict in (Verdict.TOO_EARLY, Verdict.INSUFFICIENT)
    if c.ratio is not None and c.lower is not None and c.upper is not None:
        assert c.lower <= c.ratio <= c.upper


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ((100, 104, 98), (160, 170)),
        ((3, 5), (9, 12)),
        ((40, 41, 39, 44), (20, 25, 22)),
        ((1, 2), (1, 1)),
    ],
)
def test_ratio_interval_is_where_the_exact_conditional_test_reaches_2_5_percent(
    before: tuple[int, ...], after: tuple[int, ...]
) -> None:
    """Checked against statsmodels' exact conditional test of two Poisson rates (an
    independent implementation): at each limit its one-sided p-value is 0.025."""
    from statsmodels.stats.rates import test_poisson_2indep

    years = dict(zip(range(2010, 2010 + len(before)), before, strict=True))
    years |= dict(zip(range(2020, 2020 + len(after)), after, strict=True))
    c = compare(_series(years), 2015, "none")
    assert c.lower is not None
    assert c.upper is not None
    a, b = sum(after), sum(before)
    for bound, side in ((c.lower, "larger"), (c.upper, "smaller")):
        test = test_poisson_2indep(a, len(after), b, len(before), method="exact-cond",
                                   value=bound, alternative=side, compare="ratio")  # fmt: skip
        assert test.pvalue == pytest.approx(0.025, abs=1e-6)
