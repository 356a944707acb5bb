"""Synthetic names and the variants organisations make of them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from victim_monitor.synthetic import SyntheticConfig, generate
from victim_monitor.synthetic.names import (
    NATIONALITY_ORIGINS,
    UNIFORMS_PER_NAME,
    NameRates,
    origins,
    particle_variant,
    record_name,
    strip_diacritics,
    transliterate,
    typo,
)
from victim_monitor.synthetic.parameters import NATIONALITIES

NO_VARIANTS = NameRates(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def test_name_lists_are_well_formed() -> None:
    for origin in origins().values():
        for names in (origin.female, origin.male, origin.last):
            assert len(names) >= 15, origin.name
            firsts = [spellings[0] for spellings in names]
            assert all(name.strip() == name and name for s in names for name in s)
            assert len(set(firsts)) >= len(firsts) - 1  # Eritrean names serve as both parts
        assert 0.0 <= origin.second_given <= 1.0


def test_every_nationality_drawn_has_a_name_origin() -> None:
    drawn = {code for weights in NATIONALITIES for code in weights}
    assert drawn <= set(NATIONALITY_ORIGINS)
    for mix in NATIONALITY_ORIGINS.values():
        assert set(mix) <= set(origins())
        assert sum(mix.values()) == pytest.approx(1.0)


def test_common_names_are_shared_by_many_victims() -> None:
    persons = generate(SyntheticConfig(scale=0.2, seed=3)).persons
    full = persons["first_name"] + " " + persons["last_name"]
    assert full.duplicated().sum() > 0.05 * len(persons)


def test_strip_diacritics() -> None:
    assert strip_diacritics("Łukasz Wiśniewski") == "Lukasz Wisniewski"
    assert strip_diacritics("Ștefan Stănescu") == "Stefan Stanescu"
    assert strip_diacritics("Nguyễn Thị Đặng") == "Nguyen Thi Dang"
    assert strip_diacritics("Erzsébet Szűcs") == "Erzsebet Szucs"


def test_cyrillic_names_get_dutch_and_german_spellings() -> None:
    assert transliterate("Zhivko", "dutch", bulgarian=True) == "Zjivko"
    assert transliterate("Hristov", "dutch", bulgarian=True) == "Christov"
    assert transliterate("Hristov", "german", bulgarian=True) == "Christow"
    assert transliterate("Shevchuk", "dutch", bulgarian=False) == "Sjevtsjoek"
    assert transliterate("Tsvetkov", "german", bulgarian=True) == "Zwetkow"
    assert transliterate("Yordan", "german", bulgarian=True) == "Jordan"


def test_dutch_particles_are_written_in_several_ways() -> None:
    forms = {particle_variant("van der Meer", u) for u in np.linspace(0.0, 0.999, 60)}
    assert forms == {
        "Van der Meer", "Vandermeer", "Meer, van der", "Meer van der", "Meer", "v.d. Meer",
    }  # fmt: skip
    assert particle_variant("Jansen", 0.3) == "Jansen"


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=3, max_size=15),
    st.floats(0, 1, exclude_max=True),
    st.floats(0, 1, exclude_max=True),
)
def test_a_typo_is_one_edit_that_keeps_the_first_letter(name: str, u1: float, u2: float) -> None:
    changed = typo(name, u1, u2)
    assert _levenshtein(name, changed) <= 2  # a transposition is two Levenshtein edits
    assert changed[0] == name[0]


@given(st.lists(st.floats(0, 1, exclude_max=True), min_size=16, max_size=16))
def test_without_variants_the_true_name_is_recorded(u: list[float]) -> None:
    first, last, made = record_name(
        "Anna", "Maria", "van den Berg", "dutch", NO_VARIANTS, np.array(u), upper_last=False
    )
    assert (first, last, made) == ("Anna Maria", "van den Berg", [])


def test_variants_are_labelled_and_real() -> None:
    always = NameRates(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    u = np.full(UNIFORMS_PER_NAME, 0.3)
    first, last, made = record_name("Anna", "Maria", "Jansen", "dutch", always, u, False)
    assert made == ["second_given_dropped", "typo"]
    assert (first == "Anna") != (last == "Jansen")  # the typo is in one of the two
    assert "Maria" not in first
    swap = NameRates(0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    first, last, made = record_name("Lan", "Thị", "Nguyễn", "vietnamese", swap, u, True)
    assert (first, last, made) == ("Nguyễn", "LAN THỊ", ["swap"])


def test_respelling_picks_another_spelling() -> None:
    rates = NameRates(0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    seen = {
        record_name("Mohamed", "", "Benali", "moroccan", rates, u, False)[0]
        for u in np.random.default_rng(1).random((40, UNIFORMS_PER_NAME))
    }
    assert seen == {"Mohammed", "Muhammad", "Mohammad"}
