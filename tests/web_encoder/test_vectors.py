"""The browser encoder reproduces the pinned test vectors of docs/encoder.md."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from tests.pseudonymise.people import PEOPLE
from tests.pseudonymise.test_api import FILE_SHA256, VECTOR
from tests.web_encoder.harness import Node, assert_same, node_encode
from victim_monitor.pseudonymise import RAW_COLUMNS, Key, generate_key, write_key


def raw_file(rows: list[dict[str, str]], header: tuple[str, ...] = RAW_COLUMNS) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return text.getvalue().encode("utf-8")


def test_single_values_vector(node: Node, key: Key, tmp_path: Path) -> None:
    raw = raw_file(
        [
            {
                "case_reference": "V-1",
                "first_name": "Anna Maria",
                "last_name": "van der Berg",
                "birth_date": "1990-05-12",
                "sex": "F",
                "report_date": "2021-03-04",
            }
        ]
    )
    got = node_encode(node, raw, key, "raw.csv")
    assert got.output is not None
    header, row = got.output.decode("utf-8").splitlines()
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert values["key_id"] == "e2c0de67ae643597"
    for column, expected in VECTOR.items():
        assert values[column] == expected


def test_whole_file_vector(node: Node, key: Key, tmp_path: Path) -> None:
    got = node_encode(node, raw_file(list(PEOPLE)), key, "raw.csv")
    assert got.output is not None
    assert hashlib.sha256(got.output).hexdigest() == FILE_SHA256
    assert_same(node, raw_file(list(PEOPLE)), key, tmp_path)


def test_key_file_as_keygen_writes_it(node: Node, tmp_path: Path) -> None:
    key = generate_key()
    write_key(key, tmp_path / "monitor.key")
    text = (tmp_path / "monitor.key").read_text("ascii")
    got = node_encode(node, raw_file(list(PEOPLE)), key, "raw.csv", key_text=text)
    expected = node_encode(node, raw_file(list(PEOPLE)), key, "raw.csv")
    assert got.summary["key_id"] == key.key_id
    assert got.output == expected.output is not None
