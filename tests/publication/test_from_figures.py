"""``publish --from-figures``: a publication in the usual format from figures published before."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import frictionless
import pytest
from click.testing import CliRunner

from victim_monitor.cli import main
from victim_monitor.publication.figures import read_figures
from victim_monitor.publication.from_figures import publish_figures
from victim_monitor.published import PublicationError, load_publication

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "slachtoffermonitor-2014-2018" / "figures.csv"
HEADER = "table,year,key,value,low,high,source,note\n"


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("real") / "publication"
    publish_figures(EXAMPLE, range(2014, 2019), out)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_shipped_figures_file_has_no_problems_and_a_source_on_every_row() -> None:
    found = read_figures(EXAMPLE)
    assert found.problems == ()
    assert all(f.source for f in found.figures)
    assert len(found.figures) == len(_rows(EXAMPLE))


def test_every_figure_is_published_with_its_source_and_nothing_else_is_a_number(
    real: Path,
) -> None:
    figures = {(r["table"], r["year"], r["key"]): r for r in _rows(EXAMPLE)}
    pub = load_publication(real)
    table = pub.table("victims_by_year")
    for year in ("2014", "2018"):
        row = figures[("victims_by_year", year, "")]
        cell = table.cell(year=year)
        assert cell.value == int(row["value"])
        assert cell.outcome == "shown"
        assert cell.source.startswith(row["source"])
    ages = pub.table("domestic_sexual_by_age")
    assert ages.value(year="2018", age_group="minor") == 29
    # Not published: known to be missing, never a zero.
    missing = ages.cell(year="2014", age_group="minor")
    assert missing.value is None
    assert missing.outcome == "not_available"
    assert missing.source == ""
    for name, t in pub.tables.items():
        for c in t.cells:
            assert (c.value is None) == (c.outcome == "not_available"), (name, c)
            assert bool(c.source) == (c.outcome == "shown"), (name, c)
    with (real / "tables" / "domestic_sexual_by_age.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["outcome"] for r in rows} == {"shown", "not_available"}
    assert all(r["value"] == "" for r in rows if r["outcome"] == "not_available")


def test_a_cell_holding_the_same_persons_as_a_published_figure_takes_that_figure(
    real: Path,
) -> None:
    pub = load_publication(real)
    # domestic sexual exploitation's total by age is that form's count (132 in 2018)
    total = pub.table("domestic_sexual_by_age").cell(year="2018", age_group="Total")
    form = pub.table("victims_by_form").value(year="2018", form_group="domestic_sexual")
    assert total.value == form
    # a table's margin is the year's registered victims
    assert pub.table("victims_by_age").value(year="2016", age_group="Total") == 952


def test_the_estimates_are_the_published_ranges_for_the_years_they_hold_for(real: Path) -> None:
    data = json.loads((real / "estimates.json").read_text("utf-8"))
    assert data["method"] == "published"
    years = [e["year"] for e in data["estimates"]]
    assert years == ["2014", "2015"]  # the 2017 estimate is for the years around 2014-2015
    first = data["estimates"][0]
    assert (first["low"], first["estimate"], first["high"]) == (5000, 6250, 7500)
    assert first["source"]
    assert first["basis"] == "published"
    assert first["coverage"] == round(1255 / 6250, 3)
    strata = {tuple(sorted(e["stratum"].items())): e for e in data["strata"]}
    minors = strata[(("age_group", "minor"), ("form_group", "domestic_sexual"))]
    assert minors["estimate"] == 1300
    assert minors["low"] is None
    header = (real / "estimates.csv").read_text("utf-8").split("\n", 1)[0]
    assert header.endswith(",source")


def test_a_published_period_mean_is_compared_with_the_later_year(real: Path) -> None:
    pub = load_publication(real)
    trend = pub.trend(
        "victims_by_reporter_type/reporter_type=non_investigative/2014+2015+2016+2017/2018"
    )
    assert (trend.from_value, trend.to_value, trend.direction) == (550, 150, "down")
    assert trend.source


def test_the_data_package_of_a_figures_publication_validates_offline(
    real: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    def refuse(*args: object, **kwargs: object) -> Any:
        raise AssertionError("no network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    report = frictionless.validate(str(real / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_every_problem_of_a_figures_file_is_reported_with_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    path.write_text(
        HEADER
        + "victims_by_yr,2018,,668,,,src,\n"  # row 2: no such table
        + "victims_by_year,20x8,,668,,,src,\n"  # row 3: no year
        + "victims_by_form,2018,form_group=domestic,5,,,src,\n"  # row 4: no such category
        + "victims_by_year,2017,,~956,,,,\n"  # row 5: not a count, no source
        + "victims_by_year,2018,,668,,,src,\n"
        + "victims_by_year,2018,,669,,,other,\n"  # row 7: twice
        + "estimates,2014,,8000,5000,7500,src,\n",  # row 8: outside its interval
        encoding="utf-8",
    )
    found = read_figures(path)
    located = {(p.code, p.row, p.field) for p in found.problems}
    assert located == {
        ("VM751", 2, "table"),
        ("VM753", 3, "year"),
        ("VM751", 4, "key"),
        ("VM752", 5, "value"),
        ("VM755", 5, "source"),
        ("VM754", 7, None),
        ("VM752", 8, "value"),
    }
    with pytest.raises(PublicationError) as caught:
        publish_figures(path, range(2014, 2019), tmp_path / "out")
    assert len(caught.value.problems) == len(located)
    assert not (tmp_path / "out").exists()


def test_two_figures_for_the_same_persons_must_agree(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    path.write_text(
        HEADER
        + "victims_by_year,2018,,668,,,src,\n"
        + "victims_by_form,2018,form_group=domestic_sexual,132,,,src,\n"
        + "domestic_sexual_by_age,2018,age_group=Total,130,,,src,\n"
        + "victims_by_age,2018,age_group=minor,700,,,src,\n",
        encoding="utf-8",
    )
    with pytest.raises(PublicationError) as caught:
        publish_figures(path, [2018], tmp_path / "out")
    codes = [p.code for p in caught.value.problems]
    assert codes == ["VM756", "VM756"]  # 130 against 132; 700 minors of 668 victims


def test_the_command_writes_the_real_edition_and_reports_problems(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "publication"
    args = ["publish", "--from-figures", str(EXAMPLE), "--years", "2014-2018", "--out", str(out)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert load_publication(out).source["kind"] == "published_figures"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "victims_by_year,2018,,x,,,src,\n", encoding="utf-8")
    args[2], args[-1] = str(bad), str(tmp_path / "bad")
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert "VM752" in result.output


def test_a_eurostat_table_from_figures_omits_what_was_not_published(tmp_path: Path) -> None:
    path = tmp_path / "figures.csv"
    path.write_text(
        HEADER
        + "victims_by_year,2018,,668,,,src,\n"
        + "eurostat_sex_age,2018,sex=female;age_group=minor,50,,,src,\n",
        encoding="utf-8",
    )
    publish_figures(path, [2018], tmp_path / "out")
    rows = _rows(tmp_path / "out" / "sdmx" / "crim_thb_vsage.csv")
    # the given cell and the grand total (the year's registered victims), nothing else
    assert sorted((r["sex"], r["age"], r["OBS_VALUE"]) for r in rows) == [
        ("F", "Y_LT18", "50"),
        ("T", "TOTAL", "668"),
    ]
    assert all(r["OBS_FLAG"] == "" for r in rows)
