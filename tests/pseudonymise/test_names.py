"""Name normalisation: spelling variants of one synthetic name give one key."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from victim_monitor.pseudonymise.names import fold, fold_unicode, name_keys, phonetic


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Zoë", "zoe"),
        ("José", "jose"),
        ("Wiśniewska", "wisniewska"),
        ("Łucja", "lucja"),
        ("Straße", "strasse"),
        ("Søren", "soren"),
        ("Ærøskøbing", "aeroskobing"),
        ("Đorđević", "dordevic"),
        ("İpek", "ipek"),
        ("O'Brien", "obrien"),
        ("O’Brien", "obrien"),
        ("v.d. Berg", "vd berg"),
        ("Jansen-de Vries", "jansen de vries"),
        ("  ANNA   maria ", "anna maria"),
        ("Anna2", "anna"),
        ("Олена Шевчук", "olena shevchuk"),
        ("ĳsbrand", "ijsbrand"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_fast_path_equals_the_general_path(text: str) -> None:
    joined = text.translate(str.maketrans("", "", ".'`"))
    assert fold(text) == fold_unicode(joined)


def test_particles_are_dropped_from_the_last_name_however_written() -> None:
    variants = ["van der Berg", "Van Der Berg", "Berg, van der", "van der berg", "Berg"]
    assert {name_keys("Sanne", v).last for v in variants} == {"berg"}
    assert name_keys("Sanne", "'t Hart").last == "hart"
    assert name_keys("Sanne", "v.d. Berg").last == "berg"


def test_a_particle_alone_is_a_last_name() -> None:
    assert name_keys("Minh", "Le").last == "le"
    assert name_keys("Jan", "De").last == "de"


def test_hyphens_and_spaces_inside_a_last_name_vanish() -> None:
    assert name_keys("A", "Jansen-de Vries").last == name_keys("A", "Jansen de Vries").last
    assert name_keys("A", "Jansen-de Vries").last == "jansendevries"


def test_first_given_name_and_all_given_names() -> None:
    keys = name_keys("Anna Maria Sofie", "Visscher")
    assert keys.first == "anna"
    assert keys.given == "anna maria sofie"
    assert name_keys("Anna-Maria", "Visscher").first == "anna"
    assert keys.full == "anna maria sofie\x1fvisscher"


def test_swapped_and_reordered_names_share_the_sorted_key() -> None:
    assert name_keys("Wei", "Zhang").tokens_sorted == name_keys("Zhang", "Wei").tokens_sorted
    assert (
        name_keys("Anna Maria", "van Dijkhuis").tokens_sorted
        == name_keys("Maria", "Anna van Dijkhuis").tokens_sorted
        == "anna dijkhuis maria"
    )


@pytest.mark.parametrize("placeholder", ["N.N.", "NN", "onbekend", "Unknown", "X", "?", "-", ""])
def test_placeholders_count_as_no_name(placeholder: str) -> None:
    keys = name_keys(placeholder, placeholder)
    assert keys == name_keys("", "")
    assert not any(keys)


def test_full_name_needs_both_parts() -> None:
    assert name_keys("Anna", "").full == ""
    assert name_keys("", "Visscher").full == ""


@pytest.mark.parametrize(
    "variants",
    [
        ("Meijer", "Meyer", "Meier"),
        ("Smit", "Smidt", "Smid"),
        ("Thijs", "Tijs"),
        ("Jansen", "Janssen"),
        ("Kowalczyk", "Kovalcik"),
        ("Dijkstra", "Dykstra"),
        ("Christiaan", "Kristiaan"),
        ("Philips", "Filips"),
        ("Schmidt", "Smit"),
    ],
)
def test_dutch_aware_phonetic_code_joins_spelling_variants(variants: tuple[str, ...]) -> None:
    codes = {name_keys("A", v).last_phonetic for v in variants}
    assert len(codes) == 1, codes


def test_phonetic_code_still_tells_different_names_apart() -> None:
    names = ["Jansen", "Visser", "Bakker", "Okafor", "Nowak", "Popescu"]
    assert len({name_keys("A", n).last_phonetic for n in names}) == len(names)


def test_non_latin_names_keep_a_phonetic_key() -> None:
    assert phonetic("王") == "王"
    assert name_keys("Олена", "Шевчук").first_phonetic == name_keys("Olena", "X").first_phonetic
