"""Hostile submission files (issue 14, H2 and M2), made in each test.

H2: workbooks that unpack to gigabytes or hold millions of rows or cells are refused by the zip
directory or the streaming scan, before openpyxl parses them, with a VM108-VM110 problem; the
same limits bound CSV and JSON. M2: a problem never repeats a value from the file, so a raw
file imported without its header row leaves no name or birth date in the stored problems.
"""

from __future__ import annotations

import json
import tracemalloc
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import Engine, select, update

from tests.registry import factory
from tests.web.conftest import Login
from tests.web.test_workspace import _upload
from victim_monitor.cli import main
from victim_monitor.registry.checks import COLUMNS
from victim_monitor.registry.formats import UnreadableFileError
from victim_monitor.registry.intake import IntakeResult, import_submission
from victim_monitor.registry.limits import LIMITS, Limits
from victim_monitor.registry.workbook import check_directory
from victim_monitor.storage.migrate import _config, upgrade
from victim_monitor.storage.schema import submissions

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

# A raw file as an organisation keeps it (synthetic person), before `victim-monitor encode`.
RAW_ROW = ["ZC2018-00042", "Nora", "Visser", "1971-04-28", "F", "2018-03-15"]
IDENTIFYING = RAW_ROW[:4]  # case reference, first and last name, birth date


# --- building workbooks --------------------------------------------------------------------


def _cell(column: int, row: int, text: str) -> bytes:
    ref = _letters(column) + str(row)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{escaped}</t></is></c>'.encode()


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _row(number: int, values: Iterable[str]) -> bytes:
    cells = b"".join(_cell(i, number, v) for i, v in enumerate(values, start=1))
    return b'<row r="%d">%s</row>' % (number, cells)


def _submission_rows(n: int = 2, start: int = 0) -> Iterator[bytes]:
    """A valid submission's header and ``n`` reports, as worksheet rows."""
    yield _row(1, COLUMNS)
    for number, report in enumerate(factory.reports(n, start), start=2):
        yield _row(number, [report[c] for c in COLUMNS])


def workbook(
    path: Path,
    rows: Iterable[bytes],
    *,
    shared: Iterable[bytes] | None = None,
    shared_part: str = "xl/sharedStrings.xml",
    prologue: bytes = b"",
    dimension: str | None = None,
    parts: int = 0,
) -> Path:
    """An XLSX file whose first sheet streams ``rows`` (and shared strings ``shared``)."""
    overrides = f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
    if shared is not None:
        overrides += f'<Override PartName="/{shared_part}" ContentType="{STRINGS_TYPE}"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
            '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats'
            f'-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(prologue + f'<worksheet xmlns="{MAIN}">'.encode())
            if dimension is not None:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for row in rows:
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
        if shared is not None:
            with archive.open(shared_part, "w") as table:
                table.write(f'<sst xmlns="{MAIN}">'.encode())
                for entry in shared:
                    table.write(entry)
                table.write(b"</sst>")
        for number in range(parts):
            archive.writestr(f"docProps/extra{number}.xml", "<x/>")
    return path


