"""The public API is small and pinned; the encoding itself is pinned by a test vector.

If the vector test fails, pseudonyms changed: reports encoded before and after the change
would no longer link. That is a format change, never a refactoring.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import victim_monitor.pseudonymise as api
from tests.pseudonymise.conftest import WriteRaw
from tests.pseudonymise.people import TODAY
from victim_monitor.pseudonymise import Key, encode_file, encode_rows


def test_public_names() -> None:
    assert sorted(api.__all__) == sorted(
        [
            "BLOOM_BITS",
            "RAW_COLUMNS",
            "REQUIRED_RAW_COLUMNS",
            "SUBMISSION_COLUMNS",
            "EncodeResult",
            "EncodedRow",
            "Key",
            "KeyExistsError",
            "KeyFileError",
            "RowEncoder",
            "RowResult",
            "dice",
            "encode_file",
            "encode_rows",
            "generate_key",
            "read_key",
            "write_key",
        ]
    )
    for name in api.__all__:
        assert getattr(api, name) is not None


def test_submission_columns_are_format_v1() -> None:
    from victim_monitor.storage.schema import PSEUDONYM_FIELDS

    pn = tuple(c for c in api.SUBMISSION_COLUMNS if c.startswith("pn_"))
    assert pn == PSEUDONYM_FIELDS
    assert api.SUBMISSION_COLUMNS[:4] == (
        "format_version",
        "key_id",
        "case_reference",
        "report_date",
    )
    assert len(api.SUBMISSION_COLUMNS) == 25


KEY = Key(bytes(range(32)))  # the test-vector key of docs/encoder.md


def test_vector_single_values() -> None:
    (result,) = encode_rows(
        [
            {
                "case_reference": "V-1",
                "first_name": "Anna Maria",
                "last_name": "van der Berg",
                "birth_date": "1990-05-12",
                "sex": "F",
                "report_date": "2021-03-04",
            }
        ],
        KEY,
        today=TODAY,
    )
    row = result.encoded
    assert row is not None
    assert KEY.key_id == "e2c0de67ae643597"
    assert row.pn_first_name == VECTOR["pn_first_name"]
    assert row.pn_last_name == VECTOR["pn_last_name"]
    assert row.pn_birth_date == VECTOR["pn_birth_date"]
    assert row.bloom == VECTOR["bloom"]


def test_vector_whole_file(write_raw: WriteRaw, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    encode_file(write_raw(), KEY, out, today=TODAY)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == FILE_SHA256


VECTOR = {
    "pn_first_name": "eb591ba0c9db81b7d763b57d48d3af56838ce4bb86d5fcc6c0358449bbadd478",
    "pn_last_name": "d58117715292b0b52adb00880a5a675517eafcdebfd74c0c83cb97f15edc2868",
    "pn_birth_date": "c93393f667498ebd5cfd9c5d672bbf0f445a85d4f87b3509778ba84820a01591",
    "bloom": (
        "IIGzjsvPI7eTIvUuXdhBuPSmDRjMBHsr8BtEEm2YRtMFp3CyqJp1vp/vWiDi3XnfGAW0wAtthf+Ky4zVMu2byv"
        "2RrEsQEju6l6RXo/hHWqpJSMm8vql/wxPJY5KSr6LN35DvMh3lT0fZWctrQi0JwJi8k1SbABJ/5NdnkmBwO1Q="
    ),
}
FILE_SHA256 = "7413c0807101e780e3587097ccec590a93d18d931ab8db74d6a7b39945038441"
