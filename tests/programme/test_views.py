"""Views for pages, JSON twins and the factsheet; monitor series from a publication."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from victim_monitor.programme.effect import Verdict
from victim_monitor.programme.intake import import_programme
from victim_monitor.programme.series import SERIES, PublicationSource, monitor_series
from victim_monitor.programme.views import (
    NotFoundError,
    editions,
    followup,
    measure_detail,
    programme_overview,
)
from victim_monitor.published import CellKey, Publication, PublishedTable, YearEstimate
from victim_monitor.vocab import Label

PROGRAMME = "samen-tegen-mensenhandel"


FAKE = Label("nep", "fake")


@dataclass(frozen=True)
class FakeSource:
    """A series source with given counts per (table, where) and year."""

    data: Mapping[tuple[str, tuple[tuple[str, str], ...]], Mapping[int, int | None]]
    description: Label = FAKE

    def counts(self, table: str, where: Mapping[str, str]) -> Mapping[int, int | None]:
        return self.data.get((table, tuple(sorted(where.items()))), {})

    def coverage(
        self, where: Mapping[str, str]
    ) -> Mapping[int, tuple[float, float | None, float | None] | None]:
        return {}


MINORS = ("domestic_sexual_by_age", (("age_group", "minor"),))


def test_overview_groups_measures_by_action_line(engine: Engine, example: Path) -> None:
    import_programme(engine, example)
    (view,) = programme_overview(engine)
    assert view.title.nl == "Samen tegen mensenhandel"
    assert [line.number for line in view.action_lines] == [1, 2, 3, 4, 5]
    assert sum(view.by_status.values()) == 5
    assert view.by_status["stopped"] == 1
    assert all(m.example for line in view.action_lines for m in line.measures)
    json.dumps(view.as_dict())  # the JSON twin is plain data
    with pytest.raises(NotFoundError):
        programme_overview(engine, "nothing")


def test_measure_detail_compares_before_and_after_the_start(engine: Engine, example: Path) -> None:
    import_programme(engine, example)
    source = FakeSource({MINORS: {2014: 70, 2015: 75, 2016: 80, 2017: 140, 2018: None}})
    view = measure_detail(engine, PROGRAMME, "VB-01", source)
    assert [c.status for c in view.history] == ["planned", "running", "implemented"]
    assert view.status == "implemented"
    assert view.status_label.nl == "Uitgevoerd"
    assert [m.code for m in view.milestones] == ["MS1"]
    by_code = {i.code: i for i in view.indicators}
    minors = by_code["minors-domestic-sexual"]
    assert minors.source == Label("nep", "fake")
    assert [o.hidden for o in minors.observations] == [False, False, False, False, True]
    # Started 2016: before = 2014-2015, after = 2017 only (2018 hidden): too few years.
    assert minors.comparison is not None
    assert minors.comparison.verdict is Verdict.INSUFFICIENT
    coverage = by_code["coverage-minors-sexual"]
    assert [(o.year, o.lower, o.upper) for o in coverage.observations] == [(2018, 0.02, 0.03)]
    data = json.loads(json.dumps(view.as_dict()))
    assert data["indicators"][0]["comparison"]["claim"]["en"]
    assert data["history"][0]["date"] == "2015-09-01"
    with pytest.raises(NotFoundError):
        measure_detail(engine, PROGRAMME, "VB-99")


def test_without_a_source_monitor_indicators_show_nothing(engine: Engine, example: Path) -> None:
    import_programme(engine, example)
    view = measure_detail(engine, PROGRAMME, "VB-01")
    minors = next(i for i in view.indicators if i.code == "minors-domestic-sexual")
    assert minors.observations == ()
    assert minors.comparison is None


def test_followup_of_an_edition(engine: Engine, example: Path) -> None:
    import_programme(engine, example)
    view = followup(engine, "2014-2018")
    assert [r.number for r in view.recommendations] == [1, 2, 3, 4, 5]
    assert view.by_status["open"] == 5
    assert sum(view.by_status.values()) == 5
    assert view.recommendations[0].text.nl.startswith("Zorg voor coördinatie en monitoring")
    assert "korpsleiding van de Nationale Politie" in view.recommendations[4].addressee.nl
    assert view.recommendations[0].response is None
    assert [e.code for e in editions(engine)] == ["2014-2018"]
    json.dumps(view.as_dict())
    with pytest.raises(NotFoundError):
        followup(engine, "2019-2023")


def _table(name: str, dims: list[str], cells: list[tuple[list[str], int | None]]) -> PublishedTable:
    label = {"nl": name, "en": name}
    return PublishedTable.from_dict({
        "name": name, "title": label, "definition": label, "measure": "persons",
        "counting": "once", "counting_label": label, "dimensions": dims,
        "dimension_labels": dict.fromkeys(dims, label),
        "categories": {"year": ["2016", "2017", "2018"], dims[1]: ["minor", "adult", "Total"]},
        "labels": {}, "margins": [dims[1]], "overlapping": [], "fixed": {},
        "cells": [
            {"key": dict(zip(dims, key, strict=True)), "value": value,
             "outcome": "suppressed" if value is None else "shown"}
            for key, value in cells
        ],
    })  # fmt: skip


def test_publication_source_reads_protected_cells_and_margins() -> None:
    rows = {"2016": (5, None, 40), "2017": (8, 30, 38), "2018": (None, 33, 41)}
    ages = ("minor", "adult", "Total")
    cells = [([y, a], v) for y, row in rows.items() for a, v in zip(ages, row, strict=True)]
    table = _table("domestic_sexual_by_age", ["year", "age_group"], cells)
    pub = Publication(
        title=Label("Monitor", "Monitor"), years=("2016", "2017", "2018"), snapshot="x",
        policy={}, audit={}, counting={}, outcomes={}, tables={table.name: table},
        estimates=(), trends=(), findings=(),
    )  # fmt: skip
    source = PublicationSource(pub)
    assert source.counts("domestic_sexual_by_age", {"age_group": "minor"}) == {
        2016: 5, 2017: 8, 2018: None,
    }  # fmt: skip
    assert source.counts("domestic_sexual_by_age", {}) == {2016: 40, 2017: 38, 2018: 41}
    assert source.counts("victims_by_form", {}) == {}
    assert source.description.en == "Published tables: Monitor"


def _estimate(year: str, coverage: float | None, form: str | None = None) -> YearEstimate:
    low, high = (None, None) if coverage is None else (coverage * 0.8, coverage * 1.25)
    stratum = () if form is None else (("form_group", form),)
    return YearEstimate(
        year, 100, CellKey.of("victims_by_year", {"year": year}), None, None, None, "profile",
        coverage, low, high, ("P", "K"), "", (), stratum,
    )  # fmt: skip


def test_coverage_comes_from_the_publications_estimates() -> None:
    pub = Publication(
        title=Label("M", "M"), years=("2017", "2018"), snapshot="x", policy={}, audit={},
        counting={}, outcomes={}, tables={}, trends=(), findings=(),
        estimates=(_estimate("2017", 0.1), _estimate("2018", None)),
        stratum_estimates=(_estimate("2017", 0.05, "domestic_sexual"),
                           _estimate("2017", 0.3, "labour")),
    )  # fmt: skip
    source = PublicationSource(pub)
    series = monitor_series(SERIES["coverage"], source)
    assert [(o.year, o.value, o.lower, o.upper) for o in series] == [
        (2017, 0.1, pytest.approx(0.08), pytest.approx(0.125)), (2018, None, None, None),
    ]  # fmt: skip
    domestic = monitor_series(SERIES["coverage_domestic_sexual"], source)
    assert [(o.year, o.value) for o in domestic] == [(2017, 0.05)]
