"""The end-to-end benchmark's core on one small population (benchmarks/endtoend.py)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from benchmarks import endtoend_report as report
from benchmarks.endtoend import SOURCES, YEARS, Population, Setting, run

from victim_monitor.estimation.estimable import MAX_RATIO

METHODS = ("rcapture-mh-chao", "stepwise")


# One worker runs the module: its module fixtures are built once, not once per worker.
pytestmark = pytest.mark.xdist_group("endtoend")


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("endtoend")


@pytest.fixture(scope="module")
def population(work: Path) -> Population:
    """A fifth of the Dutch size (about 1,100 reports): seconds."""
    return run(work, Setting(201, 0.2, 1.0, "standard"), METHODS)


def test_one_small_population_end_to_end(population: Population, work: Path) -> None:
    assert list(work.iterdir()) == []  # the working files are removed
    low, high = population.band
    assert low <= population.threshold <= high
    assert [y.year for y in population.years] == list(YEARS)
    for year in population.years:
        assert set(year.histories) == {"linked", "low", "high", "true"}
        assert year.true_n > year.persons("true") > 0
        assert {(e.method, e.source) for e in year.estimates} == {
            (m, s) for m in METHODS for s in SOURCES
        }
        for e in year.estimates:
            assert e.observed == year.persons(e.source)
            if e.estimate is None:
                assert e.reason is not None
                continue
            assert e.low is not None
            assert e.high is not None
            assert e.observed <= e.low <= e.estimate <= e.high
            assert e.estimate <= MAX_RATIO * e.observed
        if year.persons("true") >= 150:  # measured: 2014-2017 (2018: 141 persons)
            true = [e for e in year.estimates if e.source == "true"]
            assert all(e.estimate is not None and math.isfinite(e.estimate) for e in true)
    stored = json.loads(json.dumps(population.as_dict()))
    assert Population.from_dict(stored) == population


def test_the_report_measures_against_the_truth(population: Population) -> None:
    data = report.frame([population])
    assert len(data) == len(YEARS) * len(SOURCES) * len(METHODS)
    shown = data[data["estimable"]]
    assert (shown["ratio"] == shown["estimate"] / shown["true_n"]).all()
    assert report.measures(data)["runaway"] == 0
    assert "| **rcapture-mh-chao (published)** | linked |" in report.overall(data)
    assert "| stepwise | linked |" in report.overall(data)
    assert report.svg(report.chart(data)).startswith("<svg")
