"""Keyed pseudonyms: standard HMAC-SHA256, one domain per field, nothing for nothing."""

from __future__ import annotations

import hashlib
import hmac
import re

from victim_monitor.pseudonymise import Key
from victim_monitor.pseudonymise.dates import PartialDate
from victim_monitor.pseudonymise.key import derive
from victim_monitor.pseudonymise.names import name_keys
from victim_monitor.pseudonymise.pseudonyms import KeyedHash, Pseudonymiser


def test_keyed_hash_is_standard_hmac_sha256() -> None:
    for secret in (b"k" * 32, b"k" * 64, b"k" * 100):
        for message in (b"", b"first_name\x1fanna", bytes(range(256))):
            expected = hmac.digest(secret, message, hashlib.sha256)
            assert KeyedHash(secret).digest(message) == expected


def test_pseudonym_is_hmac_of_label_separator_value_under_a_derived_key(key: Key) -> None:
    secret = derive(key, b"victim-monitor/v1/pseudonym")
    expected = hmac.new(secret, b"last_name\x1fvisscher", hashlib.sha256).hexdigest()
    assert Pseudonymiser(key).pseudonym(b"last_name", "visscher") == expected


def test_equal_values_in_different_fields_do_not_collide(key: Key) -> None:
    pn = Pseudonymiser(key).row(name_keys("Jordan", "Jordan"), None, "X")
    assert pn.pn_first_name != pn.pn_last_name


def test_empty_input_gives_empty_pseudonyms(key: Key) -> None:
    pn = Pseudonymiser(key).row(name_keys("", ""), None, "F")
    assert set(pn) == {""}


def test_partial_birth_dates_fill_only_what_is_known(key: Key) -> None:
    pseudonymiser = Pseudonymiser(key)
    names = name_keys("Anna", "Visscher")
    full = pseudonymiser.row(names, PartialDate(1990, 5, 12), "F")
    month = pseudonymiser.row(names, PartialDate(1990, 5), "F")
    year = pseudonymiser.row(names, PartialDate(1990), "F")
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in full)
    assert month.pn_birth_date == ""
    assert month.pn_birth_year_month == full.pn_birth_year_month
    assert year.pn_birth_year_month == ""
    assert year.pn_sex_birth_year == full.pn_sex_birth_year
    assert pseudonymiser.row(names, PartialDate(1990), "M").pn_sex_birth_year != (
        year.pn_sex_birth_year
    )


def test_remembered_results_equal_fresh_ones(key: Key) -> None:
    names, birth = name_keys("Anna", "Visscher"), PartialDate(1990, 5, 12)
    warm = Pseudonymiser(key)
    warm.row(names, birth, "F")
    assert warm.row(names, birth, "F") == Pseudonymiser(key).row(names, birth, "F")
