"""The threshold links as many pairs as the model expects to be one person; the review band
lies around it; the run's estimate of its own quality adds up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from victim_monitor.linkage import threshold


def test_the_threshold_links_the_expected_number_of_pairs() -> None:
    probabilities = np.array([0.99, 0.9, 0.7, 0.6, 0.4, 0.3, 0.2, 0.06])
    assert threshold.choose(probabilities, 4) == 0.6
    assert (probabilities >= threshold.choose(probabilities, 4)).sum() == 4
    assert threshold.choose(probabilities, 3.6) == 0.6  # rounded
    # Within bounds: never below LOWEST nor above HIGHEST, nothing to link: HIGHEST.
    assert threshold.choose(probabilities, 8) == threshold.LOWEST
    assert threshold.choose(probabilities, 100) == threshold.LOWEST
    assert threshold.choose(np.array([0.999, 0.998]), 1) == threshold.HIGHEST
    assert threshold.choose(np.array([]), 5) == threshold.HIGHEST
    assert threshold.choose(probabilities, 0.2) == threshold.HIGHEST


def test_linking_the_expected_pairs_balances_false_and_missed_links() -> None:
    rng = np.random.default_rng(3)
    p = rng.beta(0.3, 0.6, 20_000)
    expected_pairs = p.sum()  # a calibrated model: as many true pairs as the sum
    t = threshold.choose(p, expected_pairs)
    linked = p >= t
    false = (1 - p[linked]).sum()
    missed = p[~linked].sum()
    assert false == pytest.approx(missed, rel=0.01)


def test_the_review_band_lies_around_the_threshold() -> None:
    assert threshold.review_band(0.8) == (0.5, 0.9412)  # the band of issue 4, near enough
    low, high = threshold.review_band(0.3)
    assert low < 0.3 < high
    assert low == pytest.approx(0.0968, abs=1e-4)  # odds 3/7 divided by 4
    assert threshold.review_band(0.1)[0] == threshold.LINK_FLOOR  # never below what is kept


def test_the_run_estimates_its_own_quality() -> None:
    pairs = pd.DataFrame(
        {
            "unique_id_l": [1, 1, 3, 5, 6],
            "unique_id_r": [2, 3, 4, 7, 8],
            "match_probability": [0.9, 0.6, 0.5, 0.2, 0.1],
        }
    )
    lists = pd.Series(["P", "R", "P", "Z", "P", "P", "R", "Z"], index=range(1, 9))
    # linked at 0.5: 1-2, 1-3, 3-4 make one person {1, 2, 3, 4}; 5, 6, 7, 8 alone.
    labels = pd.Series([1, 1, 1, 1, 5, 6, 7, 8], index=range(1, 9))
    found = threshold.expected(
        pairs, lists, labels, threshold=0.5, rule="chosen", expected_pairs=2.5
    )
    assert found.linked_pairs == 3
    assert found.precision == pytest.approx((0.9 + 0.6 + 0.5) / 3)
    assert found.recall == pytest.approx(2.0 / 2.5)
    # across lists: 1-2 (P, R) linked, 3-4 (P, Z) linked; 5-7 (P, R) missed, 6-8 (P, Z) missed;
    # 0.5 of expected pairs is unseen: 2.3 scored in all, 1.6 of it across lists.
    false = (1 - 0.9) + (1 - 0.5)
    missed = 0.2 + 0.1 + (2.5 - 2.3) * (1.7 / 2.3)
    assert found.overlap_error == pytest.approx((false - missed) / 1)
    assert "threshold 0.500 (chosen)" in found.summary()
    assert found.as_dict()["rule"] == "chosen"
