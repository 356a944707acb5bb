"""``victim-monitor export``: nothing that identifies a person, Parquet equal to CSV, every
column in the dictionary, the capture histories as the estimation reads them, all or nothing."""

from __future__ import annotations

import csv
import json
import socket
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, select

from victim_monitor.cli import main
from victim_monitor.estimation import parse_table
from victim_monitor.exchange import ExchangeError, export, export_register
from victim_monitor.linkage import capture_histories, persons_per_year
from victim_monitor.storage.schema import PSEUDONYM_FIELDS, reports

IDENTIFYING = {
    *PSEUDONYM_FIELDS,
    "bloom",
    "case_reference",
    "report_date",
    "first_report_date",
    "birth_year",
    "content_sha256",
    "key_id",
    "id",
    "submission_id",
}


def _tables(out: Path, suffix: str) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every exported file: its header and rows (CSV as text, Parquet as values)."""
    found = {}
    for path in sorted(out.rglob(f"*.{suffix}")):
        name = path.relative_to(out).with_suffix("").as_posix()
        if suffix == "csv":
            with path.open(encoding="utf-8", newline="") as handle:
                header, *rows = list(csv.reader(handle))
            found[name] = (header, [tuple(r) for r in rows])
        else:
            with duckdb.connect() as con:
                rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
                found[name] = (list(rel.columns), rel.fetchall())
    return found


def _secrets(engine: Engine) -> set[str]:
    """Every pseudonym, Bloom filter and case reference the register holds."""
    columns = [reports.c[f] for f in (*PSEUDONYM_FIELDS, "bloom", "case_reference")]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns)).all()
    return {str(v) for row in rows for v in row if v}


def test_no_exported_file_holds_an_identifying_column_or_value(
    linked: Engine, tmp_path: Path
) -> None:
    secrets = _secrets(linked)
    assert len(secrets) > 1000
    for suffix in ("csv", "parquet"):
        out = tmp_path / suffix
        export_register(linked, out, "csv" if suffix == "csv" else "parquet")
        tables = _tables(out, suffix)
        assert {"reports", "persons", "histories/2017", "histories/2018"} <= set(tables)
        for name, (header, rows) in tables.items():
            assert not IDENTIFYING & set(header), name
            cells = {str(v) for row in rows for v in row}
            assert not cells & secrets, name
        text = "".join(p.read_text("utf-8") for p in out.glob("dictionary.*"))
        assert not any(s in text for s in secrets)


def test_parquet_holds_what_csv_holds_with_the_dictionarys_types(
    linked: Engine, tmp_path: Path
) -> None:
    export_register(linked, tmp_path / "csv", "csv")
    export_register(linked, tmp_path / "pq", "parquet")
    as_csv, as_parquet = _tables(tmp_path / "csv", "csv"), _tables(tmp_path / "pq", "parquet")
    assert set(as_csv) == set(as_parquet)
    kinds = json.loads((tmp_path / "pq" / "dictionary.json").read_text("utf-8"))
    types = {f["path"]: {c["name"]: c["type"] for c in f["columns"]} for f in kinds["files"]}
    for name, (header, rows) in as_csv.items():
        pheader, prows = as_parquet[name]
        assert pheader == header, name
        assert [tuple("" if v is None else str(v) for v in r) for r in prows] == rows, name
        for i, column in enumerate(header):
            want = int if types[f"{name}.parquet"][column] == "integer" else str
            assert all(r[i] is None or type(r[i]) is want for r in prows), (name, column)


def test_the_dictionary_describes_every_file_and_column(linked: Engine, tmp_path: Path) -> None:
    result = export_register(linked, tmp_path / "out", "csv")
    out = result.out
    data = json.loads((out / "dictionary.json").read_text("utf-8"))
    markdown = (out / "dictionary.md").read_text("utf-8")
    described = {f["path"]: f for f in data["files"]}
    written = {p.relative_to(out).as_posix() for p in out.rglob("*.csv")}
    assert set(described) == written == set(result.files)
    for path, entry in described.items():
        with (out / path).open(encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert [c["name"] for c in entry["columns"]] == header, path
        assert all(c["type"] in ("integer", "string") and c["meaning"] for c in entry["columns"])
        assert f"## `{path}`" in markdown
        section = markdown.split(f"## `{path}`", 1)[1].split("\n## ", 1)[0]
        assert all(f"| `{name}` |" in section for name in header), path
    left_out = {c for x in data["left_out"] for c in x["columns"]}
    assert {*PSEUDONYM_FIELDS, "bloom", "case_reference", "report_date"} <= left_out


def test_capture_histories_are_the_tables_the_estimation_reads(
    linked: Engine, tmp_path: Path
) -> None:
    out = export_register(linked, tmp_path / "out", "csv").out
    for year, persons in persons_per_year(linked).items():
        table = parse_table((out / "histories" / f"{year}.csv").read_text("utf-8"))
        assert not isinstance(table, list)
        assert table.observed == persons
        assert not table.warnings  # no empty list column (VM511), as publish hands them over
        full = capture_histories(linked, year)
        sizes = {x: int((full[x] * full["count"]).sum()) for x in table.lists}
        assert table.list_sizes() == sizes
        strata = sorted(out.glob(f"histories/{year}-*.csv"))
        assert len(strata) >= 3
        within = [parse_table(p.read_text("utf-8")) for p in strata]
        assert sum(t.observed for t in within if not isinstance(t, list)) == persons


def test_reports_link_to_persons_by_the_exports_own_number(linked: Engine, tmp_path: Path) -> None:
    tables = _tables(export_register(linked, tmp_path / "out", "csv").out, "csv")
    _, rows = tables["reports"]
    pheader, prows = tables["persons"]
    numbers = [int(r[0]) for r in prows]
    assert numbers == list(range(1, len(prows) + 1))
    by_person: dict[str, int] = {}
    for row in rows:
        by_person[row[0]] = by_person.get(row[0], 0) + 1
    n_reports = pheader.index("n_reports")
    assert all(by_person[r[0]] == int(r[n_reports]) for r in prows)


def test_a_directory_of_other_files_is_refused_and_an_earlier_export_replaced(
    linked: Engine, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_text("mine", "utf-8")
    with pytest.raises(ExchangeError) as refused:
        export_register(linked, out, "csv")
    assert refused.value.problems[0].code == "VM910"
    assert (out / "thesis.docx").read_text("utf-8") == "mine"
    again = tmp_path / "again"
    export_register(linked, again, "csv")
    (again / "reports.csv").write_text("stale", "utf-8")
    export_register(linked, again, "parquet")
    assert not (again / "reports.csv").exists()
    assert (again / "reports.parquet").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again", "out"]  # no staging left


def test_a_failed_export_writes_nothing(
    linked: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = []

    def fail_late(table: Any, path: Path) -> None:
        written.append(path)
        if len(written) == 3:
            raise OSError(28, "No space left on device")
        path.write_bytes(b"PAR1")

    monkeypatch.setattr(export, "write_parquet", fail_late)
    with pytest.raises(ExchangeError) as failed:
        export_register(linked, tmp_path / "out", "parquet")
    assert failed.value.problems[0].code == "VM911"
    assert list(tmp_path.iterdir()) == []


def test_parquet_needs_no_download(
    linked: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extensions = tmp_path / "extensions"
    extensions.mkdir()
    config = {**export.DUCKDB_CONFIG, "extension_directory": str(extensions)}
    monkeypatch.setattr(export, "DUCKDB_CONFIG", config)

    def no_network(*_args: object) -> None:
        raise AssertionError("the export tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    export_register(linked, tmp_path / "out", "parquet")
    assert list(extensions.iterdir()) == []
    with duckdb.connect(config=export.DUCKDB_CONFIG) as con:
        mode = con.execute(
            "SELECT install_mode FROM duckdb_extensions() WHERE extension_name = 'parquet'"
        ).fetchone()
    assert mode == ("STATICALLY_LINKED",)


def test_the_command_exports_and_prints_json(
    linked: Engine, database_url: str, tmp_path: Path
) -> None:
    args = ["export", "--out", str(tmp_path / "x"), "--format", "parquet"]
    done = CliRunner().invoke(main, [*args, "--database", database_url, "--json"])
    assert done.exit_code == 0, done.output
    files = json.loads(done.stdout)["files"]
    assert files["reports.parquet"] > 0
    assert files["persons.parquet"] > 0
    assert (tmp_path / "x" / "dictionary.md").is_file()
    missing = f"sqlite:///{tmp_path / 'typo.db'}"
    failed = CliRunner().invoke(main, [*args, "--database", missing, "--json"])
    assert failed.exit_code == 2
    assert json.loads(failed.stderr)["problems"][0]["code"] == "VM903"
    assert not (tmp_path / "typo.db").exists()
