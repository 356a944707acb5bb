"""Synthetic names: drawing true names per origin, and the variants organisations record.

True first and last names are drawn independently from lists of common names per origin
(``data/names.toml``), so no real person is described. The variant generator turns a true
name into what one organisation wrote down: a typo, another transliteration, diacritics
dropped, swapped name parts, a second given name dropped, a Dutch particle written
differently, a surname in capitals.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pandas as pd

from victim_monitor.synthetic.config import MIN_POOL, NamePools

#: Origin mix of the name for each nationality (a Dutch national may carry a Moroccan name).
NATIONALITY_ORIGINS: dict[str, dict[str, float]] = {
    "NL": {"dutch": 0.9, "moroccan": 0.1},
    "PL": {"polish": 1.0},
    "RO": {"romanian": 1.0},
    "BG": {"bulgarian": 1.0},
    "HU": {"hungarian": 1.0},
    "UA": {"ukrainian": 1.0},
    "NG": {"nigerian": 1.0},
    "GH": {"west_african": 1.0},
    "SL": {"west_african": 1.0},
    "GN": {"west_african": 1.0},
    "LR": {"west_african": 1.0},
    "CM": {"west_african": 1.0},
    "UG": {"east_african": 1.0},
    "ER": {"eritrean": 1.0},
    "MA": {"moroccan": 1.0},
    "VN": {"vietnamese": 1.0},
    "CN": {"chinese": 1.0},
    "PH": {"filipino": 1.0},
    "IN": {"indian": 1.0},
}

#: Vietnamese middle names by sex (female, male): the "second given name" of that origin.
VIETNAMESE_MIDDLE = ("Thị", "Văn")

PARTICLES = frozenset({"van", "de", "der", "den", "ter", "ten", "het", "'t", "in"})

#: Number of uniform draws one call of :meth:`NameRecorder.record` consumes.
UNIFORMS_PER_NAME = 16


@dataclass(frozen=True, slots=True)
class Origin:
    """Name lists of one origin group; each name is a tuple of its spellings."""

    name: str
    scheme: str
    family_first: bool
    second_given: float
    female: tuple[tuple[str, ...], ...]
    male: tuple[tuple[str, ...], ...]
    last: tuple[tuple[str, ...], ...]


def _spellings(entries: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(entry.split("|")) for entry in entries)


@cache
def origins() -> dict[str, Origin]:
    """The origin groups of ``data/names.toml``."""
    text = resources.files("victim_monitor.synthetic").joinpath("data/names.toml").read_text()
    raw = tomllib.loads(text)
    return {
        key: Origin(
            name=key,
            scheme=str(value["scheme"]),
            family_first=bool(value.get("family_first", False)),
            second_given=float(value["second_given"]),
            female=_spellings(value["female"]),
            male=_spellings(value["male"]),
            last=_spellings(value["last"]),
        )
        for key, value in raw.items()
    }


@cache
def _alternatives() -> dict[tuple[str, str], tuple[str, ...]]:
    """(origin, true spelling) -> all spellings of that name."""
    table: dict[tuple[str, str], tuple[str, ...]] = {}
    for origin in origins().values():
        for names in (origin.female, origin.male, origin.last):
            for spellings in names:
                table[(origin.name, spellings[0])] = spellings
    return table


@dataclass(frozen=True, slots=True)
class TrueNames:
    """True names of many persons, as parallel arrays."""

    origin: npt.NDArray[np.object_]
    first: npt.NDArray[np.object_]
    second: npt.NDArray[np.object_]
    last: npt.NDArray[np.object_]


def draw_names(
    nationality: npt.NDArray[np.object_],
    female: npt.NDArray[np.bool_],
    rng: np.random.Generator,
    pools: NamePools | None = None,
    extra: np.random.Generator | None = None,
) -> TrueNames:
    """True names for persons of the given nationalities (vectorised per origin).

    ``pools`` narrows and skews the name lists and gives some persons another's whole name
    (:class:`NamePools`); the default draws uniformly from the whole lists. ``extra``: the
    random stream for the namesakes, apart from ``rng`` so that other draws do not move.
    """
    pools = pools or NamePools()
    n = len(nationality)
    origin = np.full(n, "dutch", dtype=object)
    u = rng.random(n)
    for code, mix in NATIONALITY_ORIGINS.items():
        idx = np.flatnonzero(nationality == code)
        cumulative = np.cumsum(list(mix.values()))
        keys = np.array(list(mix), dtype=object)
        origin[idx] = keys[np.minimum(np.searchsorted(cumulative, u[idx]), len(keys) - 1)]
    first = np.empty(n, dtype=object)
    second = np.full(n, "", dtype=object)
    last = np.empty(n, dtype=object)
    for key, spec in origins().items():
        idx = np.flatnonzero(origin == key)
        if idx.size == 0:
            continue
        last_pool = _pool(spec.last, key, pools)
        last[idx] = last_pool[_draw(rng, len(last_pool), idx.size, pools.skew)]
        has_second = rng.random(idx.size) < spec.second_given
        for is_female, pool_spec in ((True, spec.female), (False, spec.male)):
            sub = idx[female[idx] == is_female]
            pool = _pool(pool_spec, key, pools)
            a = _draw(rng, len(pool), sub.size, pools.skew)
            # a different second given name: shift by 1..len-1 places
            b = (a + rng.integers(1, len(pool), sub.size)) % len(pool)
            first[sub] = pool[a]
            mask = has_second[np.searchsorted(idx, sub)]
            if spec.scheme == "vietnamese":
                second[sub[mask]] = VIETNAMESE_MIDDLE[0 if is_female else 1]
            else:
                second[sub[mask]] = pool[b[mask]]
    names = TrueNames(origin=origin, first=first, second=second, last=last)
    if pools.namesakes > 0:
        _share_names(names, female, pools.namesakes, extra or rng)
    return names


def _pool(
    spellings: tuple[tuple[str, ...], ...], origin: str, pools: NamePools
) -> npt.NDArray[np.object_]:
    """The names of one list in use: the first ones (lists run from common to rare)."""
    size = MIN_POOL if origin in pools.handful else round(pools.size * len(spellings))
    size = min(len(spellings), max(MIN_POOL, size))
    return np.array([s[0] for s in spellings[:size]], dtype=object)


def _draw(rng: np.random.Generator, size: int, n: int, skew: float) -> npt.NDArray[np.int64]:
    """``n`` positions in a list of ``size`` names, Zipf-weighted by ``skew`` (0: uniform)."""
    if skew == 0:
        return rng.integers(0, size, n)
    weights = 1.0 / np.arange(1, size + 1) ** skew
    return rng.choice(size, size=n, p=weights / weights.sum())


def _share_names(
    names: TrueNames, female: npt.NDArray[np.bool_], rate: float, rng: np.random.Generator
) -> None:
    """Give a share ``rate`` of persons the whole name of another of their origin and sex."""
    chosen = rng.random(len(names.first)) < rate
    groups = pd.DataFrame({"origin": names.origin, "female": female}).groupby(
        ["origin", "female"], sort=True
    )
    for found in groups.indices.values():
        rows = np.asarray(found, dtype=np.int64)
        takers = rows[chosen[rows]]
        if takers.size == 0 or rows.size < 2:
            continue
        donors = rows[rng.integers(0, rows.size, takers.size)]
        for part in (names.first, names.second, names.last):
            part[takers] = part[donors]


# --- variants ----------------------------------------------------------------------------

_SPECIAL_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "ß": "ss"})


@lru_cache(maxsize=1 << 16)
def strip_diacritics(text: str) -> str:
    """Letters without their diacritics, as many registration systems store them."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_CYRILLIC = re.compile("shch|sht|zh|kh|ch|sh|ts|ya|yu|ye|iy|y|u|v|h")
