"""Keyed pseudonyms: HMAC-SHA256 of normalised values, one domain label per field.

``pseudonym = hex(HMAC-SHA256(K_pn, label || 0x1F || utf8(value)))`` where ``K_pn`` is derived
from the key. The label keeps equal values in different fields apart (a first name equal to
a last name must not produce equal pseudonyms); 0x1F (unit separator) cannot occur in a
normalised value, so label and value can never run into each other.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple, TypeVar

from victim_monitor.pseudonymise.dates import PartialDate
from victim_monitor.pseudonymise.key import Key, derive
from victim_monitor.pseudonymise.names import NameKeys

_PSEUDONYM_LABEL = b"victim-monitor/v1/pseudonym"
_K = TypeVar("_K")
_V = TypeVar("_V")
SEPARATOR = b"\x1f"


class KeyedHash:
    """HMAC-SHA256 with the key's pads hashed once, then copied per message.

    Equal to ``hmac.digest(secret, msg, "sha256")`` (a test checks it) but about twice as fast,
    which matters at a dozen hashes per row.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, secret: bytes) -> None:
        block = secret.ljust(64, b"\0") if len(secret) <= 64 else hashlib.sha256(secret).digest()
        block = block.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def prefixed(self, prefix: bytes) -> KeyedHash:
        """The HMAC of ``prefix + message`` as a hash of ``message``, the prefix hashed once."""
        other = KeyedHash.__new__(KeyedHash)
        other._inner, other._outer = self._inner.copy(), self._outer
        other._inner.update(prefix)
        return other

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


class Pseudonyms(NamedTuple):
    """The pseudonym columns of one report, in column order; empty where input was empty."""

    pn_first_name: str
    pn_last_name: str
    pn_full_name: str
    pn_name_sorted: str
    pn_first_name_phonetic: str
    pn_last_name_phonetic: str
    pn_birth_date: str
    pn_birth_year_month: str
    pn_sex_birth_year: str


_MEMO_LIMIT = 1 << 16
_FIELD_LABELS = (
    b"first_name",
    b"last_name",
    b"full_name",
    b"name_sorted",
    b"first_name_phonetic",
    b"last_name_phonetic",
    b"birth_date",
    b"birth_year_month",
    b"sex_birth_year",
)


class _Field:
    """One pseudonym column: its keyed hash with the label already in, and values it has seen."""

    __slots__ = ("_digest", "_memo")

    def __init__(self, hasher: KeyedHash, label: bytes) -> None:
        self._digest = hasher.prefixed(label + SEPARATOR).digest
        self._memo: dict[str, str] = {}

    def once(self, value: str) -> str:
        """The pseudonym of a value that seldom repeats (not remembered)."""
        return self._digest(value.encode("utf-8")).hex() if value else ""

    def repeated(self, value: str) -> str:
        """The pseudonym of a value that repeats across rows (remembered)."""
        found = self._memo.get(value)
        if found is None:
            found = self._digest(value.encode("utf-8")).hex() if value else ""
            _remember(self._memo, value, found)
        return found


class Pseudonymiser:
    """Makes the pseudonym columns under one key.

    Remembers recent results: first names, last names, phonetic codes, birth dates and
    sex-year pairs repeat on many rows, and a dictionary look-up is much cheaper than HMAC.
    Only in memory, for one run; bounded, so a huge file does not grow it without limit.
    """

    __slots__ = ("_dates", "_fields", "_hash", "_name_fields", "_names")

    def __init__(self, key: Key) -> None:
        self._hash = KeyedHash(derive(key, _PSEUDONYM_LABEL))
        self._names: dict[NameKeys, tuple[str, ...]] = {}
        self._dates: dict[tuple[PartialDate | None, str], tuple[str, str, str]] = {}
        self._fields = {label: _Field(self._hash, label) for label in _FIELD_LABELS}
        self._name_fields = tuple(self._fields[label] for label in _FIELD_LABELS[:6])

    def pseudonym(self, label: bytes, value: str) -> str:
        """64 lowercase hex digits, or empty for an empty value (never a hash of nothing)."""
        field = self._fields.get(label)
        if field is not None:
            return field.once(value)
        return self._hash.digest(label + SEPARATOR + value.encode("utf-8")).hex() if value else ""

    def row(self, names: NameKeys, birth: PartialDate | None, sex: str) -> Pseudonyms:
        """The nine pseudonyms of one report."""
        name_part = self._names.get(names)
        if name_part is None:
            first, last, full, tokens, first_phonetic, last_phonetic = self._name_fields
            name_part = (
                first.repeated(names.first),
                last.repeated(names.last),
                full.once(names.full),
                tokens.once(names.tokens_sorted),
                first_phonetic.repeated(names.first_phonetic),
                last_phonetic.repeated(names.last_phonetic),
            )
            _remember(self._names, names, name_part)
        date_part = self._dates.get((birth, sex))
        if date_part is None:
            date_part = self._date_part(birth, sex)
            _remember(self._dates, (birth, sex), date_part)
        return Pseudonyms._make((*name_part, *date_part))

    def _date_part(self, birth: PartialDate | None, sex: str) -> tuple[str, str, str]:
        if birth is None:
            return ("", "", "")
        known = birth.iso()
        fields = self._fields  # year-months and sex-year pairs repeat across dates
        return (
            fields[b"birth_date"].once(known if birth.is_full else ""),
            fields[b"birth_year_month"].repeated(known[:7] if birth.month else ""),
            fields[b"sex_birth_year"].repeated(f"{sex}\x1f{birth.year:04d}"),
        )


def _remember(memo: dict[_K, _V], key: _K, value: _V) -> None:
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()  # bounded memory; only speed is lost
    memo[key] = value
