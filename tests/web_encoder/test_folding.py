"""The browser's text folding equals Python's on every code point, and its Metaphone equals
jellyfish's: the two places where a port most easily drifts (Unicode versions differ between
browsers, and jellyfish's Metaphone has quirks of its own)."""

from __future__ import annotations

import itertools
import string

import jellyfish
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web_encoder import tables
from tests.web_encoder.harness import Node, ask_many
from victim_monitor.pseudonymise.names import fold, name_keys
from victim_monitor.pseudonymise.values import value_key

EVERY_CHARACTER = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000]
# Every code point once, between letters that both foldings keep ("q"), so that a character
# folded to nothing, to a space or to letters gives a different text; 512 to a string.
CHUNKS = ["q" + "q".join(EVERY_CHARACTER[i : i + 512]) + "q" for i in range(0, 0x10F800, 512)]


def test_tables_are_current() -> None:
    """tables.js is what the generator makes now (else: python -m tests.web_encoder.tables)."""
    assert tables.TARGET.read_text("utf-8") == tables.render()


def test_fold_every_code_point(node: Node) -> None:
    assert ask_many(node, "fold", CHUNKS) == [fold(text) for text in CHUNKS]


def test_value_key_every_code_point(node: Node) -> None:
    assert ask_many(node, "valueKey", CHUNKS) == [value_key(text) for text in CHUNKS]


def test_metaphone_all_short_strings(node: Node) -> None:
    """Every string of up to three letters, with a space and a few specials."""
    alphabet = string.ascii_lowercase + " "
    inputs = ["".join(p) for n in range(1, 4) for p in itertools.product(alphabet, repeat=n)]
    assert ask_many(node, "metaphone", inputs) == [jellyfish.metaphone(s) for s in inputs]


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(alphabet="abcdeghijklmnopstuvwxyz", min_size=1, max_size=14), max_size=50))
def test_metaphone_random(node: Node, inputs: list[str]) -> None:
    assert ask_many(node, "metaphone", inputs) == [jellyfish.metaphone(s) for s in inputs]


NAME_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("aeijlnorstuvwxyzcdghkmpqb ABCDEIJLNORSTUVWXYZ-',.’"),
        st.sampled_from("éèëïöüçñøłßåæœşğıđ"),
        st.characters(codec="utf-8"),
    ),
    max_size=24,
)
PARTICLE_TEXT = st.lists(
    st.sampled_from(["van", "der", "de", "Van", "DEN", "ter", "t", "'t", "v.d.", ","]), max_size=3
).map(" ".join)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(NAME_TEXT, st.tuples(PARTICLE_TEXT, NAME_TEXT).map(" ".join)), max_size=20)
)
def test_name_keys_random(node: Node, pairs: list[tuple[str, str]]) -> None:
    expected = [name_keys(first, last)._asdict() for first, last in pairs]
    got = ask_many(node, "nameKeys", pairs)
    renamed = {
        "tokensSorted": "tokens_sorted",
        "firstPhonetic": "first_phonetic",
        "lastPhonetic": "last_phonetic",
    }
    assert [{renamed.get(k, k): v for k, v in keys.items()} for keys in got] == expected
