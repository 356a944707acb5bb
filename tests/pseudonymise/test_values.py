"""Coded values at the source: Dutch and English spellings to the canonical value."""

from __future__ import annotations

import pytest

from victim_monitor.pseudonymise import values


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("F", "F"), ("v", "F"), ("Vrouw", "F"), ("female", "F"), ("vrouwelijk", "F"),
        ("M", "M"), ("m", "M"), ("man", "M"), ("Male", "M"),
        ("X", "X"), ("x", "X"), ("onbekend", "X"), ("unknown", "X"), ("", "X"), ("?", "X"),
    ],
)  # fmt: skip
def test_sex(text: str, code: str) -> None:
    assert values.sex().lookup(text) == code


def test_unknown_sex_is_not_guessed() -> None:
    assert values.sex().lookup("q") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Nederlandse", "NL"), ("Nederlands", "NL"), ("Dutch", "NL"), ("NLD", "NL"),
        ("nl", "NL"), ("Nederland", "NL"), ("Netherlands", "NL"),
        ("Poolse", "PL"), ("Pools", "PL"), ("Polish", "PL"), ("Polen", "PL"),
        ("Roemeense", "RO"), ("Roemenië", "RO"), ("Bulgaarse", "BG"), ("Hongaarse", "HU"),
        ("Nigeriaanse", "NG"), ("NGA", "NG"), ("Eritrese", "ER"), ("Eritrees", "ER"),
        ("Marokkaanse", "MA"), ("Marokko", "MA"), ("Oekraïense", "UA"), ("Oekraiense", "UA"),
        ("Ukrainian", "UA"), ("Chinese", "CN"), ("Vietnamese", "VN"), ("Viet Nam", "VN"),
        ("Côte d'Ivoire", "CI"), ("Verenigd Koninkrijk", "GB"), ("Korea, Republic of", "KR"),
    ],
)  # fmt: skip
def test_nationality(text: str, code: str) -> None:
    assert values.country().lookup(text) == code


def test_unknown_and_stateless_nationality_are_empty() -> None:
    for text in ("", "onbekend", "Unknown", "staatloos"):
        assert values.country().lookup(text) == ""
    assert values.country().lookup("Atlantis") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("seksueel", "sexual"),
        ("Seksuele uitbuiting", "sexual"),
        ("arbeid; crimineel", "labour;criminal"),
        ("criminal,sexual", "sexual;criminal"),
        ("Arbeidsuitbuiting/ seksueel", "sexual;labour"),
        ("orgaanverwijdering", "organ_removal"),
        ("overig", "other"),
        ("", ""),
        ("onbekend", ""),
        ("sexual;sexual", "sexual"),
    ],
)
def test_exploitation(text: str, expected: str) -> None:
    assert values.exploitation(text) == (expected, ())


def test_exploitation_reports_unknown_parts() -> None:
    assert values.exploitation("seksueel; bedelarij") == ("sexual", ("bedelarij",))


@pytest.mark.parametrize(
    ("vocabulary", "text", "code"),
    [
        ("yes_no", "ja", "yes"), ("yes_no", "J", "yes"), ("yes_no", "1", "yes"),
        ("yes_no", "Nee", "no"), ("yes_no", "n", "no"), ("yes_no", "0", "no"),
        ("yes_no", "", "unknown"), ("yes_no", "Onbekend", "unknown"),
        ("yes_no", "N.v.t.", "unknown"),
        ("residence_permit", "aangevraagd", "applied"), ("residence_permit", "Verleend", "granted"),
        ("residence_permit", "geweigerd", "refused"), ("residence_permit", "", "none"),
        ("sector", "Horeca", "hospitality"), ("sector", "Land- en tuinbouw", "agriculture"),
        ("sector", "sex_industry", "sex_industry"), ("sector", "Sex industry", "sex_industry"),
        ("sector", "", ""),
    ],
)  # fmt: skip
def test_closed_lists(vocabulary: str, text: str, code: str) -> None:
    assert getattr(values, vocabulary)().lookup(text) == code