_CYRILLIC_SYSTEMS: dict[str, dict[str, str]] = {
    # The Dutch and the German way of writing the same Cyrillic letters.
    "dutch": {"shch": "sjtsj", "sht": "sjt", "zh": "zj", "kh": "ch", "ch": "tsj", "sh": "sj",
              "ya": "ja", "yu": "joe", "ye": "je", "iy": "ij", "y": "j", "u": "oe", "x": "ch"},
    "german": {"shch": "schtsch", "sht": "scht", "zh": "sch", "kh": "ch", "ch": "tsch",
               "sh": "sch", "ts": "z", "ya": "ja", "yu": "ju", "ye": "je", "iy": "ij", "y": "j",
               "v": "w", "x": "ch"},
}  # fmt: skip


@lru_cache(maxsize=1 << 14)
def transliterate(name: str, system: str, bulgarian: bool) -> str:
    """Re-transliterate a name written in the standard Latin form of Cyrillic."""
    table = _CYRILLIC_SYSTEMS[system]

    def swap(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "h":  # Bulgarian h is the letter kh; Ukrainian h is h
            token = "x" if bulgarian else "h"
        return table.get(token, token)

    out = _CYRILLIC.sub(swap, name.lower())
    return out[:1].upper() + out[1:]


_KEYBOARD_NEIGHBOURS = {
    "a": "sq", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj",
    "i": "uo", "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o",
    "q": "w", "r": "et", "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc",
    "y": "tu", "z": "x",
}  # fmt: skip


def typo(name: str, u1: float, u2: float) -> str:
    """One edit: a neighbouring key, a dropped or doubled letter, or two letters swapped."""
    if len(name) < 3:
        return name
    pos = 1 + int(u2 * (len(name) - 2))  # never the first letter
    char = name[pos]
    if u1 < 0.35 and char.lower() in _KEYBOARD_NEIGHBOURS:
        options = _KEYBOARD_NEIGHBOURS[char.lower()]
        return name[:pos] + options[int(u2 * 97) % len(options)] + name[pos + 1 :]
    if u1 < 0.6:
        return name[:pos] + name[pos + 1 :]
    if u1 < 0.8:
        return name[:pos] + char + name[pos:]
    if pos + 1 < len(name) and name[pos + 1] != char:
        return name[:pos] + name[pos + 1] + char + name[pos + 2 :]
    return name[:pos] + name[pos + 1 :]


def particle_variant(last: str, u: float) -> str:
    """A Dutch surname with particles as different systems write it."""
    words = last.split(" ")
    k = 0
    while k < len(words) - 1 and words[k].lower() in PARTICLES:
        k += 1
    if k == 0:
        return last
    particle, base = " ".join(words[:k]), " ".join(words[k:])
    forms = [
        particle[:1].upper() + particle[1:] + " " + base,  # Van der Berg
        (particle + base).replace(" ", "").capitalize(),  # Vanderberg
        f"{base}, {particle}",  # Berg, van der
        f"{base} {particle}",  # Berg van der
        base,  # Berg
    ]
    if words[0] == "van" and k == 2:
        forms.append(f"v.{words[1][0]}. {base}")  # v.d. Berg
    return forms[int(u * len(forms)) % len(forms)]


@dataclass(frozen=True, slots=True)
class NameRates:
    """Per-report probabilities of each name variant (see ``VariantRates``)."""

    typo: float
    spelling: float
    diacritics: float
    transliteration: float
    swap: float
    second_given_dropped: float
    particle: float


def record_name(
    first: str,
    second: str,
    last: str,
    origin: str,
    rates: NameRates,
    u: npt.NDArray[np.float64],
    upper_last: bool,
) -> tuple[str, str, list[str]]:
    """The first and last name one organisation recorded, and which variants it made.

    ``u`` holds UNIFORMS_PER_NAME uniform draws, so that the result depends only on them.
    """
    spec = origins()[origin]
    made: list[str] = []
    alternatives = _alternatives()

    def respell(name: str, u_pick: float, u_choice: float) -> str:
        options = alternatives.get((origin, name), (name,))
        if len(options) > 1 and u_pick < rates.spelling:
            made.append("spelling")
            return options[1 + int(u_choice * (len(options) - 1)) % (len(options) - 1)]
        return name

    first_r = respell(first, u[0], u[1])
    last_r = respell(last, u[2], u[3])
    second_r = respell(second, u[15], u[1]) if second else ""
    if second_r:
        if u[4] < rates.second_given_dropped:
            made.append("second_given_dropped")
        else:
            first_r = f"{first_r} {second_r}"
    if spec.scheme == "cyrillic" and u[5] < rates.transliteration:
        system = "dutch" if u[6] < 0.5 else "german"
        bulgarian = origin == "bulgarian"
        new_first = " ".join(transliterate(w, system, bulgarian) for w in first_r.split(" "))
        new_last = transliterate(last_r, system, bulgarian)
        if (new_first, new_last) != (first_r, last_r):
            made.append("transliteration")
        first_r, last_r = new_first, new_last
    if u[7] < rates.diacritics:
        plain_first, plain_last = strip_diacritics(first_r), strip_diacritics(last_r)
        if (plain_first, plain_last) != (first_r, last_r):
            made.append("diacritics")
        first_r, last_r = plain_first, plain_last
    if spec.scheme == "dutch" and u[8] < rates.particle:
        varied = particle_variant(last_r, u[9])
        if varied != last_r:
            made.append("particle")
            last_r = varied
    if u[10] < rates.typo:
        before = (first_r, last_r)
        if u[11] < 0.5:
            first_r = typo(first_r, u[12], u[13])
        else:
            last_r = typo(last_r, u[12], u[13])
        if (first_r, last_r) != before:  # names of one or two letters are left alone
            made.append("typo")
    swap_rate = rates.swap * (4.0 if spec.family_first else 1.0)
    if u[14] < swap_rate:
        first_r, last_r = last_r, first_r
        made.append("swap")
    if upper_last:
        last_r = last_r.upper()
    return first_r, last_r, list(dict.fromkeys(made))
