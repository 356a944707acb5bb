"""The demo end to end at a small scale, and the register's promise: no clear identifiers."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from victim_monitor.demo import DemoResult, run_demo

# The tests of the module's demo run on one worker, so the demo is run once, not once per worker.
DEMO = pytest.mark.xdist_group("demo")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    return run_demo(tmp_path_factory.mktemp("demo"), scale=0.05, seed=7)


def _raw_rows(demo: DemoResult) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in demo.raw_files:
        text = path.read_text("utf-8-sig")
        delimiter = ";" if text.split("\n", 1)[0].count(";") > 1 else ","
        rows += list(csv.DictReader(text.splitlines(), delimiter=delimiter))
    return rows


@DEMO
def test_every_raw_file_is_encoded_and_accepted(demo: DemoResult) -> None:
    assert demo.raw_files
    assert len(demo.submissions) == len(demo.raw_files)
    assert all(r.outcome == "accepted" for r in demo.intake)
    assert demo.status.total_reports == len(_raw_rows(demo))
    assert "Outputs:" in demo.summary()


def _stored_cells(demo: DemoResult) -> list[str]:
    """Every text cell of every table of the register, Bloom filters left out."""
    engine = create_engine(demo.database_url)
    cells: list[str] = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            columns = [c["name"] for c in inspect(conn).get_columns(table) if c["name"] != "bloom"]
            for row in conn.execute(text(f"SELECT {', '.join(columns)} FROM {table}")):
                cells += [str(v) for v in row if v is not None]
    engine.dispose()
    return cells


def _submitted_cells(demo: DemoResult) -> list[str]:
    cells: list[str] = []
    for path in demo.submissions:
        for row in csv.DictReader(path.read_text("utf-8").splitlines()):
            cells += [v for k, v in row.items() if k != "bloom"]
    return cells


@DEMO
def test_no_clear_name_or_birth_date_reaches_the_register(demo: DemoResult) -> None:
    rows = _raw_rows(demo)
    names = {
        part.lower()
        for row in rows
        for part in re.split(r"[\s,'-]+", f"{row['first_name']} {row['last_name']}")
        # Particles (van, de, el...) are name parts but also ordinary words.
        if len(part) >= 4
    }
    births = {row["birth_date"] for row in rows if len(row["birth_date"]) >= 7}
    assert len(names) > 20
    assert len(births) > 20
    for where, cells in (("register", _stored_cells(demo)), ("submission", _submitted_cells(demo))):
        words = {w for cell in cells for w in re.split(r"[^\w]+", cell.lower()) if w}
        leaked = sorted(names & words)
        assert leaked == [], f"clear names in the {where}: {leaked[:10]}"
        dates = {d for cell in cells for d in re.findall(r"\d{4}-\d{2}(?:-\d{2})?", cell)}
        # Report dates are stored; a birth date may only appear by coinciding with one.
        report_dates = {row["report_date"] for row in rows}
        assert not (births & dates) - report_dates, f"birth dates in the {where}"


def test_demo_rerun_is_reproducible(tmp_path: Path) -> None:
    first = run_demo(tmp_path, scale=0.02, seed=3)
    second = run_demo(tmp_path, scale=0.02, seed=3)
    assert first.status.reports_by_year == second.status.reports_by_year
    assert [p.read_bytes() for p in first.raw_files] == [p.read_bytes() for p in second.raw_files]
