"""The published directory round-trips through the loader, and damage is caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.publication.sample import sample
from victim_monitor.published import PublicationError, load_publication, write_publication


def test_a_publication_round_trips(tmp_path: Path) -> None:
    pub = sample()
    write_publication(pub, tmp_path / "pub")
    back = load_publication(tmp_path / "pub")
    assert back == pub
    table = back.table("victims_by_sex")
    assert table.value(year="2018", sex="male") == 12
    assert table.value(year=2017, sex="male") is None
    assert table.cell(year="2017", sex="male").outcome == "suppressed"
    assert table.label("sex", "Total", "nl") == "Totaal"
    frame = table.frame()
    assert list(frame.columns) == ["year", "sex", "value", "outcome"]
    assert frame["value"].isna().sum() == 1


def test_the_csv_leaves_a_suppressed_cell_empty(tmp_path: Path) -> None:
    write_publication(sample(), tmp_path / "pub")
    lines = (tmp_path / "pub" / "tables" / "victims_by_sex.csv").read_text().splitlines()
    assert lines[0] == "year,sex,value,outcome"
    assert "2017,male,,suppressed" in lines


def test_writing_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    write_publication(sample(), tmp_path / "a")
    write_publication(sample(), tmp_path / "b")
    write_publication(sample(), tmp_path / "b")  # replacing an existing directory
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.*")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.*")}
    assert a == b
    assert len(a) == 10  # with datapackage.json and tables.xlsx


def test_a_changed_file_is_vm745(tmp_path: Path) -> None:
    write_publication(sample(), tmp_path / "pub")
    path = tmp_path / "pub" / "tables" / "victims_by_sex.csv"
    path.write_text(path.read_text().replace(",,suppressed", ",5,shown"))
    with pytest.raises(PublicationError) as err:
        load_publication(tmp_path / "pub")
    assert err.value.problems[0].code == "VM745"


def test_a_missing_or_foreign_directory_is_vm740(tmp_path: Path) -> None:
    with pytest.raises(PublicationError) as err:
        load_publication(tmp_path)
    assert err.value.problems[0].code == "VM740"
    write_publication(sample(), tmp_path / "pub")
    manifest = tmp_path / "pub" / "manifest.json"
    data = json.loads(manifest.read_text())
    del data["years"]
    manifest.write_text(json.dumps(data))
    with pytest.raises(PublicationError) as err:
        load_publication(tmp_path / "pub")
    assert err.value.problems[0].code == "VM740"
