"""How each organisation records a victim: its codings, its gaps, its case references.

The same person looks different in every organisation's file. Some organisations write
``F/M/X``, others ``v/m/o`` or ``vrouw/man``; nationality as ISO alpha-2, alpha-3, a Dutch
country name ("Polen") or a Dutch adjective ("Nigeriaanse"); kinds of exploitation in
English codes or Dutch words; yes/no questions as ``yes/no/unknown`` or ``ja/nee/onbekend``.
Every organisation leaves some facts unknown, at its own rates.
"""

from __future__ import annotations

import gettext
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt
import pycountry

from victim_monitor.synthetic.config import VariantRates


@dataclass(frozen=True, slots=True)
class Reporter:
    """A reporting organisation as the generator needs it."""

    code: str
    estimation_list: str
    investigative: bool


@cache
def reporters() -> tuple[Reporter, ...]:
    """The default organisations (``victim_monitor/data/organisations.toml``)."""
    text = resources.files("victim_monitor.data").joinpath("organisations.toml").read_text()
    return tuple(
        Reporter(str(o["code"]), str(o["list"]), bool(o["investigative"]))
        for o in tomllib.loads(text)["organisation"]
    )


@dataclass(frozen=True, slots=True)
class Style:
    """One organisation's way of recording (codings and the rates of unknown facts)."""

    case_reference: str  # str.format with year, yy and n
    delimiter: str = ","
    bom: bool = False
    sex: tuple[str, str, str] = ("F", "M", "X")  # female, male, other/unknown
    yes_no: tuple[str, str, str] = ("yes", "no", "unknown")
    country: str = "alpha2"  # alpha2 | alpha3 | name_nl | adjective_nl
    dutch_kinds: bool = False
    upper_last: bool = False  # surname in capitals, as in a passport
    january_first: bool = False  # unknown birth dates of asylum seekers as 1 January
    birth_factor: float = 1.0  # multiplies the missing/partial birth-date rates
    kinds_missing: float = 0.05
    sector_missing: float = 0.20
    border_unknown: float = 0.08
    dublin_unknown: float = 0.30
    police_unknown: float = 0.20
    country_missing: float = 0.10


_NL_SEX = ("v", "m", "o")
_NL_SEX_WORDS = ("vrouw", "man", "onbekend")
_NL_YES_NO = ("ja", "nee", "onbekend")

STYLES: dict[str, Style] = {
    "POL": Style("NP/{year}/{n:06d}", january_first=True, birth_factor=0.5, kinds_missing=0.03,
                 sector_missing=0.12, border_unknown=0.05, dublin_unknown=0.15,
                 police_unknown=0.0, country_missing=0.05),
    "KMAR": Style("KMAR-{yy}-{n:05d}", country="alpha3", upper_last=True, january_first=True,
                  birth_factor=0.3, kinds_missing=0.05, border_unknown=0.0, dublin_unknown=0.05),
    "NLA": Style("ISZW.{year}.{n:05d}", yes_no=_NL_YES_NO, dutch_kinds=True, birth_factor=0.6,
                 kinds_missing=0.02, sector_missing=0.02),
    "ZC": Style("ZC{year}-{n:05d}", delimiter=";", bom=True, sex=_NL_SEX, yes_no=_NL_YES_NO,
                country="name_nl", dutch_kinds=True, kinds_missing=0.08),
    "COSM": Style("COSM-{year}-{n:04d}", birth_factor=0.8),
    "OPV": Style("OPV/{year}/{n:04d}", sex=_NL_SEX_WORDS, yes_no=_NL_YES_NO,
                 country="adjective_nl", dutch_kinds=True, kinds_missing=0.15, birth_factor=1.5),
    "JZ": Style("JZ.{year}.{n:05d}", delimiter=";", bom=True, sex=_NL_SEX, yes_no=_NL_YES_NO,
                country="name_nl", dutch_kinds=True, kinds_missing=0.10, birth_factor=0.6),
    "GZ": Style("GZ-{year}-{n:04d}", kinds_missing=0.15, birth_factor=1.2),
    "FW": Style("FW{yy}-{n:04d}", kinds_missing=0.05, sector_missing=0.08),
    "ADV": Style("ADV-{year}-{n:04d}", sex=_NL_SEX_WORDS, yes_no=_NL_YES_NO, country="name_nl",
                 dutch_kinds=True, kinds_missing=0.12, dublin_unknown=0.1),
    "GEM": Style("GEM/{year}/{n:04d}", sex=_NL_SEX, yes_no=_NL_YES_NO, country="adjective_nl",
                 dutch_kinds=True, kinds_missing=0.15, birth_factor=1.2),
    "IND": Style("IND-{year}-{n:07d}", country="alpha3", upper_last=True, january_first=True,
                 birth_factor=0.3, dublin_unknown=0.0, police_unknown=0.1),
    "SELF": Style("SELF-{year}-{n:04d}", kinds_missing=0.25, birth_factor=2.0),
    "OVR": Style("OVR-{year}-{n:04d}", country="name_nl", kinds_missing=0.20, birth_factor=1.5),
}  # fmt: skip

