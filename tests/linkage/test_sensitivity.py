"""Persons per year and capture histories across thresholds (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.linkage.testbed import Submissions, import_files
from victim_monitor.linkage import link_register, persons_per_year, sensitivity


def test_persons_per_year_move_monotonically_with_the_threshold(
    engine: Engine, small: Submissions
) -> None:
    import_files(engine, small.files())
    own = link_register(engine).threshold
    result = sensitivity(engine, (0.5, own, 0.99))
    years = persons_per_year(engine)
    # At the run's own threshold, a full run's persons come back exactly.
    assert result.persons_by_year[own] == years
    for year in years:
        counts = [result.persons_by_year[t][year] for t in result.thresholds]
        assert counts == sorted(counts)  # fewer links, more persons
        for t in result.thresholds:
            table = result.histories[t][year]
            assert table["count"].sum() == result.persons_by_year[t][year]
    assert "threshold" in result.summary()
    assert set(result.as_dict()["persons_by_year"]) == {"0.5", str(own), "0.99"}
    with pytest.raises(ValueError, match="thresholds"):
        sensitivity(engine, (0.01,))
