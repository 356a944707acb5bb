"""Linkage quality against the synthetic truth, pinned on a fixed seed.

The floors sit a little under what the current model measures on this population (seed 2024,
half the Dutch size, five years; docs/methods/linkage.md has the full table): a regression in
standardise, block, compare or score shows up as a drop below them.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.linkage.testbed import Submissions, import_files
from victim_monitor.linkage.quality import evaluate, pairwise
from victim_monitor.registry.register import open_register


def test_quality_against_the_synthetic_truth(
    medium: Submissions, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # One test, so that the register is built and linked once (xdist would split a module).
    engine = open_register(f"sqlite:///{tmp_path_factory.mktemp('quality') / 'r.db'}")
    import_files(engine, medium.files())
    try:
        report = evaluate(engine, medium.root, thresholds=(0.8,))
    finally:
        engine.dispose()
    pseudonymised = report.row("pseudonymised", 0.8)
    # Measured: precision 0.990, recall 0.889, F1 0.937, persons per year within 1.4%.
    assert pseudonymised.quality.precision >= 0.97
    assert pseudonymised.quality.recall >= 0.86
    assert pseudonymised.quality.f1 >= 0.92
    assert pseudonymised.max_year_error <= 0.02
    clear = report.row("clear", 0.8)
    # Measured: precision 0.985, recall 0.936, F1 0.960, persons per year within 0.7%.
    assert clear.quality.f1 >= 0.94
    assert clear.max_year_error <= 0.015
    # What pseudonymisation costs: measured 0.023 here; 0.004-0.006 at scales 2-3.
    assert clear.quality.f1 - pseudonymised.quality.f1 <= 0.03
    assert "pseudonymised" in report.summary()
    assert report.as_dict()["rows"][0]["quality"]["f1"] == pseudonymised.quality.f1


def test_pairwise_measures() -> None:
    truth = np.array([1, 1, 1, 2, 2, 3])
    predicted = np.array(["a", "a", "b", "b", "b", "c"])
    q = pairwise(predicted, truth)
    # true pairs: 3 + 1 = 4; predicted: 1 + 3 = 4; correct: (0,1) and (3,4) = 2
    assert (q.true_pairs, q.predicted_pairs, q.correct_pairs) == (4, 4, 2)
    assert q.precision == q.recall == q.f1 == 0.5
