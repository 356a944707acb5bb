"""Reference tables and the field's reference outputs, with their provenance.

The tables and ``reference-estimates.csv`` are read from ``../shared/mse-datasets`` beside the
repository when it is there, else from the copies in ``tests/estimation/reference/`` (see its
README; a test checks the copies still match). A test marked
``@pytest.mark.reference(software=..., method=...)`` that takes ``row`` runs once per matching
reference row, named by dataset, software and settings.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from victim_monitor.estimation import CaptureHistoryTable, read_table

HERE = Path(__file__).resolve().parent
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "mse-datasets"
LOCAL = HERE / "reference"
DATA = SHARED if (SHARED / "reference-estimates.csv").is_file() else LOCAL


@dataclass(frozen=True)
class Row:
    """One line of reference-estimates.csv."""

    dataset: str
    software: str
    method: str
    settings: str
    estimate: float
    ci_low: float
    ci_high: float
    model: str
    notes: str

    def note(self, pattern: str) -> float:
        """A number from the notes, e.g. ``note(r"ahat=(-?[\\d.]+)")``."""
        found = re.search(pattern, self.notes)
        assert found, f"{pattern!r} not in notes of {self}"
        return float(found.group(1))


def _number(text: str) -> float:
    return float(text) if text.strip() else math.nan


@cache
def reference_rows() -> tuple[Row, ...]:
    with (DATA / "reference-estimates.csv").open(newline="", encoding="utf-8") as f:
        return tuple(
            Row(
                r["dataset"],
                r["software"],
                r["method"],
                r["settings"],
                _number(r["estimate"]),
                _number(r["ci_low"]),
                _number(r["ci_high"]),
                r["model"],
                r["notes"],
            )
            for r in csv.DictReader(f)
        )


@cache
def table(name: str) -> CaptureHistoryTable:
    found = read_table(DATA / f"{name}.csv")
    assert isinstance(found, CaptureHistoryTable), found
    return found


def select(
    software: str, method: str, dataset: str | None = None, with_estimate: bool = True
) -> list[Row]:
    """Rows whose software starts with ``software`` and method matches the regex ``method``.

    Runs that did not complete (no estimate, "NOT RUN"/"FAILED" in the notes) are left out
    unless ``with_estimate`` is False.
    """
    return [
        r
        for r in reference_rows()
        if r.software.startswith(software)
        and re.search(method, r.method)
        and (dataset is None or re.fullmatch(dataset, r.dataset))
        and (not with_estimate or not math.isnan(r.estimate))
    ]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "reference(software, method, dataset=None, with_estimate=True): once per reference row",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marker = metafunc.definition.get_closest_marker("reference")
    if marker is None or "row" not in metafunc.fixturenames:
        return
    rows = select(**marker.kwargs)
    assert rows, f"no reference rows for {marker.kwargs}"
    ids = [f"{r.dataset}|{r.software}|{r.method}|{r.settings}"[:120] for r in rows]
    metafunc.parametrize("row", rows, ids=ids)


@pytest.fixture
def tables() -> type[_Tables]:
    """``tables.get("uk6")``: a reference table by name (cached)."""
    return _Tables


class _Tables:
    data = DATA

    @staticmethod
    def get(name: str) -> CaptureHistoryTable:
        return table(name)
