"""Writing: the organisations' raw files and the truth beside them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from victim_monitor.synthetic import (
    RAW_COLUMNS,
    Population,
    SyntheticConfig,
    SyntheticFiles,
    generate,
    write,
)
from victim_monitor.synthetic import files as files_module
from victim_monitor.synthetic.recording import STYLES

SMALL = SyntheticConfig(scale=0.05, seed=7)


@pytest.fixture(scope="module")
def written(small: Population, tmp_path_factory: pytest.TempPathFactory) -> SyntheticFiles:
    return write(small, tmp_path_factory.mktemp("synthetic"))


def _tree(root: Path) -> dict[str, bytes]:
    paths = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in paths}


def _read_raw(path: Path) -> list[dict[str, str]]:
    style = STYLES[path.name.split("-")[0]]
    with path.open(encoding="utf-8-sig" if style.bom else "utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=style.delimiter))


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    write(generate(SMALL), tmp_path / "a")
    write(generate(SMALL), tmp_path / "b")
    write(generate(SyntheticConfig(scale=0.05, seed=8)), tmp_path / "c")
    a, b, c = _tree(tmp_path / "a"), _tree(tmp_path / "b"), _tree(tmp_path / "c")
    assert a == b
    assert a["truth/persons.csv"] != c["truth/persons.csv"]
    assert a["raw/POL-2014.csv"] != c["raw/POL-2014.csv"]


def test_one_raw_file_per_organisation_and_report_year(
    small: Population, written: SyntheticFiles
) -> None:
    expected = {
        f"{org}-{year}.csv"
        for org, year in small.reports[["organisation", "report_year"]].drop_duplicates().values
    }
    assert {p.name for p in written.raw} == expected
    assert {p.name for p in (written.root / "raw").iterdir()} == expected


def test_raw_files_have_exactly_the_standard_columns(written: SyntheticFiles) -> None:
    for path in written.raw:
        style = STYLES[path.name.split("-")[0]]
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") == style.bom, path.name
        header = raw.decode("utf-8-sig").splitlines()[0]
        assert header.split(style.delimiter) == list(RAW_COLUMNS), path.name


def test_raw_files_hold_every_report_once(small: Population, written: SyntheticFiles) -> None:
    rows = [
        (path.name.split("-")[0], row["case_reference"])
        for path in written.raw
        for row in _read_raw(path)
    ]
    assert len(rows) == len(set(rows)) == len(small.reports)
    truth = pd.read_csv(written.reports, dtype=str, keep_default_na=False)
    assert set(rows) == set(zip(truth["organisation"], truth["case_reference"], strict=True))


def test_raw_values_round_trip(small: Population, written: SyntheticFiles) -> None:
    path = next(p for p in written.raw if p.name.startswith("ZC-"))
    rows = pd.DataFrame(_read_raw(path))
    org, year = path.stem.split("-")
    expected = small.reports[
        (small.reports["organisation"] == org) & (small.reports["report_year"] == int(year))
    ][list(RAW_COLUMNS)].reset_index(drop=True)
    pd.testing.assert_frame_equal(rows, expected.astype(str), check_dtype=False)


def test_truth_beside_the_files(small: Population, written: SyntheticFiles) -> None:
    persons = pd.read_csv(written.persons, dtype={"capture_history": str}, keep_default_na=False)
    assert len(persons) == len(small.persons)
    assert persons["registered"].sum() == small.persons["registered"].sum()
    reports = pd.read_csv(written.reports, keep_default_na=False)
    assert set(reports["person_id"]) <= set(persons["person_id"])
    config = json.loads(written.config.read_text())
    assert config["config"]["seed"] == small.config.seed
    assert config["config"]["scale"] == small.config.scale


def test_no_names_or_birth_dates_outside_the_raw_files(
    small: Population, written: SyntheticFiles
) -> None:
    """The organisations' own files are clear by nature; the truth is not."""
    for path in (written.persons, written.reports, written.config):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert "name" not in header.replace("name_origin", "")
        assert "birth_date" not in header
    text = written.persons.read_text() + written.reports.read_text()
    surnames = set(small.persons.loc[small.persons["registered"], "last_name"])
    assert not any(f",{name}," in text for name in surnames)


def test_no_temporary_files_are_left(written: SyntheticFiles) -> None:
    assert not [p for p in written.root.rglob("*") if p.name.endswith(".tmp")]


def test_a_failed_write_leaves_the_old_file_and_no_debris(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.csv"
    target.write_text("old")

    def fail(src: str, dst: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(files_module.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        files_module._atomic_write(target, "utf-8", lambda handle: handle.write("new"))
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.csv"]
