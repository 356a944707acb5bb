"""The simulator: known truth, and the estimators behave as theory says on it."""

from __future__ import annotations

import numpy as np
import pytest

from victim_monitor.estimation import estimate
from victim_monitor.estimation.simulate import Scenario, simulate_persons, simulate_table


def test_population_has_the_requested_size_and_capture_rates() -> None:
    scenario = Scenario(50000, [0.1, 0.2, 0.3])
    persons = simulate_persons(scenario, np.random.default_rng(1))
    assert len(persons) == 50000
    assert persons[["A", "B", "C"]].mean().to_numpy() == pytest.approx([0.1, 0.2, 0.3], abs=0.01)


def test_dependence_is_an_odds_ratio_between_lists() -> None:
    scenario = Scenario(200000, [0.2, 0.2], dependence={(0, 1): np.log(3.0)})
    p = simulate_persons(scenario, np.random.default_rng(2))
    both = ((p.A == 1) & (p.B == 1)).sum()
    odds_ratio = (
        both
        * ((p.A == 0) & (p.B == 0)).sum()
        / (((p.A == 1) & (p.B == 0)).sum() * ((p.A == 0) & (p.B == 1)).sum())
    )
    assert odds_ratio == pytest.approx(3.0, rel=0.05)


def test_independent_lists_give_nearly_unbiased_estimates() -> None:
    scenario = Scenario(10000, [0.1, 0.15, 0.2, 0.1])
    rng = np.random.default_rng(3)
    found = [
        estimate(simulate_table(scenario, rng), method="main", sensitivity=0).estimate
        for _ in range(30)
    ]
    assert np.mean(found) == pytest.approx(10000, rel=0.02)