def _repeat(piece: bytes, total: int) -> Iterator[bytes]:
    """``total`` bytes of ``piece`` repeated, in chunks of about 1 MiB."""
    chunk = piece * max(1, (1 << 20) // len(piece))
    while total > 0:
        yield chunk[:total]
        total -= len(chunk)


def _import(engine: Engine, path: Path, **kwargs: Any) -> IntakeResult:
    return import_submission(engine, path, "POL", **kwargs)


def _codes(result: IntakeResult) -> list[str]:
    return [p.code for p in result.problems]


@pytest.fixture
def unparsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl must not be reached: the file is refused before anything is parsed."""
    import openpyxl

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("openpyxl was asked to parse a refused workbook")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


# --- H2: workbooks -------------------------------------------------------------------------


def test_a_valid_workbook_built_here_is_accepted(engine: Engine, tmp_path: Path) -> None:
    result = _import(engine, workbook(tmp_path / "good.xlsx", _submission_rows(3)))
    assert result.outcome == "accepted", result.summary()
    assert result.rows_new == 3


def test_a_shared_string_bomb_is_refused_by_the_zip_directory_in_little_memory(
    engine: Engine, tmp_path: Path, unparsed: None
) -> None:
    # 40 MiB of shared text packed into some 40 KiB (the reported one: 1.5 GB in 3.3 MB),
    # beside a valid sheet that never uses it: the old reader loaded it and accepted the file.
    bomb = _repeat(b"A", 40 << 20)
    entries = [b"<si><t>", *bomb, b"</t></si>"]
    path = workbook(tmp_path / "bomb.xlsx", _submission_rows(), shared=entries)
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        result = _import(engine, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.outcome == "rejected"
    assert _codes(result) == ["VM108"]
    problem = result.problems[0]
    assert problem.file == "bomb.xlsx"
    assert "shared-string table" in problem.message
    assert peak < 8 << 20  # far below the 40 MiB the table unpacks to


def test_a_workbook_of_millions_of_tiny_rows_is_refused_by_its_compression_ratio(
    engine: Engine, tmp_path: Path, unparsed: None
) -> None:
    # The reported one: 20 million one-cell rows in 2.9 MB. Here 200,000 (5 MiB unpacked).
    rows = [_row(1, COLUMNS), *_repeat(b"<row><c><v>1</v></c></row>", 5 << 20)]
    path = workbook(tmp_path / "rows.xlsx", rows)
    result = _import(engine, path)
    assert _codes(result) == ["VM108"]
    assert "a worksheet unpacks" in result.problems[0].message
    assert "compress at most 100 times" in result.problems[0].message


def test_row_numbers_past_excels_last_row_are_refused_before_parsing(
    engine: Engine, tmp_path: Path, unparsed: None
) -> None:
    # A few bytes that would make openpyxl yield two million empty rows.
    rows = [*_submission_rows(), b'<row r="2000000"><c><v>1</v></c></row>']
    result = _import(engine, workbook(tmp_path / "far.xlsx", rows))
    assert _codes(result) == ["VM109"]
    assert result.problems[0].row == LIMITS.max_sheet_rows + 1
    assert "1,048,576 rows" in result.problems[0].message


@pytest.mark.parametrize(
    "row",
    [
        # 300 cells, or one cell repeated: openpyxl would hold them all as one row.
        b"".join(_cell(i, 3, "x") for i in range(1, 301)),
        b'<c r="A3"><v>1</v></c>' * 5000,
        b'<c r="AAAA3"><v>1</v></c>',  # a column past any sheet's width
    ],
    ids=["300-columns", "one-cell-5000-times", "column-AAAA"],
)
def test_a_row_too_wide_is_refused_before_parsing(
    engine: Engine, tmp_path: Path, unparsed: None, row: bytes
) -> None:
    rows = [*_submission_rows(1), b'<row r="3">' + row + b"</row>"]
    result = _import(engine, workbook(tmp_path / "wide.xlsx", rows))
    assert _codes(result) == ["VM109"]
    assert result.problems[0].row == 3


def test_a_cell_too_long_is_refused_naming_row_and_column(
    engine: Engine, tmp_path: Path, unparsed: None
) -> None:
    report = factory.report(1)
    values = [report[c] for c in COLUMNS]
    values[2] = "x" * (LIMITS.max_cell_chars + 1)  # case_reference
    rows = [_row(1, COLUMNS), _row(2, values)]
    result = _import(engine, workbook(tmp_path / "long.xlsx", rows))
    assert _codes(result) == ["VM110"]
    problem = result.problems[0]
    assert (problem.row, problem.field) == (2, "column 3")


def test_too_many_parts_or_too_much_in_all_is_refused(engine: Engine, tmp_path: Path) -> None:
    many = workbook(tmp_path / "parts.xlsx", _submission_rows(), parts=LIMITS.max_members)
    result = _import(engine, many)
    assert _codes(result) == ["VM108"]
    assert f"at most {LIMITS.max_members}" in result.problems[0].message
    small = Limits(max_total_bytes=20_000)
    result = _import(engine, workbook(tmp_path / "total.xlsx", _submission_rows(20)), limits=small)
    assert _codes(result) == ["VM108"]
    assert "the workbook unpacks to" in result.problems[0].message


def test_a_zip_directory_too_large_is_refused_before_zipfile_parses_it(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # zipfile holds some 500 bytes per listed part: a 50 MB file could list a million.
    listed = workbook(tmp_path / "listed.xlsx", _submission_rows(), parts=200)
    data = bytearray(workbook(tmp_path / "zip64.xlsx", _submission_rows()).read_bytes())
    # The same directory claimed 1 GB large through zip64 end records (as zipfile reads them).
    end = data.rfind(b"PK\x05\x06")
    zip64 = b"PK\x06\x06" + (44).to_bytes(8, "little") + bytes(28) + (10**9).to_bytes(8, "little")
    zip64 += bytes(8)
    locator = b"PK\x06\x07" + bytes(4) + end.to_bytes(8, "little") + (1).to_bytes(4, "little")
    forged = tmp_path / "forged.xlsx"
    forged.write_bytes(bytes(data[:end]) + zip64 + locator + bytes(data[end:]))

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("zipfile was asked to read a refused directory")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    result = _import(engine, listed, limits=Limits(max_members=10))
    assert _codes(result) == ["VM108"]
    assert "zip directory" in result.problems[0].message
    result = _import(engine, forged)
    assert _codes(result) == ["VM108"]
    assert "1,000,000,000 bytes" in result.problems[0].message


def test_a_shared_string_table_is_known_by_its_content_not_its_name(
    engine: Engine, tmp_path: Path, unparsed: None
) -> None:
    # Declared as the shared strings but stored where a worksheet usually is, and under a
    # made-up name: either way the scan counts its entries.
    entries = [b"<si><t>%d</t></si>" % i for i in range(11)]
    for part in ("xl/worksheets/sheet7.xml", "xl/notes.bin"):
        path = workbook(
            tmp_path / "renamed.xlsx", _submission_rows(), shared=entries, shared_part=part
        )
        result = _import(engine, path, limits=Limits(max_shared_strings=10))
        assert _codes(result) == ["VM109"], part
        assert "more than 10 entries" in result.problems[0].message


def test_a_dtd_is_refused(engine: Engine, tmp_path: Path, unparsed: None) -> None:
    prologue = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]>'
    path = workbook(tmp_path / "dtd.xlsx", _submission_rows(), prologue=prologue)
    result = _import(engine, path)
    assert _codes(result) == ["VM101"]
    assert "DTD" in result.problems[0].message


def test_the_declared_dimension_neither_pads_rows_nor_drops_them(
    engine: Engine, tmp_path: Path
) -> None:
    # A1:B2 for a sheet of 4 reports: openpyxl trusted it and read only the first.
    short = workbook(tmp_path / "short.xlsx", _submission_rows(4), dimension="A1:B2")
    result = _import(engine, short)
    assert result.outcome == "accepted", result.summary()
    assert result.rows_new == 4
    wide = workbook(tmp_path / "wide.xlsx", _submission_rows(2, start=10), dimension="A1:XFD3")
    assert _import(engine, wide).rows_new == 2


def test_the_zip_directory_alone_refuses_a_bomb(tmp_path: Path) -> None:
    # zipfile stops each part at its declared size, so the directory is enough: the bomb is
    # refused by its declared size and ratio without a byte of it being inflated.
    path = workbook(tmp_path / "bomb.xlsx", _submission_rows(), shared=_repeat(b"A", 8 << 20))
    with zipfile.ZipFile(path) as archive, pytest.raises(UnreadableFileError) as caught:
        check_directory(archive.infolist(), path.name, LIMITS)
    assert caught.value.problem.code == "VM108"
    assert "8.0 MiB" in caught.value.problem.message


# --- the same limits for CSV and JSON ------------------------------------------------------


def test_csv_limits_give_the_same_codes(engine: Engine, tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(LIMITS.max_columns + 1)) + "\n1\n")
    assert _codes(_import(engine, wide)) == ["VM109"]
    long = factory.write_csv(tmp_path / "long.csv", factory.reports(2))
    with long.open("a") as handle:
        handle.write("1," + "x" * 200_000 + "\n")
    result = _import(engine, long)
    assert "VM110" in _codes(result)
    assert next(p for p in result.problems if p.code == "VM110").row == 4
    # One line of a million bytes and no line break: refused before it is read whole.
    endless = tmp_path / "endless.csv"
    endless.write_text("a" * 1_000_000)
    assert _codes(_import(engine, endless)) == ["VM110"]


def test_json_limits_give_the_same_codes(engine: Engine, tmp_path: Path) -> None:
    rows = factory.reports(2)
    rows[1]["sector"] = "y" * (LIMITS.max_cell_chars + 1)
    result = _import(engine, factory.write_jsonl(tmp_path / "long.jsonl", rows))
    assert _codes(result) == ["VM110"]
    assert result.problems[0].row == 2
    wide = tmp_path / "wide.json"
    wide.write_text(json.dumps([{f"k{i}": 1 for i in range(LIMITS.max_columns + 1)}]))
    assert _codes(_import(engine, wide)) == ["VM109"]


# --- the CLI and the web show the problem --------------------------------------------------


def test_the_cli_refuses_a_bomb_with_exit_1(tmp_path: Path, unparsed: None) -> None:
    path = workbook(tmp_path / "bomb.xlsx", _submission_rows(), shared=_repeat(b"A", 8 << 20))
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(
        main,
        ["import", str(path), "--organisation", "POL", "--database", db],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert "bomb.xlsx: VM108 error" in result.output


def test_the_web_upload_shows_the_limit_problem(login: Login, tmp_path: Path) -> None:
    path = workbook(tmp_path / "bomb.xlsx", _submission_rows(), shared=_repeat(b"A", 8 << 20))
    client = login("reporter")
    page = client.get(_upload(client, path))
    assert page.status_code == 200
    assert "rejected" in page.text
    assert "<code>VM108</code>" in page.text


# --- M2: no value from the file in a problem -----------------------------------------------


def _raw_without_header(tmp_path: Path) -> Path:
    path = tmp_path / "raw.csv"
    other = ["ZC2018-00043", "Eva", "de Boer", "1988-11-02", "F", "2018-04-01"]
    path.write_text(",".join(RAW_ROW) + "\n" + ",".join(other) + "\n", "utf-8")
    return path


def test_a_raw_file_without_header_leaves_no_identifier_in_stored_problems(
    engine: Engine, tmp_path: Path
) -> None:
    result = _import(engine, _raw_without_header(tmp_path))
    assert result.outcome == "rejected"
    assert "VM102" in _codes(result)
    with engine.connect() as conn:
        stored = conn.execute(select(submissions.c.problems)).scalar_one()
    text = json.dumps(stored) + result.summary() + json.dumps(result.as_dict())
    for value in IDENTIFYING:
        assert value not in text
    unknown = [p for p in stored if p["code"] == "VM102"]
    assert [p["field"] for p in unknown] == [f"column {n}" for n in range(1, 7)]
    assert all(p["value"] is None for p in stored)


@pytest.mark.parametrize(
    "column",
    [
        "report_date",
        "sex",
        "birth_year",
        "age_at_report",
        "nationality",
        "exploitation",
        "sector",
        "border_crossed",
        "format_version",
        "key_id",
        "residence_permit",
    ],
)
def test_a_shifted_name_or_birth_date_is_not_repeated_in_any_field(
    engine: Engine, tmp_path: Path, column: str
) -> None:
    # A column shifted by one puts a name or a birth date where a code is expected.
    rows = factory.reports(3)
    rows[1][column] = "Nora Visser"
    rows[2][column] = "28-04-1971"
    result = _import(engine, factory.write_csv(tmp_path / "shifted.csv", rows))
    assert result.outcome == "rejected"
    assert {p.field for p in result.problems} == {column}
    with engine.connect() as conn:
        stored = json.dumps(conn.execute(select(submissions.c.problems)).scalar_one())
    for text in (stored, result.summary()):
        assert "Nora" not in text
        assert "1971" not in text


def test_the_web_shows_no_identifier_from_a_raw_file(login: Login, tmp_path: Path) -> None:
    client = login("reporter")
    page = client.get(_upload(client, _raw_without_header(tmp_path)))
    assert "<code>VM102</code>" in page.text
    staff = login("staff")
    submission_id = page.url.path.rsplit("/", 1)[1]
    shown = page.text + staff.get(f"/api/workspace/submissions/{submission_id}").text
    shown += staff.get(f"/en/workspace/submissions/{submission_id}").text
    for value in IDENTIFYING:
        assert value not in shown


def test_problems_stored_before_lose_their_values_on_upgrade(
    engine: Engine, tmp_path: Path
) -> None:
    _import(engine, _raw_without_header(tmp_path))
    old_style = [  # as intake stored them before issue 14
        {"code": "VM102", "severity": "error", "file": "raw.csv", "row": 1, "field": "Nora",
         "value": None, "message": "column 'Nora' is not part of submission format v1"},
        {"code": "VM203", "severity": "error", "file": "raw.csv", "row": 2,
         "field": "report_date", "value": "1971-04-28", "message": "write the date as YYYY-MM-DD"},
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(update(submissions).values(problems=old_style))
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0006")
    upgrade(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(submissions.c.problems)).scalar_one()
    assert "Nora" not in json.dumps(stored)
    assert "1971" not in json.dumps(stored)
    assert [(p["code"], p["field"], p["value"]) for p in stored] == [
        ("VM102", None, None),
        ("VM203", "report_date", None),
    ]
