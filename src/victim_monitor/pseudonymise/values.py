"""Coded values at the source: many spellings in, one canonical value of format v1 out.

Organisations export from case systems and spreadsheets in Dutch and English; the encoder
is tolerant here so that the register can be strict. The spellings are data
(``source-values.toml``); this module only folds text and looks it up.
"""

from __future__ import annotations

import gettext
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import pycountry

from victim_monitor import vocab

_DROP = re.compile(r"[.'’`´]")
_SPACE = re.compile(r"[^0-9a-z?]+")
_KIND_SEPARATORS = re.compile(r"[;,/|+]")


@lru_cache(maxsize=16384)
def value_key(text: str) -> str:
    """Fold a cell for lookup: no accents, lower case, punctuation read as single spaces.

    Cached: coded columns hold a handful of distinct values repeated on every row.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _SPACE.sub(" ", _DROP.sub("", text)).strip()


_MISSING = "\x00"  # marks "not recognised" in the memo (None means "not seen yet")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Accepted spellings of one coded field, and what an empty cell means."""

    table: Mapping[str, str]
    empty: str
    _memo: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def lookup(self, text: str) -> str | None:
        """The canonical value, ``empty`` for a blank cell, None when not recognised."""
        found = self._memo.get(text)
        if found is None:
            key = value_key(text)
            found = self.empty if not key else self.table.get(key, _MISSING)
            if len(self._memo) < 4096:  # a coded column has few distinct cells
                self._memo[text] = found
        return None if found == _MISSING else found


@cache
def source_values() -> dict[str, Any]:
    """The parsed ``source-values.toml``: accepted spellings and column aliases."""
    source = resources.files("victim_monitor.pseudonymise").joinpath("source-values.toml")
    return tomllib.loads(source.read_text("utf-8"))


def _table(section: str, members: Iterable[StrEnum] = ()) -> dict[str, str]:
    """Spellings of a section, plus each member's own value and its Dutch and English label."""
    table: dict[str, str] = {}
    for member in members:
        for text in (member.value, vocab.label(member, "nl"), vocab.label(member, "en")):
            table[value_key(text)] = member.value
    for canonical, spellings in source_values()[section].items():
        table[value_key(canonical)] = canonical
        for text in spellings:
            table[value_key(text)] = canonical
    table.pop("", None)
    return table


@cache
def sex() -> Vocabulary:
    """F, M or X; an empty cell means X (other or unknown)."""
    table = _table("sex")
    labels = {vocab.Sex.FEMALE: "F", vocab.Sex.MALE: "M", vocab.Sex.OTHER_UNKNOWN: "X"}
    for member, code in labels.items():
        table[value_key(vocab.label(member, "nl"))] = code
        table[value_key(vocab.label(member, "en"))] = code
    return Vocabulary(table, "X")


@cache
def yes_no() -> Vocabulary:
    """yes, no or unknown; an empty cell means unknown."""
    return Vocabulary(_table("yes_no", vocab.YesNoUnknown), "unknown")


@cache
def residence_permit() -> Vocabulary:
    """applied, granted, refused or none; an empty cell means none (the format has no unknown)."""
    return Vocabulary(_table("residence_permit", vocab.ResidencePermit), "none")


@cache
def exploitation_kind() -> Vocabulary:
    """One kind of exploitation; an empty part states nothing."""
    return Vocabulary(_table("exploitation", vocab.ExploitationKind), "")


@cache
def sector() -> Vocabulary:
    """A sector code; an empty cell means unknown."""
    return Vocabulary(_table("sector", vocab.Sector), "")


_KIND_ORDER = {kind.value: i for i, kind in enumerate(vocab.ExploitationKind)}


def exploitation(text: str) -> tuple[str, tuple[str, ...]]:
    """Canonical ``;``-separated kinds in a fixed order, and the parts not recognised."""
    kinds: set[str] = set()
    unknown: list[str] = []
    for part in _KIND_SEPARATORS.split(text):
        found = exploitation_kind().lookup(part)
        if found is None:
            unknown.append(part.strip())
        elif found:
            kinds.add(found)
    return ";".join(sorted(kinds, key=_KIND_ORDER.__getitem__)), tuple(unknown)


@cache
def country() -> Vocabulary:
    """ISO alpha-2 from codes, English and Dutch country names and nationality adjectives."""
    dutch = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])
    table: dict[str, str] = {}
    for entry in pycountry.countries:
        code = str(entry.alpha_2)
        names = [entry.alpha_2, entry.alpha_3, entry.name]
        names += [
            n
            for n in (getattr(entry, "common_name", None), getattr(entry, "official_name", None))
            if n
        ]
        for name in names + [dutch.gettext(n) for n in names[2:]]:
            table.setdefault(value_key(name), code)
    for code, spellings in source_values()["country"].items():
        for text in spellings:
            table[value_key(text)] = code  # the curated list wins over ISO name clashes
    for text in source_values()["country_unknown"]["values"]:
        table[value_key(text)] = ""
    table.pop("", None)
    return Vocabulary(table, "")
