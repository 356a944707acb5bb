"""Heterogeneity: the latent loadings scaled; 0 makes capture independent within a stratum."""

from __future__ import annotations

import math

import numpy as np
import pytest

from victim_monitor.synthetic import SyntheticConfig, generate, parameters
from victim_monitor.synthetic.capture import Stratum, capture, rates
from victim_monitor.synthetic.recording import reporters

LABOUR, ADULT = parameters.LAB, parameters.AGES.index("adult")


def _stratum(n: int, seed: int) -> Stratum:
    """Adult labour victims of 2014, not Dublin claimants, EU nationals who crossed a border."""
    rng = np.random.default_rng(seed)
    return Stratum(
        year=np.full(n, 2014),
        form=np.full(n, LABOUR),
        age=np.full(n, ADULT),
        dublin=np.zeros(n, bool),
        border_crossed=np.ones(n, bool),
        non_eu=np.zeros(n, bool),
        visibility=rng.standard_normal(n),
        orientation=rng.standard_normal(n),
    )


def _log_odds_ratio(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Log odds ratio of two captures and its standard error (Woolf)."""
    cells = [
        float(np.sum(a & b)),
        float(np.sum(a & ~b)),
        float(np.sum(~a & b)),
        float(np.sum(~a & ~b)),
    ]
    both, only_a, only_b, neither = cells
    return math.log(both * neither / (only_a * only_b)), math.sqrt(sum(1 / c for c in cells))


def test_without_heterogeneity_everyone_in_a_stratum_has_the_same_rate() -> None:
    stratum = _stratum(2000, seed=1)
    police = next(r for r in reporters() if r.code == "POL")
    flat = rates(police, stratum, {}, heterogeneity=0.0)
    assert np.ptp(flat) == 0.0
    spread = rates(police, stratum, {}, heterogeneity=1.0)
    assert np.ptp(spread) > 1.0 * flat[0]
    # the latent term has mean one: the stratum's mean rate stays (about) the same
    assert spread.mean() == pytest.approx(flat[0], rel=0.1)


def test_capture_on_two_lists_is_independent_within_a_stratum_without_heterogeneity() -> None:
    # The police (P) and the Labour Inspectorate (I) refer to neither: only the latent traits
    # tie them. 200,000 persons give about 1,300 on both lists (standard error of the log
    # odds ratio about 0.03).
    orgs = reporters()
    pol, nla = (next(i for i, r in enumerate(orgs) if r.code == c) for c in ("POL", "NLA"))
    stratum = _stratum(200_000, seed=2)
    measured = []
    for strength in (0.0, 1.0, 2.0):
        seen = capture(stratum, orgs, np.random.default_rng(3), heterogeneity=strength)
        measured.append(_log_odds_ratio(seen[:, pol], seen[:, nla]))
    (none, se), (today, _), (twice, _) = measured
    assert abs(none) < 4 * se
    assert today > 8 * se  # both investigative: dependent through visibility and orientation
    assert twice > 2 * today


def test_heterogeneity_changes_only_capture() -> None:
    plain = generate(SyntheticConfig(scale=0.05, seed=5))
    flat = generate(SyntheticConfig(scale=0.05, seed=5, heterogeneity=0.0))
    assert len(plain.persons) == len(flat.persons)
    truth = ["year", "sex", "nationality", "form_group", "visibility", "last_name"]
    assert plain.persons[truth].equals(flat.persons[truth])
    assert not plain.persons["capture_history"].equals(flat.persons["capture_history"])
    assert SyntheticConfig(heterogeneity=2.0).as_dict()["heterogeneity"] == 2.0


@pytest.mark.parametrize("strength", [-0.1, 3.5, math.nan])
def test_heterogeneity_outside_its_range_is_refused(strength: float) -> None:
    with pytest.raises(ValueError, match="heterogeneity"):
        SyntheticConfig(heterogeneity=strength)