DUTCH_KINDS = {
    "sexual": "seksueel", "labour": "arbeid", "criminal": "crimineel",
    "organ_removal": "orgaanverwijdering", "other": "overig",
}  # fmt: skip

#: Dutch adjectives of nationality (as on a Dutch form: "nationaliteit: Poolse").
DUTCH_ADJECTIVES = {
    "NL": "Nederlandse", "PL": "Poolse", "RO": "Roemeense", "BG": "Bulgaarse",
    "HU": "Hongaarse", "UA": "Oekraïense", "NG": "Nigeriaanse", "GH": "Ghanese",
    "SL": "Sierraleoonse", "GN": "Guinese", "LR": "Liberiaanse", "CM": "Kameroense",
    "UG": "Oegandese", "ER": "Eritrese", "ET": "Ethiopische", "KE": "Keniaanse",
    "MA": "Marokkaanse", "VN": "Vietnamese", "CN": "Chinese", "PH": "Filipijnse",
    "IN": "Indiase", "RU": "Russische", "MD": "Moldavische",
}  # fmt: skip

#: Nationalities that get confused (a claimed or misread nationality).
CONFUSED_NATIONALITY = {
    "ER": "ET", "NG": "GH", "GH": "NG", "GN": "SL", "SL": "GN", "UG": "KE", "UA": "RU",
    "RO": "MD", "VN": "CN", "CN": "VN", "LR": "SL", "CM": "NG", "BG": "RO", "HU": "RO",
}  # fmt: skip


@cache
def _dutch_country_names() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"])


@cache
def country_label(alpha2: str, style: str) -> str:
    """A country as an organisation writes it: alpha-2, alpha-3, Dutch name or adjective."""
    if not alpha2 or style == "alpha2":
        return alpha2
    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        raise ValueError(f"not an ISO 3166-1 alpha-2 code: {alpha2!r}")
    if style == "alpha3":
        return str(country.alpha_3)
    if style == "adjective_nl" and alpha2 in DUTCH_ADJECTIVES:
        return DUTCH_ADJECTIVES[alpha2]
    return str(_dutch_country_names().gettext(country.name))


def record_birth_date(
    birth: str, foreign_non_eu: bool, style: Style, rates: VariantRates, u: npt.NDArray[np.float64]
) -> tuple[str, str | None]:
    """A birth date as recorded (full, partial, missing, day and month swapped) and its variant.

    ``u`` holds three uniform draws.
    """
    missing = rates.birth_missing * style.birth_factor
    partial = rates.birth_partial * style.birth_factor
    year, month, day = birth[:4], birth[5:7], birth[8:10]
    if u[0] < missing:
        return "", "birth_missing"
    u0 = (u[0] - missing) / (1.0 - missing)  # uniform again, given not missing
    if style.january_first and foreign_non_eu and u0 < rates.birth_january_first:
        return f"{year}-01-01", "birth_january_first"
    if u[1] < partial:
        return (f"{year}-{month}", "birth_partial") if u[2] < 0.5 else (year, "birth_partial")
    if u[1] - partial < rates.birth_day_month_swap and int(day) <= 12 and day != month:
        return f"{year}-{day}-{month}", "birth_day_month_swap"
    return birth, None


def mistype_birth_date(birth: str, u1: float, u2: float) -> str:
    """A full birth date with one digit mistyped: the day (half the time), year or month.

    The number moves one up or down, and the date stays a valid one.
    """
    year, month, day = int(birth[:4]), int(birth[5:7]), int(birth[8:10])
    step = 1 if u2 < 0.5 else -1
    if u1 < 0.5:
        day = day + step if 1 <= day + step <= 28 else (day - 1 if day > 1 else 2)
    elif u1 < 0.8:
        year += step
    else:
        month = month + step if 1 <= month + step <= 12 else month - step
        day = min(day, 28)
    if month == 2 and day == 29:
        day = 28
    return f"{year:04d}-{month:02d}-{day:02d}"


def code_kinds(kinds: str, dutch: bool) -> str:
    """Kinds of exploitation, ``;``-separated, in English codes or Dutch words."""
    if not dutch or not kinds:
        return kinds
    return ";".join(DUTCH_KINDS[k] for k in kinds.split(";"))


def code_yes_no(values: npt.NDArray[np.object_], style: Style) -> npt.NDArray[np.object_]:
    """yes/no/unknown in the organisation's words."""
    table = dict(zip(("yes", "no", "unknown"), style.yes_no, strict=True))
    return np.array([table[v] for v in values], dtype=object)


def code_sex(values: npt.NDArray[np.object_], style: Style) -> npt.NDArray[np.object_]:
    """female/male/other_unknown in the organisation's codes."""
    table = dict(zip(("female", "male", "other_unknown"), style.sex, strict=True))
    return np.array([table[v] for v in values], dtype=object)


def unknown_where(
    values: npt.NDArray[np.object_], rate: float, rng: np.random.Generator, blank: str
) -> npt.NDArray[np.object_]:
    """The values with a share ``rate`` replaced by ``blank`` (the fact was not recorded)."""
    out = values.copy()
    out[rng.random(len(values)) < rate] = blank
    return out
