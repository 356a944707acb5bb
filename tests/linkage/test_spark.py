"""The Spark backend (optional extra) scores pairs exactly as DuckDB does."""

from __future__ import annotations

import importlib.util

import pytest

from tests.linkage.testbed import Submissions
from victim_monitor.linkage import score
from victim_monitor.linkage.standardise import standardise

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None,
    reason="the Spark backend is an optional extra (pip install 'victim-monitor[spark]'); "
    "pyspark is not installed",
)


@pytest.mark.slow
def test_spark_scores_the_same_pairs_as_duckdb(small: Submissions) -> None:
    from benchmarks.linkage_scale import reports_from_submissions

    frame = standardise(reports_from_submissions(small.files((2015,))))
    model = score.with_prior(frame, score.reference_model())
    duck = score.predict(frame, model, floor=0.5)
    spark = score.predict(frame, model, floor=0.5, api=score.spark_api(partitions=2))
    keys = ["unique_id_l", "unique_id_r"]
    merged = duck.merge(spark, on=keys, how="outer", suffixes=("_duckdb", "_spark"))
    assert len(merged) == len(duck) == len(spark) > 0
    difference = (merged["match_probability_duckdb"] - merged["match_probability_spark"]).abs()
    assert difference.max() < 1e-9
    gammas = [c for c in duck.columns if c.startswith("gamma_")]
    for g in gammas:
        assert (merged[f"{g}_duckdb"] == merged[f"{g}_spark"]).all()
