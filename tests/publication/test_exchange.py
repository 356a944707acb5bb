"""The open-data formats of a publication: a Frictionless data package, a workbook, SDMX-CSV."""

from __future__ import annotations

import csv
import io
import json
import socket
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import frictionless
import openpyxl
import pytest

from tests.linkage.testbed import Submissions, import_files
from tests.publication.sample import sample
from victim_monitor.linkage.link import link_register
from victim_monitor.publication.run import publish
from victim_monitor.published import Publication, load_publication, write_publication
from victim_monitor.published.sdmx import DATAFLOWS, SEX
from victim_monitor.published.workbook import HEADER_ROW, MARK, ZIP_EPOCH, sheet_names
from victim_monitor.registry.organisations import load_organisations, sync_organisations
from victim_monitor.storage import connect, upgrade

LEGEND_NL = "× niet gepubliceerd ter bescherming van slachtoffers"
LEGEND_EN = "× not published, to protect victims"


# One worker runs the module: its module fixtures are built once, not once per worker.
pytestmark = pytest.mark.xdist_group("publication_exchange")


@pytest.fixture(scope="module")
def published(submissions: Submissions, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A publication of the small linked register (SQLite: the files do not depend on it)."""
    root = tmp_path_factory.mktemp("exchange")
    engine = connect(f"sqlite:///{root / 'register.db'}")
    try:
        upgrade(engine)
        sync_organisations(engine, load_organisations())
        import_files(engine, submissions.files())
        link_register(engine)
        publish(engine, (2017, 2018), root / "pub")
    finally:
        engine.dispose()
    return root / "pub"


@pytest.fixture(scope="module")
def pub(published: Path) -> Publication:
    return load_publication(published)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach the network fails the test: validation must use local profiles."""

    def refuse(*args: object, **kwargs: object) -> Any:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_data_package_validates_offline_and_lists_every_csv(
    published: Path, offline: None
) -> None:
    report = frictionless.validate(str(published / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note", "rowNumber", "fieldName"])[:20]
    package = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in package["resources"]}
    csvs = {str(p.relative_to(published)) for p in published.rglob("*.csv")}
    assert paths == csvs
    assert {"trends.csv", "estimates.csv", "estimates-sensitivity.csv"} <= paths
    assert {f"sdmx/{f.code}.csv" for f in DATAFLOWS} <= paths
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert [lic["name"] for lic in package["licenses"]] == ["CC-BY-4.0"]
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert package["disclosure"]["policy"] == manifest["policy"]
    assert package["disclosure"]["audit"] == manifest["audit"]
    assert package["title"] == manifest["title"]["en"]
    assert package["sources"][0]["version"] == manifest["source"]["snapshot"]


def test_a_publication_without_eurostat_tables_has_no_sdmx_and_still_validates(
    tmp_path: Path, offline: None
) -> None:
    write_publication(sample(), tmp_path / "pub")
    assert not (tmp_path / "pub" / "sdmx").exists()
    manifest = json.loads((tmp_path / "pub" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sdmx"] == []
    report = frictionless.validate(str(tmp_path / "pub" / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note", "rowNumber", "fieldName"])[:20]
    book = openpyxl.load_workbook(tmp_path / "pub" / "tables.xlsx")
    assert book.sheetnames == ["Contents", "victims_by_sex", "estimates"]
    assert book["victims_by_sex"].cell(row=HEADER_ROW + 1, column=3).value == MARK


def test_a_changed_csv_fails_validation(published: Path, tmp_path: Path, offline: None) -> None:
    copy = tmp_path / "pub"
    for rel, data in _files(published).items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_bytes(data)
    path = copy / "tables" / "victims_by_form.csv"
    path.write_text(path.read_text().replace(",,suppressed", ",x,hidden", 1))
    report = frictionless.validate(str(copy / "datapackage.json"))
    found = {e[0] for e in report.flatten(["type"])}
    assert {"type-error", "constraint-error", "hash-count"} <= found


def test_each_resource_reads_back_as_its_csv(published: Path, offline: None) -> None:
    package = frictionless.Package(str(published / "datapackage.json"))
    for resource in package.resources:
        fields = {f.name: f.type for f in resource.schema.fields}
        with resource:
            rows = [dict(row) for row in resource.row_stream]
        expected = [
            {k: _typed(fields[k], v) for k, v in row.items()}
            for row in _csv(published / str(resource.path))
        ]
        assert rows == expected, resource.name
        assert rows, resource.name
        assert list(fields) == list(expected[0]), resource.name


def _typed(kind: str, text: str) -> Any:
    if text == "":
        return None
    if kind == "integer":
        return int(text)
    if kind == "number":
        return Decimal(text)  # as frictionless reads a number
    return text


def test_a_table_schema_says_what_a_suppressed_cell_is(published: Path, pub: Publication) -> None:
    package = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    for table in pub.tables.values():
        schema = resources[table.name]["schema"]
        fields = {f["name"]: f for f in schema["fields"]}
        assert list(fields) == [*table.dimensions, "value", "outcome"]
        assert fields["value"]["type"] == "integer"
        assert "suppressed" in fields["value"]["description"]
        assert schema["missingValues"] == [{"value": "", "label": "suppressed"}]
        assert schema["primaryKey"] == list(table.dimensions)
        for dim in table.dimensions:
            assert fields[dim]["constraints"]["enum"] == list(table.categories[dim])
            labels = {c["value"]: c["label"] for c in fields[dim]["categories"]}
            assert labels == {c: lab.en for c, lab in table.labels[dim].items()}
        assert resources[table.name]["title"] == table.title.en
        assert table.definition.en in resources[table.name]["description"]


def test_the_workbook_has_a_sheet_per_table_with_x_for_suppressed_cells(
    published: Path, pub: Publication
) -> None:
    book = openpyxl.load_workbook(published / "tables.xlsx")
    assert book.sheetnames == ["Contents", *sorted(pub.tables), "estimates"]
    suppressed = 0
    for name, table in pub.tables.items():
        sheet = book[name]
        notes = [sheet.cell(row=r, column=1).value for r in range(1, HEADER_ROW)]
        assert notes[:4] == [table.title.en, table.title.nl, table.definition.en,
                             table.definition.nl]  # fmt: skip
        assert any(LEGEND_NL in str(n) and LEGEND_EN in str(n) for n in notes)
        across = table.dimensions[-1] if len(table.dimensions) > 1 else None
        width = len(table.categories[across]) if across else 1
        down = len(table.dimensions) - (1 if across else 0)
        grid = [
            [sheet.cell(row=r, column=down + c).value for c in range(1, width + 1)]
            for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(table.cells) // width)
        ]
        values = [v for row in grid for v in row]
        assert len(values) == len(table.cells)  # cells in the JSON's order, last dim across
        for cell, shown in zip(table.cells, values, strict=True):
            if cell.suppressed:
                assert shown == MARK
                suppressed += 1
            else:
                assert shown == cell.value, (name, cell.key)
                assert isinstance(shown, int), (name, cell.key)
        assert sheet.cell(row=HEADER_ROW + 1 + len(grid), column=1).value is None
    assert suppressed == sum(c.suppressed for t in pub.tables.values() for c in t.cells) > 0
    estimates = book["estimates"]
    years = [
        estimates.cell(row=r, column=3).value
        for r in range(7, 7 + len(pub.estimates))
    ]  # fmt: skip
    assert years == [e.year for e in pub.estimates]
    contents = [c.value for c in book["Contents"]["A"]]
    assert set(pub.tables) <= set(contents)


def test_sheet_names_are_short_unique_and_valid() -> None:
    long = "a_table_with_a_name_longer_than_thirty_one_characters"
    names = sheet_names([long, long + "_too", "what?[x]", "Contents", "contents"], ("Contents",))
    assert all(len(n) <= 31 for n in names.values())
    assert len({n.lower() for n in names.values()}) == len(names)
    assert names[long] == long[:31]
    assert names[long + "_too"] == long[:29] + "~2"
    assert names["what?[x]"] == "what__x_"
    assert names["Contents"] == "Contents~2"
    assert names["contents"] == "contents~3"


def test_the_sdmx_files_use_eurostat_columns_codes_and_the_confidential_flag(
    published: Path, pub: Publication
) -> None:
    for flow in DATAFLOWS:
        table = pub.tables[flow.table]
        text = (published / flow.path).read_text(encoding="utf-8")
        assert text.splitlines()[0] == ",".join(flow.columns)
        rows = _csv(published / flow.path)
        assert len(rows) == len(table.cells)
        for row, cell in zip(rows, table.cells, strict=True):
            year, sex, category = cell.key
            assert row["DATAFLOW"] == f"ESTAT:{flow.code.upper()}(1.0)"
            assert (row["freq"], row["unit"], row["geo"]) == ("A", "NR", "NL")
            assert row["TIME_PERIOD"] == year
            assert row["sex"] == SEX[sex]
            assert row[flow.concept] == flow.codes[category]
            if cell.suppressed:
                assert (row["OBS_VALUE"], row["OBS_FLAG"]) == ("", "c")
            else:
                assert (int(row["OBS_VALUE"]), row["OBS_FLAG"]) == (cell.value, "")
    codes = {f.code: f for f in DATAFLOWS}
    assert codes["crim_thb_vctz"].codes["other_eu"] == "EU27_2020_FOR"
    assert codes["crim_thb_vsage"].codes["minor"] == "Y_LT18"
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    assert [s["csv"] for s in manifest["sdmx"]] == [f.path for f in DATAFLOWS]


def test_every_file_is_in_the_manifest_and_a_rerun_writes_the_same_bytes(
    published: Path, pub: Publication, tmp_path: Path
) -> None:
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    on_disk = _files(published)
    assert set(manifest["files"]) | {"manifest.json"} == set(on_disk)
    assert (manifest["datapackage"], manifest["workbook"]) == ("datapackage.json", "tables.xlsx")
    write_publication(pub, tmp_path / "again")
    assert _files(tmp_path / "again") == on_disk
    with zipfile.ZipFile(io.BytesIO(on_disk["tables.xlsx"])) as archive:
        assert {i.date_time for i in archive.infolist()} == {ZIP_EPOCH}
        core = archive.read("docProps/core.xml").decode()
    assert "1980-01-01T00:00:00Z" in core
