"""Name normalisation before hashing: the same person written differently should hash alike.

A keyed hash only links exact equals, so every spelling variant that normalisation removes
is a link that linkage does not have to recover from the Bloom filter. The rules below are
part of the submission format: changing any of them changes pseudonyms, and reports encoded
before and after would no longer link. ``docs/encoder.md`` states them in words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple

import jellyfish

# Letters that Unicode decomposition does not reduce to ASCII. ß is covered by casefold().
_LETTER_FOLDS = {
    "ø": "o",
    "ł": "l",
    "æ": "ae",
    "œ": "oe",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ı": "i",
    "ħ": "h",
    "ŧ": "t",
    "ŋ": "n",
    "ĸ": "k",
    "ſ": "s",
}

# Cyrillic to Latin (close to the Ukrainian and Russian passport schemes), so that a name
# written in Cyrillic by one organisation and in Latin letters by another can still agree.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ё": "e", "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k",
    "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ў": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
# "г" follows Ukrainian (h); Russian would write g. The phonetic code and Bloom filter
# absorb that difference; the exact name pseudonyms do not.

_FOLD_TABLE = str.maketrans({**_LETTER_FOLDS, **_CYRILLIC})

# Apostrophes and dots join (O'Brien -> obrien, v.d. -> vd); every other non-letter splits.
_JOINERS = str.maketrans("", "", ".'’ʼ`´")

# Name particles (Dutch tussenvoegsels and their neighbours'). Dropped from the front of the
# last name and from the sorted token set, so "van der Berg", "Berg, van der" and "Berg" agree.
PARTICLES = frozenset({
    "van", "de", "der", "den", "het", "t", "ten", "ter", "te", "op", "in", "uit", "aan", "bij",
    "vd", "vden", "von", "vom", "zu", "zum",
    "da", "das", "do", "dos", "di", "du", "del", "della", "des", "la", "le", "l", "d",
})  # fmt: skip

# Values that stand for "name unknown" and must never be hashed as if they were a name:
# equal placeholders would otherwise link every unnamed victim to every other.
PLACEHOLDERS = frozenset({
    "nn", "onbekend", "unknown", "x", "xx", "xxx", "nvt", "nnb", "null", "none", "geen",
    "leeg", "anoniem", "anonymous", "fnu", "lnu", "nomennescio",
})  # fmt: skip


def fold(text: str) -> str:
    """Lower-case letters without accents, words separated by single spaces.

    In order: drop apostrophes and dots; casefold; NFKD; drop marks (Unicode category M);
    fold the letters above; every run of non-letters (category L) becomes one space.
    """
    if text.isascii():  # the common case, and the same result as the general path
        return " ".join(text.translate(_ASCII_FOLD).split())
    return fold_unicode(text.translate(_JOINERS))


def fold_unicode(text: str) -> str:
    """The general path of :func:`fold` (after joiners are dropped), for any script."""
    return " ".join(unicodedata.normalize("NFKD", text.casefold()).translate(_CHAR_FOLD).split())


class _CharFold(dict[int, str]):
    """What :func:`fold_unicode` makes of each character after NFKD, worked out once per
    character: a mark goes, a letter of the fold table is folded, any other letter stays,
    anything else is a space. The steps act on characters one at a time, so doing them per
    character gives the same text as doing them in turn over the whole string."""

    def __missing__(self, point: int) -> str:
        char = chr(point)
        if unicodedata.category(char).startswith("M"):
            found = ""
        else:
            folded = _FOLD_TABLE.get(point)
            found = folded if folded is not None else char if char.isalpha() else " "
        self[point] = found
        return found


_CHAR_FOLD = _CharFold()
# fold() of ASCII text in one translation: joiners go, capitals are lowered, other
# non-letters become spaces (the same steps as the general path, per character).
_ASCII_FOLD = {
    point: None if chr(point) in ".'`" else chr(point).lower() if chr(point).isalpha() else " "
    for point in range(128)
    if not "a" <= chr(point) <= "z"
}


class NameKeys(NamedTuple):
    """The normalised name strings that are hashed; empty strings where nothing is known.

    A named tuple (immutable, and cheap to build and hash: one is made per distinct name).
    """

    first: str  # first given name
    given: str  # all given names, space-separated
    last: str  # last name without leading particles, spaces and hyphens
    full: str  # given, 0x1F, last; empty unless both are known
    tokens_sorted: str  # every name token except particles, sorted, space-separated
    first_phonetic: str
    last_phonetic: str


def is_placeholder(folded: str) -> bool:
    """True for a folded name that is empty or stands in for an unknown name (N.N., onbekend)."""
    return not folded or folded.replace(" ", "") in PLACEHOLDERS


def _last_tokens(raw: str, fold: Callable[[str], str]) -> list[str]:
    """Last-name tokens without leading particles; "Berg, van der" is read as "van der Berg"."""
    folded = fold(raw)
    if is_placeholder(folded):
        return []
    head, comma, tail = raw.partition(",")
    if not comma:
        tokens = folded.split()
    else:
        tokens = fold(head).split()
        tail_tokens = fold(tail).split()
        if not (tail_tokens and all(t in PARTICLES for t in tail_tokens)):
            tokens += tail_tokens  # not a particle suffix: just another part of the name
    start = 0
    while start < len(tokens) - 1 and tokens[start] in PARTICLES:
        start += 1  # always keep the final token: "De" alone is a last name, not a particle
    return tokens[start:]


def _name_keys(
    first_name: str,
    last_name: str,
    fold: Callable[[str], str],
    phonetic: Callable[[str], str],
) -> NameKeys:
    folded_first = fold(first_name)
    given = [] if is_placeholder(folded_first) else folded_first.split()
    last_tokens = _last_tokens(last_name, fold)
    last = "".join(last_tokens)
    everything = given + last_tokens
    kept = [t for t in everything if t not in PARTICLES] or everything
    first = given[0] if given else ""
    all_given = " ".join(given)
    return NameKeys(
        first=first,
        given=all_given,
        last=last,
        full=f"{all_given}\x1f{last}" if given and last else "",
        tokens_sorted=" ".join(sorted(kept)),
        first_phonetic=phonetic(first),
        last_phonetic=phonetic(last),
    )


def name_keys(first_name: str, last_name: str) -> NameKeys:
    """Normalise a first and last name (placeholders count as empty) into hashable keys."""
    return _name_keys(first_name, last_name, fold, phonetic)


_MEMO_LIMIT = 1 << 16


class NameNormaliser:
    """:func:`name_keys` that remembers, for one encoding run.

    Names and name parts repeat across rows; remembering them saves most of the work. The
    memory belongs to this object, not to the module, so clear names do not outlive the run
    in a long-lived process; it is also bounded.
    """

    __slots__ = ("_folds", "_pairs", "_phonetics")

    def __init__(self) -> None:
        self._pairs: dict[tuple[str, str], NameKeys] = {}
        self._folds: dict[str, str] = {}
        self._phonetics: dict[str, str] = {}

    def __call__(self, first_name: str, last_name: str) -> NameKeys:
        found = self._pairs.get((first_name, last_name))
        if found is None:
            found = _name_keys(first_name, last_name, self._fold, self._phonetic)
            if len(self._pairs) >= _MEMO_LIMIT:
                self._pairs.clear()
            self._pairs[(first_name, last_name)] = found
        return found

    def _fold(self, text: str) -> str:
        found = self._folds.get(text)
        if found is None:
            if len(self._folds) >= _MEMO_LIMIT:
                self._folds.clear()
            found = self._folds[text] = fold(text)
        return found

    def _phonetic(self, key: str) -> str:
        found = self._phonetics.get(key)
        if found is None:
            if len(self._phonetics) >= _MEMO_LIMIT:
                self._phonetics.clear()
            found = self._phonetics[key] = phonetic(key)
        return found


# Dutch-aware spelling folds applied before Metaphone, in this order. Metaphone is built for
# English; these rules make Dutch spellings of the same sound agree first (ij/ei/y, ch as a
# guttural g, final -dt), plus a few Polish and Romanian digraphs common among victims.
_SPELLING_FOLDS: tuple[tuple[str, str], ...] = (
    ("sch", "s"),
    ("ch", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dt", "t"),
    ("ck", "k"),
    ("qu", "kw"),
    ("ij", "y"),
    ("ei", "y"),
    ("ey", "y"),
    ("au", "ou"),
    ("cz", "c"),
    ("sz", "s"),
    ("w", "v"),
    ("x", "ks"),
    ("z", "s"),
)
_SOFT_C = re.compile(r"c(?=[eiy])")
_DOUBLES = re.compile(r"(.)\1+")


def _first_of_run(match: re.Match[str]) -> str:
    """One letter for a run of it (a function: a template costs a Python call per sub())."""
    return match[1]


def spelling_fold(key: str) -> str:
    """Fold Dutch and neighbouring spelling variants of one sound to one spelling."""
    for old, new in _SPELLING_FOLDS:
        key = key.replace(old, new)
    key = _SOFT_C.sub("s", key).replace("c", "k").replace("y", "i")
    key = _DOUBLES.sub(_first_of_run, key)
    return key[:-1] + "t" if key.endswith("d") else key  # final devoicing: Smid = Smit


def phonetic(key: str) -> str:
    """Metaphone of the spelling-folded key; for non-Latin letters, the folded key itself."""
    if not key:
        return ""
    folded = spelling_fold(key.replace(" ", ""))
    if not folded.isascii():
        return folded  # Metaphone would drop letters it does not know; keep them instead
    return str(jellyfish.metaphone(folded)) or folded
