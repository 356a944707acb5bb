"""Encoding raw files: formats in and out, header problems, atomic output, nothing in clear."""

from __future__ import annotations

import base64
import csv
import json
from pathlib import Path

import pytest

from tests.pseudonymise.conftest import WriteRaw
from tests.pseudonymise.people import PEOPLE, TODAY, person
from victim_monitor.problems import Severity
from victim_monitor.pseudonymise import (
    RAW_COLUMNS,
    SUBMISSION_COLUMNS,
    EncodeResult,
    Key,
    encode_file,
)


def _encode(raw: Path, key: Key, out: Path, **options: object) -> EncodeResult:
    return encode_file(raw, key, out, today=TODAY, **options)  # type: ignore[arg-type]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _codes(result: EncodeResult) -> list[tuple[str, int | None, str | None]]:
    return [(p.code, p.row, p.field) for p in result.problems]


def test_encodes_a_raw_csv(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    out = tmp_path / "submission.csv"
    result = _encode(write_raw(), key, out)
    assert result.ok
    assert result.out == out
    assert (result.rows_read, result.rows_written, result.errors) == (4, 4, 0)
    assert result.warnings == 1  # the person without a first name
    data = out.read_bytes()
    assert data.split(b"\r\n")[0] == ",".join(SUBMISSION_COLUMNS).encode()  # RFC 4180: CRLF
    rows = _read_csv(out)
    assert [r["case_reference"] for r in rows] == [p["case_reference"] for p in PEOPLE]
    assert {r["key_id"] for r in rows} == {key.key_id}


def _clear_values(row: dict[str, str]) -> set[str]:
    """The clear name and birth-date strings of a raw row, as written and as normalised."""
    found: set[str] = set()
    for column in ("first_name", "last_name"):
        name = row[column]
        words = name.replace("-", " ").replace(",", " ").split()
        found |= {name, name.lower(), *(w for w in words if len(w) >= 4)}
        found |= {w.lower() for w in words if len(w) >= 4}
        found.add("".join(words).lower())
    birth = row["birth_date"]
    if len(birth) > 4:  # the birth year alone is published in clear, by design
        day_first = "-".join(reversed(birth.split("-")))
        found |= {birth, day_first, birth.replace("-", "")}
    return {value for value in found if len(value) >= 4 and value != "n.n."}


def test_no_clear_identifier_anywhere_in_the_output(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    out = tmp_path / "submission.csv"
    _encode(write_raw(), key, out)
    data = out.read_bytes()
    cells = [v for row in _read_csv(out) for c, v in row.items() if c != "bloom"]
    text = "\x00".join(cells).lower()
    for person_row in PEOPLE:
        for value in _clear_values(person_row):
            assert value.lower() not in text, value
            assert value.encode() not in data, value  # the bloom column too, case-sensitive
    assert key.secret not in data
    assert key.secret.hex().encode() not in data
    assert base64.b64encode(key.secret) not in data


def test_output_is_byte_identical_for_the_same_input_and_key(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    raw = write_raw()
    _encode(raw, key, tmp_path / "a.csv")
    _encode(raw, key, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_a_workbook_encodes_as_its_csv_does(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    from openpyxl import Workbook

    raw = write_raw()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for record in csv.reader(raw.read_text("utf-8").splitlines()):
        sheet.append(record)
    book.save(tmp_path / "raw.xlsx")
    from_csv = _encode(raw, key, tmp_path / "a.csv")
    from_xlsx = _encode(tmp_path / "raw.xlsx", key, tmp_path / "b.csv")  # issue 15: CSV only
    assert from_xlsx.ok, from_xlsx.summary()
    assert from_xlsx.rows_written == from_csv.rows_written == len(PEOPLE)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_a_workbook_bomb_is_refused_before_it_is_unpacked(key: Key, tmp_path: Path) -> None:
    import zipfile

    bomb = tmp_path / "raw.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * (80 << 20) + b"</sst>")
    result = _encode(bomb, key, tmp_path / "out.csv")
    assert not result.ok
    assert [p.code for p in result.problems] == ["VM401"]
    assert "unpacks to 80.0 MiB" in result.problems[0].message  # from the zip directory
    assert not (tmp_path / "out.csv").exists()


def test_semicolon_csv_with_bom_and_dutch_headers(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    plain = write_raw(name="plain.csv")
    dutch_header = [
        {"first_name": "Voornaam", "last_name": "Achternaam", "birth_date": "Geboortedatum",
         "sex": "Geslacht", "nationality": "Nationaliteit"}.get(c, c)
        for c in RAW_COLUMNS
    ]  # fmt: skip
    rows = [{dutch_header[i]: p[c] for i, c in enumerate(RAW_COLUMNS)} for p in PEOPLE]
    excel = write_raw(
        rows, name="excel.csv", header=dutch_header, delimiter=";", encoding="utf-8-sig"
    )
    assert excel.read_bytes().startswith(b"\xef\xbb\xbf")
    _encode(plain, key, tmp_path / "from-plain.csv")
    result = _encode(excel, key, tmp_path / "from-excel.csv")
    assert result.ok
    assert (tmp_path / "from-plain.csv").read_bytes() == (tmp_path / "from-excel.csv").read_bytes()


def test_column_map(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    header = ["Dossier", *RAW_COLUMNS[1:]]
    rows = [{"Dossier": p["case_reference"], **p} for p in PEOPLE]
    raw = write_raw(rows, header=header)
    refused = _encode(raw, key, tmp_path / "refused.csv")
    assert ("VM402", 1, "case_reference") in _codes(refused)
    mapped = _encode(raw, key, tmp_path / "mapped.csv", column_map={"dossier": "Case_Reference"})
    assert mapped.ok
    assert _encode(write_raw(), key, tmp_path / "plain.csv").ok
    assert (tmp_path / "mapped.csv").read_bytes() == (tmp_path / "plain.csv").read_bytes()


def test_explicit_map_wins_over_a_column_of_the_standard_name(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    header = [*RAW_COLUMNS, "roepnaam"]
    rows = [{**p, "first_name": "Xyzzy", "roepnaam": p["first_name"]} for p in PEOPLE]
    result = _encode(
        write_raw(rows, header=header),
        key,
        tmp_path / "o.csv",
        column_map={"roepnaam": "first_name"},
    )
    _encode(write_raw(name="plain.csv"), key, tmp_path / "from-plain.csv")
    assert result.ok
    assert "first_name" in result.ignored_columns
    assert (tmp_path / "o.csv").read_bytes() == (tmp_path / "from-plain.csv").read_bytes()


def test_json_lines_and_json_outputs_hold_the_same_rows(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    raw = write_raw()
    _encode(raw, key, tmp_path / "s.csv")
    _encode(raw, key, tmp_path / "s.jsonl")
    _encode(raw, key, tmp_path / "s.json")
    from_csv = [{k: v or None for k, v in r.items()} for r in _read_csv(tmp_path / "s.csv")]
    lines = (tmp_path / "s.jsonl").read_text("utf-8").splitlines()
    from_jsonl = [json.loads(line) for line in lines]
    from_json = json.loads((tmp_path / "s.json").read_text("utf-8"))
    assert from_csv == from_jsonl == from_json
    assert list(from_jsonl[0]) == list(SUBMISSION_COLUMNS)


def test_empty_json_array_is_valid_json(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    from victim_monitor.pseudonymise.output import row_writer

    out = tmp_path / "x.json"
    with out.open("w", encoding="utf-8") as handle:
        row_writer(handle, SUBMISSION_COLUMNS, "json").close()
    assert json.loads(out.read_text("utf-8")) == []


def test_errors_write_nothing_and_leave_an_existing_file_alone(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    out = tmp_path / "submission.csv"
    out.write_text("previous submission\n", "utf-8")
    raw = write_raw([*PEOPLE, person(case_reference="T-9", birth_date="31-02-1990")])
    result = _encode(raw, key, out)
    assert not result.ok
    assert result.out is None
    assert result.rows_written == 0
    errors = [(p.code, p.row, p.field) for p in result.problems if p.severity is Severity.ERROR]
    assert errors == [("VM404", 6, "birth_date")]
    assert out.read_text("utf-8") == "previous submission\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw.csv", "submission.csv"]


def test_no_file_at_all_when_the_first_encoding_fails(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    result = _encode(write_raw([person(sex="q")]), key, tmp_path / "new.csv")
    assert not result.ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw.csv"]


def test_every_problem_is_reported_not_only_the_first(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    rows = [person(case_reference=f"T-{i}", sex="q") for i in range(30)]
    result = _encode(write_raw(rows), key, tmp_path / "o.csv")
    assert result.errors == 30
    assert result.counts == {"VM406": 30}
    assert [p.row for p in result.problems] == list(range(2, 32))


def test_missing_file_is_vm401(key: Key, tmp_path: Path) -> None:
    result = _encode(tmp_path / "absent.csv", key, tmp_path / "o.csv")
    assert [p.code for p in result.problems] == ["VM401"]
    assert not (tmp_path / "o.csv").exists()


def test_non_utf8_file_is_vm401_with_advice(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    raw = write_raw([PEOPLE[1], person(first_name="Zoë")], encoding="cp1252")
    result = _encode(raw, key, tmp_path / "o.csv")
    assert [(p.code, p.row) for p in result.problems] == [("VM401", 3)]
    assert "line 3" in result.problems[0].message
    assert "CSV UTF-8" in result.problems[0].message
    assert not (tmp_path / "o.csv").exists()


def test_empty_file_is_vm401(key: Key, tmp_path: Path) -> None:
    raw = tmp_path / "empty.csv"
    raw.write_bytes(b"")
    assert [p.code for p in _encode(raw, key, tmp_path / "o.csv").problems] == ["VM401"]


def test_header_only_is_vm415(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    result = _encode(write_raw([]), key, tmp_path / "o.csv")
    assert [p.code for p in result.problems] == ["VM415"]
    assert not result.ok
    assert not (tmp_path / "o.csv").exists()


def test_missing_required_columns_are_vm402(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    header = [c for c in RAW_COLUMNS if c not in {"birth_date", "sex"}]
    result = _encode(write_raw(header=header), key, tmp_path / "o.csv")
    assert _codes(result) == [("VM402", 1, "birth_date"), ("VM402", 1, "sex")]


def test_absent_optional_column_is_a_warning(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    header = [c for c in RAW_COLUMNS if c != "police_report"]
    result = _encode(write_raw(header=header), key, tmp_path / "o.csv")
    assert result.ok
    assert ("VM414", 1, "police_report") in _codes(result)
    assert {r["police_report"] for r in _read_csv(tmp_path / "o.csv")} == {"unknown"}


@pytest.mark.parametrize(
    ("column_map", "field"),
    [({"Dossier": "case_reference"}, "Dossier"), ({"sex": "gender_identity"}, "gender_identity")],
)
def test_bad_map_is_vm403(
    write_raw: WriteRaw, key: Key, tmp_path: Path, column_map: dict[str, str], field: str
) -> None:
    result = _encode(write_raw(), key, tmp_path / "o.csv", column_map=column_map)
    assert _codes(result) == [("VM403", 1, field)]


def test_two_candidate_columns_are_vm412(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    header = [c for c in RAW_COLUMNS if c != "first_name"] + ["Voornaam", "Voornamen"]
    rows = [{**p, "Voornaam": p["first_name"], "Voornamen": p["first_name"]} for p in PEOPLE]
    result = _encode(write_raw(rows, header=header), key, tmp_path / "o.csv")
    assert _codes(result) == [("VM412", 1, "first_name")]
    chosen = _encode(
        write_raw(rows, header=header),
        key,
        tmp_path / "o.csv",
        column_map={"Voornaam": "first_name"},
    )
    assert chosen.ok
    assert chosen.ignored_columns == ("Voornamen",)


def test_row_with_extra_values_is_vm413(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    raw = write_raw()
    with raw.open("a", encoding="utf-8", newline="") as handle:
        handle.write("T-9,Anna,Visscher,1990,F,,2021-01-01,,,,,,,,surplus\r\n")
        handle.write("T-10,Anna,Visser,1990,F,,2021-01-01,,,,,,,,,,\r\n")  # empty extras: fine
    result = _encode(raw, key, tmp_path / "o.csv")
    assert [(p.code, p.row) for p in result.problems if p.severity is Severity.ERROR] == [
        ("VM413", 6)
    ]


def test_blank_rows_are_skipped_but_counted_in_row_numbers(
    write_raw: WriteRaw, key: Key, tmp_path: Path
) -> None:
    raw = write_raw([PEOPLE[0]])
    with raw.open("a", encoding="utf-8", newline="") as handle:
        handle.write(",,,,,,,,,,,,,\r\n\r\n")
        handle.write("T-2,Anna,Visscher,1990,q,,2021-01-01,,,,,,,\r\n")
    result = _encode(raw, key, tmp_path / "o.csv")
    assert result.rows_read == 2
    assert _codes(result) == [("VM406", 5, "sex")]


def test_columns_not_used_are_never_copied(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    header = [*RAW_COLUMNS, "Adres", "BSN"]
    rows = [{**p, "Adres": "Kerkstraat 12", "BSN": "999999990"} for p in PEOPLE]
    result = _encode(write_raw(rows, header=header), key, tmp_path / "o.csv")
    assert result.ignored_columns == ("Adres", "BSN")
    data = (tmp_path / "o.csv").read_bytes()
    assert b"Kerkstraat" not in data
    assert b"999999990" not in data


def test_progress_is_reported(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    rows = [person(case_reference=f"T-{i}") for i in range(2500)]
    seen: list[int] = []
    result = _encode(write_raw(rows), key, tmp_path / "o.csv", progress=seen.append)
    assert result.ok
    assert seen == [1000, 2000, 2500]


def test_summary_and_json_form(write_raw: WriteRaw, key: Key, tmp_path: Path) -> None:
    good = _encode(write_raw(), key, tmp_path / "o.csv")
    assert "Wrote 4 reports" in good.summary()
    assert key.key_id in good.summary()
    assert "VM409" in good.summary()
    bad = _encode(write_raw([person(sex="q")]), key, tmp_path / "p.csv")
    assert bad.summary().startswith("Nothing written: 1 error(s)")
    data = json.loads(json.dumps(bad.as_dict()))
    assert data["ok"] is False
    assert data["problems"][0]["code"] == "VM406"


@pytest.mark.parametrize("name", ["raw.csv", "submission.xlsx", "no-such-dir/out.csv"])
def test_unusable_output_paths(write_raw: WriteRaw, key: Key, tmp_path: Path, name: str) -> None:
    raw = write_raw()
    with pytest.raises(ValueError, match=r"raw file|xlsx|no such directory"):
        _encode(raw, key, tmp_path / name)
    assert raw.read_bytes().startswith(b"case_reference")
