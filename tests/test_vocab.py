from __future__ import annotations

from enum import StrEnum

import pytest

from victim_monitor import vocab
from victim_monitor.vocab import (
    AgeGroup,
)
from victim_monitor.vocab import (
    ExploitationKind as K,
)
from victim_monitor.vocab import (
    FormGroup as G,
)
from victim_monitor.vocab import (
    NationalityGroup as N,
)
from victim_monitor.vocab import (
    YesNoUnknown as B,
)

ENUMS: list[type[StrEnum]] = [
    vocab.FormGroup,
    vocab.ExploitationKind,
    vocab.Sector,
    vocab.AgeGroup,
    vocab.Sex,
    vocab.NationalityGroup,
    vocab.YesNoUnknown,
    vocab.ResidencePermit,
    vocab.ReporterType,
    vocab.EstimationList,
]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_every_category_has_dutch_and_english_labels(enum: type[StrEnum]) -> None:
    for value in enum:
        assert vocab.label(value, "nl").strip()
        assert vocab.label(value, "en").strip()


@pytest.mark.parametrize(
    ("kinds", "border", "nationality", "group"),
    [
        ({K.SEXUAL}, B.NO, N.DUTCH, G.DOMESTIC_SEXUAL),
        ({K.SEXUAL}, B.NO, N.AFRICAN, G.DOMESTIC_SEXUAL),
        ({K.SEXUAL}, B.UNKNOWN, N.DUTCH, G.DOMESTIC_SEXUAL),
        ({K.SEXUAL}, B.UNKNOWN, N.OTHER_EU, G.CROSS_BORDER_SEXUAL_NON_AFRICAN),
        ({K.SEXUAL}, B.YES, N.DUTCH, G.CROSS_BORDER_SEXUAL_NON_AFRICAN),
        ({K.SEXUAL}, B.YES, N.AFRICAN, G.CROSS_BORDER_SEXUAL_AFRICAN),
        ({K.SEXUAL, K.LABOUR}, B.YES, N.OTHER_EU, G.CROSS_BORDER_SEXUAL_NON_AFRICAN),
        ({K.CRIMINAL, K.LABOUR}, B.YES, N.OTHER_EU, G.CRIMINAL),
        ({K.LABOUR}, B.NO, N.DUTCH, G.LABOUR),
        ({K.ORGAN_REMOVAL}, B.YES, N.AFRICAN, G.LABOUR),
        (set(), B.YES, N.AFRICAN, G.UNKNOWN),
    ],
)
def test_form_rule(kinds: set[K], border: B, nationality: N, group: G) -> None:
    assert vocab.form_group(frozenset(kinds), border, nationality) is group


def test_form_rule_ends_with_a_catch_all() -> None:
    last = vocab.form_rules()[-1]
    assert (last.kinds_any, last.border_crossed, last.nationality_group) == (None, None, None)


@pytest.mark.parametrize(
    ("age", "group"),
    [
        (None, AgeGroup.UNKNOWN),
        (0, AgeGroup.MINOR),
        (17, AgeGroup.MINOR),
        (18, AgeGroup.ADOLESCENT),
        (22, AgeGroup.ADOLESCENT),
        (23, AgeGroup.ADULT),
        (-1, AgeGroup.UNKNOWN),
    ],
)
def test_age_groups(age: int | None, group: AgeGroup) -> None:
    assert vocab.age_group(age) is group


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("NL", N.DUTCH),
        ("nl", N.DUTCH),
        ("PL", N.OTHER_EU),
        ("NG", N.AFRICAN),
        ("ER", N.AFRICAN),
        ("GB", N.OTHER_NON_EU),
        ("UA", N.OTHER_NON_EU),
        (None, N.UNKNOWN),
        ("", N.UNKNOWN),
    ],
)
def test_nationality_groups(code: str | None, group: N) -> None:
    assert vocab.nationality_group(code) is group


def test_country_codes_are_strict_iso() -> None:
    assert vocab.country_code("NLD") == "NL"
    assert vocab.country_code("pl") == "PL"
    assert vocab.country_code("XX") is None
    assert vocab.country_code("Poland") is None


def test_a_missing_nationality_as_pandas_3_gives_it_is_unknown() -> None:
    assert vocab.nationality_group(float("nan")) is N.UNKNOWN  # type: ignore[arg-type]
    assert vocab.nationality_group(None) is N.UNKNOWN
