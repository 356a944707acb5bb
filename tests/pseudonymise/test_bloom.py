"""The hardened Bloom filter: balanced, keyed, deterministic, and still error-tolerant."""

from __future__ import annotations

import base64
import itertools

import pytest

from victim_monitor.pseudonymise import BLOOM_BITS, Key, dice
from victim_monitor.pseudonymise.bloom import BloomEncoder, keyed_permutation
from victim_monitor.pseudonymise.dates import PartialDate
from victim_monitor.pseudonymise.names import name_keys

BIRTH = PartialDate(1991, 4, 23)
MAY_12, DEC_5 = PartialDate(1990, 5, 12), PartialDate(1990, 12, 5)


def _filter(encoder: BloomEncoder, first: str, last: str, birth: PartialDate | None) -> str:
    keys = name_keys(first, last)
    return encoder.encode(keys.first, keys.last, birth)


@pytest.fixture
def encoder(key: Key) -> BloomEncoder:
    return BloomEncoder(key)


def test_filter_is_base64_of_1024_bits_with_exactly_half_set(encoder: BloomEncoder) -> None:
    for first, last in [("Anna", "Visscher"), ("A", "B"), ("Chidinma Blessing", "Okonkwoala")]:
        text = _filter(encoder, first, last, BIRTH)
        raw = base64.b64decode(text, validate=True)
        assert len(raw) * 8 == BLOOM_BITS == 1024
        assert int.from_bytes(raw, "big").bit_count() == 512
        assert len(text) == 172
        assert text.endswith("=")


def test_sixty_four_bit_words_give_the_same_dice_as_sql_would(encoder: BloomEncoder) -> None:
    a = base64.b64decode(_filter(encoder, "Anna", "Visscher", BIRTH))
    b = base64.b64decode(_filter(encoder, "Anne", "Visser", BIRTH))
    words_a = [int.from_bytes(a[i : i + 8], "big") for i in range(0, 128, 8)]
    words_b = [int.from_bytes(b[i : i + 8], "big") for i in range(0, 128, 8)]
    common = sum((x & y).bit_count() for x, y in zip(words_a, words_b, strict=True))
    total = sum(x.bit_count() for x in words_a + words_b)
    assert dice(base64.b64encode(a).decode(), base64.b64encode(b).decode()) == 2 * common / total


def test_no_name_and_no_birth_date_gives_no_filter(encoder: BloomEncoder) -> None:
    assert encoder.encode("", "", None) == ""
    assert _filter(encoder, "", "", BIRTH) != ""


def test_deterministic_and_keyed(key: Key, other_key: Key) -> None:
    first = _filter(BloomEncoder(key), "Anna", "Visscher", BIRTH)
    assert first == _filter(BloomEncoder(key), "Anna", "Visscher", BIRTH)
    assert first != _filter(BloomEncoder(other_key), "Anna", "Visscher", BIRTH)


def test_keyed_permutation_is_a_permutation_and_depends_on_the_key() -> None:
    one = keyed_permutation(b"a" * 32, 1024)
    assert sorted(one) == list(range(1024))
    assert one == keyed_permutation(b"a" * 32, 1024)
    assert one != keyed_permutation(b"b" * 32, 1024)
    assert one != list(range(1024))


# Typo variants of invented people, each with an unrelated invented person for contrast.
VARIANTS = [
    (("Piet", "Jansen", BIRTH), ("Piet", "Janssen", BIRTH)),
    (("Lukasz", "Kowalczyk", BIRTH), ("Lukasz", "Kovalcik", BIRTH)),
    (("Sanne", "Visscher", MAY_12), ("Sanne", "Visscher", DEC_5)),  # day and month swapped
    (("Mariam", "Tesfamariam", BIRTH), ("Maryam", "Tesfamariam", BIRTH)),
    (("Olena", "Kovalenkova", BIRTH), ("Olena", "Kovalenkova", PartialDate(1991))),
    (("Ioana", "Dumitrescu", BIRTH), ("Ioana", "Dumitrescu", PartialDate(1992, 4, 23))),
]  # fmt: skip
UNRELATED = [
    ("Chidinma", "Okonkwoala", PartialDate(1985, 11, 2)),
    ("Bogdan", "Wisniewski", PartialDate(2001, 8, 30)),
    ("Tran", "Nguyen", PartialDate(1979, 1, 17)),
    ("Fatima", "Benali", PartialDate(1996, 7, 7)),
]


def test_typo_variants_score_much_higher_than_unrelated_people(encoder: BloomEncoder) -> None:
    variant_scores = [dice(_filter(encoder, *a), _filter(encoder, *b)) for a, b in VARIANTS]
    people = [a for a, _ in VARIANTS] + UNRELATED
    unrelated_scores = [
        dice(_filter(encoder, *a), _filter(encoder, *b))
        for a, b in itertools.combinations(people, 2)
    ]
    assert min(variant_scores) > 0.75
    assert max(unrelated_scores) < 0.68
    assert min(variant_scores) - max(unrelated_scores) > 0.1
    assert sum(unrelated_scores) / len(unrelated_scores) < 0.6


def test_dice_edge_cases(encoder: BloomEncoder) -> None:
    text = _filter(encoder, "Anna", "Visscher", BIRTH)
    assert dice(text, text) == 1.0
    assert dice(text, "") == 0.0
    assert dice("", "") == 0.0
    with pytest.raises(ValueError, match="lengths"):
        dice(text, base64.b64encode(b"\x01" * 8).decode())
    with pytest.raises(ValueError, match="base64"):
        dice(text, "!" * len(text))
