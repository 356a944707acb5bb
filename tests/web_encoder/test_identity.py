"""Edge cases: the browser encoder gives the same bytes, summary and problems as Python.

Each case is a raw file as organisations really send them (Dutch names and particles,
accents, spreadsheets' separators and line ends, bad dates, empty cells) or as they break
(not UTF-8, quotes, a workbook instead of CSV). Every name and date is invented.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web_encoder.harness import Node, assert_same, node_encode, python_encode
from victim_monitor.pseudonymise import Key

HEADER = "case_reference,first_name,last_name,birth_date,sex,report_date"
FULL = (
    "case_reference;voornaam;achternaam;geboortedatum;geslacht;nationaliteit;meldingsdatum;"
    "uitbuiting;branche;grens overschreden;land van uitbuiting;dublin;verblijfsvergunning;aangifte"
)


def lines(*rows: str, header: str = HEADER, end: str = "\n") -> bytes:
    return end.join((header, *rows, "")).encode("utf-8")


CASES: dict[str, bytes] = {
    "particles": lines(
        "A1,Jan,van der Berg,1980-01-02,M,2020-01-01",
        'A2,Jan,"Berg, van der",1980-01-02,M,2020-01-01',
        "A3,Jan,v.d. Berg,1980-01-02,M,2020-01-01",
        "A4,Els,De,1975,V,2020-02-02",
        "A5,Anna-Maria,Jansen-de Vries,00-05-1990,vrouw,02-03-2021",
        "A6,Pieter,ter Horst,1988-00-00,man,2021-04-05 10:30",
        "A7,Henk,'t Hart,19880412,m,2021.04.05",
        'A8,Jean,"Berg, van, de",1970-1-2,M,2021/4/5',
    ),
    "accents and scripts": lines(
        "B1,José,Muñoz Pérez,1991-07-08,M,2022-01-01",
        "B2,Søren,Ødegård,1985,M,2022-01-01",
        "B3,Олена,Шевчук,1999-03,F,2022-01-01",
        "B4,Łucja,Wałęsa-Kowalczyk,1993-11-30,F,2022-01-01",
        "B5,محمد,العمراني,1990,M,2022-01-01",
        "B6,伟,张,1995-05,X,2022-01-01",
        "B7,민준,김,1996,M,2022-01-01",
        "B8,Straße,Weiß,1970,M,2022-01-01",
        "B9,Ǆemal,ǅurić,1970,M,2022-01-01",
        "B10,Ａｎｎａ,ＢＥＲＧ,１９９０-０５-１２,F,2022-01-01",
        "B11,Ioánnis,Papadópoulos,١٩٩٠-٠٥-١٢,M,2022-01-01",
        "B12,O'Brien,D'Arcy,1980,M,2022-01-01",
        "B13,Mary Ann,O’Neill,1980,F,2022-01-01",
    ),
    "phonetic spellings": lines(
        "C1,Mohammed,Meijer,1990,M,2022-01-01",
        "C2,Muhammad,Meyer,1990,M,2022-01-01",
        "C3,Mohamed,Meier,1990,M,2022-01-01",
        "C4,Schmidt,Smidt,1990,M,2022-01-01",
        "C5,Christiaan,Kowalczyk,1990,M,2022-01-01",
        "C6,Xaviera,Philipsz,1990,F,2022-01-01",
        "C7,Ghislaine,Knight,1990,F,2022-01-01",
        "C8,Wrenna,Thijssen,1990,F,2022-01-01",
    ),
    "empty and placeholder names": lines(
        "D1,,,1990,F,2022-01-01",
        "D2,N.N.,onbekend,,X,2022-01-01",
        "D3,x,Jansen,,,2022-01-01",
        "D4,123,--,1990-05,F,2022-01-01",
        "D5,Anna,,,F,2022-01-01",
    ),
    "bad dates": lines(
        "E1,Anna,Berg,31-02-1990,F,2022-01-01",
        "E2,Anna,Berg,05-25-1990,F,2022-01-01",
        "E3,Anna,Berg,1899-12-31,F,2022-01-01",
        "E4,Anna,Berg,2023-01-01,F,2022-01-01",
        "E5,Anna,Berg,1990-05-12,F,",
        "E6,Anna,Berg,1990-05-12,F,2022-05",
        "E7,Anna,Berg,1990-05-12,F,1999-12-31",
        "E8,Anna,Berg,1990-05-12,F,2030-01-01",
        "E9,Anna,Berg,00-00-1990,F,2022-01-01",
        "E10,Anna,Berg,12-00-1990,F,2022-01-01",
        "E11,Anna,Berg,1890,F,2022-01-01",
        "E12,Anna,Berg,gisteren,F,2022-01-01",
        "E13,Anna,Berg,2022-01,F,2022-01-31",
        "E14,Anna,Berg,0000-01-01,F,2022-01-01",
        "E15,Anna,Berg,1990-13-01,F,2022-01-01",
    ),
    "bad codes and references": lines(
        "F 1,Anna,Berg,1990,F,2022-01-01",
        ",Anna,Berg,1990,F,2022-01-01",
        "F3,Anna,Berg,1990,vrouwtje,2022-01-01",
        "F3,Anna,Berg,1990,F,2022-01-01",
        "F4,Anna,Berg,1990,F,2022-01-01,extra",
        "F5,Anna,Berg,1990,F,2022-01-01,,",
        "F6,Anna",
        "",
        ",,,,,",
        "F7," + "a" * 200 + ",Berg,1990,F,2022-01-01",
    ),
    "all columns, semicolons, CRLF": lines(
        "G1;Anna;van Dijk;12-05-1990;vrouw;Poolse;04-03-2021;seksueel; arbeid;Horeca;ja;"
        "Nederland;nee;aangevraagd;j",
        "G2;Olena;Kovalenko;1999-03;F;UKR;15-07-2022;labour|criminal;landbouw;yes;NL;;;",
        "G3;Ama;Mensah;1990;F;Ghanese;2022-01-01;onbekend;;n.v.t.;Frankrijk;?;verleend;0",
        "G4;Ana;Popescu;1990;F;Atlantis;2022-01-01;seks, dans;bakkerij;misschien;Narnia;ja;soms;ja",
        'G5;"Mar;ia";"Sil""va";1990;F;BRA;2022-01-01;"orgaan + overig";bouw;1;BE;0;'
        "geweigerd;unknown",
        header=FULL,
        end="\r\n",
    ),
    "tabs and a byte-order mark": b"\xef\xbb\xbf"
    + lines("H1\tAnna\tBerg\t1990\tF\t2022-01-01", header=HEADER.replace(",", "\t")),
    "quoted newlines": lines('I1,"Anna\nMaria","Berg\r\nJansen",1990,F,2022-01-01', "I2,Piet"),
    "quote quirks": lines('J1,An"na,"Be"rg,1990,F,2022-01-01', 'J2,"Anna"x,Berg,1990,F,2022-01-01'),
    "a quote never closed": lines('K1,"Anna,Berg,1990,F,2022-01-01', "K2,Piet,Berg"),
    "a bare CR inside a line": lines("L1,Anna,Berg,1990,F,2022-01-01\rL2,Piet,Berg"),
    "a cell over the csv field limit": lines(
        "LL1,Anna,Berg,1990,F,2022-01-01", "LL2,Anna," + "B" * 131_073 + ",1990,F,2022-01-01"
    ),
    "a cell at the csv field limit": lines("LL3,Anna," + "B" * 131_072 + ",1990,F,2022-01-01"),
    "many name parts": lines(
        "LL4," + "a " * 70_000 + ',"Berg, ' + "b " * 70_000 + '",1990,F,2022-01-01'
    ),
    "long bad values": lines(
        "LV1,Anna,Berg," + "😀" * 90 + ",F,2022-01-01",
        "LV2,Anna,Berg,1990," + "x" * 81 + ",2022-01-01",
    ),
    "a second byte-order mark": b"\xef\xbb\xbf" + lines("\ufeffBB1,Anna,Berg,1990,F,2022-01-01"),
    "a line that is not UTF-8": lines("N1,Anna,Berg,1990,F,2022-01-01")
    + "N2,Ana,Müller,1990,F,2022-01-01\n".encode("latin-1")
    + b"N3,Anna,Berg,1990,F,2022-01-01\n",
    "a header that is not UTF-8": HEADER.encode() + b"\xff\n",
    "empty file": b"",
    "only a byte-order mark": b"\xef\xbb\xbf",
    "blank first line": b"\n" + lines("O1,Anna,Berg,1990,F,2022-01-01"),
    "header only": lines(),
    "blank rows only": lines(",,,,,", "", ";;;"),
    "missing required columns": b"case_reference,voornaam,sex\nP1,Anna,F\n",
    "two columns for one": lines(
        "Q1,Anna,Anna,Berg,1990,F,2022-01-01",
        header="case_reference,voornaam,voornamen,last_name,birth_date,sex,report_date",
    ),
    "column names folded": lines(
        "R1,Anna,Berg,1990,F,2022-01-01,geheim",
        header=" Case Reference ,FIRST-NAME,Last.Name,Geboorte datum,GESLACHT,Datum,Opmerking",
    ),
    "no last line end": lines("S1,Anna,Berg,1990,F,2022-01-01")[:-1],
    "control characters": lines("T1,An\x00na,Be\x1frg\x0b,1990,F,2022-01-01\x1c"),
    "unicode spaces": lines("U1,\u00a0Anna\u2003,\u3000Berg,1990 ,F,\u20282022-01-01"),
    "non-printable value in exploitation": lines(
        'V1,Anna,Berg,1990,F,2022-01-01,"sex\u200b;\'w""o\'"',
        header=HEADER + ",exploitation",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_same_as_python(node: Node, key: Key, tmp_path: Path, name: str) -> None:
    assert_same(node, CASES[name], key, tmp_path)


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
@pytest.mark.parametrize("name", ["particles", "all columns, semicolons, CRLF", "header only"])
def test_json_outputs(node: Node, key: Key, tmp_path: Path, fmt: str, name: str) -> None:
    assert_same(node, CASES[name], key, tmp_path, fmt=fmt)


@pytest.mark.parametrize(
    "column_map",
    [
        {"Dossier": "case_reference", "Roepnaam": "first_name"},
        {"Dossier": "case_reference", "Roepnaam": "first_name", "voornaam": "first_name"},
        {"Dossier": "case_reference", "Roepnaam": "eerste_naam"},
        {"Dossier": "case_reference", "Roepnaam": "first_name", "Bestaat niet": "sex"},
        {"Dossier": "case_reference", "Voornaam": "first_name"},
    ],
)
def test_column_maps(node: Node, key: Key, tmp_path: Path, column_map: dict[str, str]) -> None:
    raw = lines(
        "W1,Anna,Ann,Berg,1990,F,2022-01-01",
        header="Dossier,Roepnaam,Voornaam,Achternaam,birth_date,sex,report_date",
    )
    assert_same(node, raw, key, tmp_path, column_map=column_map)


def test_problems_beyond_the_kept_thousand(node: Node, key: Key, tmp_path: Path) -> None:
    raw = lines(*(f"X{i},,,1990,F,2022-01-01" for i in range(1100)))
    outcome = assert_same(node, raw, key, tmp_path)
    assert outcome.progress == [1000, 1100]
    assert outcome.summary["warnings"] == 2208
    assert len(outcome.problems) == 1000


def test_today_bounds_report_dates(node: Node, key: Key, tmp_path: Path) -> None:
    from datetime import date

    raw = lines("Y1,Anna,Berg,1990,F,2024-06-02", "Y2,Anna,Berg,2024-06,F,2024-06-01")
    outcome = assert_same(node, raw, key, tmp_path, today=date(2024, 6, 1))
    assert outcome.summary["counts"] == {"VM405": 1, "VM414": 8}


def test_workbook_is_refused_as_python_refuses_it(node: Node, key: Key, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["Z1", "Anna", "Berg", "1990", "F", "2022-01-01"])
    book.save(tmp_path / "raw.xlsx")
    raw = (tmp_path / "raw.xlsx").read_bytes()
    expected = python_encode(raw, key, tmp_path)
    got = node_encode(node, raw, key, str(tmp_path / "raw.csv"))
    assert got.output is None
    assert expected.output is None
    located = [(p["code"], p["row"], p["field"]) for p in got.problems]
    assert located == [(p["code"], p["row"], p["field"]) for p in expected.problems]
    assert located == [("VM401", 1, None)]
    assert "CSV UTF-8" in got.problems[0]["message"]
    assert "workbook" in got.problems[0]["message"]


@pytest.mark.parametrize(
    "raw",
    [
        lines("M1,Anna,Berg,1990,F,2022-01-01", end="\r"),  # "CSV (Macintosh)": CR line ends
        b'case_reference,"first\n' + b"\xff" + b'name",x\n',  # a header cell over a bad line
    ],
)
def test_header_python_cannot_read(node: Node, key: Key, tmp_path: Path, raw: bytes) -> None:
    """A header row the csv module cannot read is VM401 at row 1 in both encoders."""
    expected = python_encode(raw, key, tmp_path)
    got = node_encode(node, raw, key, str(tmp_path / "raw.csv"))
    assert got.output is None
    assert expected.output is None
    assert [(p["code"], p["row"]) for p in got.problems] == [("VM401", 1)]
    assert [(p["code"], p["row"], p["message"]) for p in got.problems] == [
        (p["code"], p["row"], p["message"]) for p in expected.problems
    ]
