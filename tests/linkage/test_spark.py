"""The Spark backend (optional extra) scores pairs exactly as DuckDB does."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tests.linkage.testbed import Submissions
from victim_monitor.linkage import score, train
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
    shipped = int(score.reference_training()["reports"])
    model = train.with_prior(score.reference_model(), shipped, len(frame))
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


@pytest.mark.slow
def test_link_backend_spark_links_as_duckdb_does_in_full_and_incrementally(
    small: Submissions, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from tests.linkage.testbed import import_files
    from victim_monitor.cli import main
    from victim_monitor.linkage import persons_per_year
    from victim_monitor.registry.register import open_register

    years = {}
    for backend in ("duckdb", "spark"):
        url = f"sqlite:///{tmp_path / backend}.db"
        engine = open_register(url)
        import_files(engine, small.files((2015,)))
        args = ["link", "--backend", backend, "--json", "--database", url]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["mode"] == "full"
        import_files(engine, small.files((2016,)))  # and incrementally
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert json.loads(result.output)["mode"] == "incremental"
        years[backend] = persons_per_year(engine)
    assert years["spark"] == years["duckdb"]
