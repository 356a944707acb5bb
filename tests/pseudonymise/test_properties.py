"""Invariants over arbitrary input: the encoder never crashes and never leaks the shape of text."""

from __future__ import annotations

import base64
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.pseudonymise.people import TODAY, person
from victim_monitor.problems import Severity
from victim_monitor.pseudonymise import SUBMISSION_COLUMNS, Key, RowEncoder

ENCODER = RowEncoder(Key(bytes(range(32))), today=TODAY)
PSEUDONYM = re.compile(r"([0-9a-f]{64})?")
PSEUDONYM_COLUMNS = [c for c in SUBMISSION_COLUMNS if c.startswith("pn_")]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.text(), last=st.text())
def test_arbitrary_names_encode_to_pseudonyms_or_nothing(first: str, last: str) -> None:
    result = ENCODER.encode(person(first_name=first, last_name=last), 2)
    assert result.encoded is not None, result.problems
    assert {p.code for p in result.problems} <= {"VM409"}
    for column in PSEUDONYM_COLUMNS:
        assert PSEUDONYM.fullmatch(getattr(result.encoded, column))
    assert len(base64.b64decode(result.encoded.bloom, validate=True)) == 128


@settings(max_examples=300)
@given(cells=st.dictionaries(st.sampled_from((*SUBMISSION_COLUMNS[2:], "first_name")), st.text()))
def test_arbitrary_cells_give_problems_never_exceptions(cells: dict[str, str]) -> None:
    result = ENCODER.encode(person(**cells), 7)
    assert all(p.row == 7 and p.field for p in result.problems)
    has_error = any(p.severity is Severity.ERROR for p in result.problems)
    assert (result.encoded is None) == has_error


@given(text=st.text(alphabet="0123456789-/. ", max_size=12))
def test_date_like_text_is_a_date_or_a_vm404(text: str) -> None:
    result = ENCODER.encode(person(birth_date=text), 2)
    assert {p.code for p in result.problems} <= {"VM404"}
