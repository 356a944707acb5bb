"""Checks of a submission's header and rows against format v1, with coded problems.

A checked row becomes the tuple intake stages; every problem names the file, row and field,
and says what was expected. No problem repeats a value from the file, nor the text of a header
that is not a format column: problem reports are stored in the register and shown to the
reporter and staff, and any cell may hold a name or a birth date when a file's columns are
shifted or its header row is missing (the header is then a row of someone's data).
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple, cast

from victim_monitor.problems import Problem, ProblemCode, Severity, define
from victim_monitor.storage.schema import PSEUDONYM_FIELDS, REPORT_FIELDS
from victim_monitor.vocab import (
    ExploitationKind,
    ResidencePermit,
    Sector,
    Sex,
    YesNoUnknown,
    country_code,
)

UNKNOWN_COLUMN = define("VM102", Severity.ERROR, "Unknown column")
CLEAR_IDENTIFIER = define("VM103", Severity.ERROR, "Column looks like a clear identifier")
MISSING_COLUMN = define("VM104", Severity.ERROR, "Required column missing")
DUPLICATE_COLUMN = define("VM105", Severity.ERROR, "Column appears twice")
FIELD_COUNT = define("VM201", Severity.ERROR, "Row has the wrong number of fields")
MISSING_VALUE = define("VM202", Severity.ERROR, "Required value missing")
BAD_DATE = define("VM203", Severity.ERROR, "Not a date (YYYY-MM-DD)")
DATE_RANGE = define("VM204", Severity.ERROR, "Date out of range")
BAD_PSEUDONYM = define("VM205", Severity.ERROR, "Not a pseudonym")
BAD_BLOOM = define("VM206", Severity.ERROR, "Not a Bloom-filter encoding")
BAD_CODE = define("VM207", Severity.ERROR, "Value not in the code list")
BAD_KIND = define("VM208", Severity.ERROR, "Unknown kind of exploitation")
BAD_COUNTRY = define("VM209", Severity.ERROR, "Not an ISO 3166-1 country code")
BAD_BIRTH_YEAR = define("VM210", Severity.ERROR, "Implausible birth year")
BAD_AGE = define("VM211", Severity.ERROR, "Implausible age")
AGE_MISMATCH = define("VM212", Severity.WARNING, "Age does not fit birth year and report date")
BAD_CASE_REFERENCE = define("VM213", Severity.ERROR, "Malformed case reference")
REPEATED_CASE = define("VM214", Severity.ERROR, "Case reference repeated in the file")
BAD_VERSION = define("VM215", Severity.ERROR, "Unsupported format version")
BAD_KEY_ID = define("VM216", Severity.ERROR, "Malformed or inconsistent key id")
UNLINKABLE = define("VM217", Severity.WARNING, "No pseudonym: report cannot be linked")

FORMAT_VERSION = "1"
EARLIEST_REPORT = dt.date(2000, 1, 1)

COLUMNS: tuple[str, ...] = (
    "format_version",
    "key_id",
    "case_reference",
    "report_date",
    *PSEUDONYM_FIELDS,
    "bloom",
    "sex",
    "birth_year",
    "age_at_report",
    "nationality",
    "exploitation",
    "sector",
    "border_crossed",
    "country_of_exploitation",
    "dublin_claimant",
    "residence_permit",
    "police_report",
)

# Words that suggest a clear name, birth date or other direct identifier, in English and
# Dutch. Only unknown columns are tested, so the format's own ``pn_*_name`` columns pass.
_IDENTIFYING = re.compile(
    r"name|naam|birth|geboor|dob|bsn|burgerservice|social.?security|address|adres|straat|"
    r"street|postcode|zip|phone|telefoon|mobiel|e.?mail|passport|paspoort|v.?nummer",
    re.IGNORECASE,
)
_HEX64 = re.compile(r"[0-9a-f]{64}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")
_CASE = re.compile(r"[A-Za-z0-9._/-]{1,64}")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SEX = {"f": Sex.FEMALE.value, "m": Sex.MALE.value, "x": Sex.OTHER_UNKNOWN.value}
_SEX_EXACT = {**_SEX, **{k.upper(): v for k, v in _SEX.items()}}
_YNU = frozenset(v.value for v in YesNoUnknown)
_PERMIT = frozenset(v.value for v in ResidencePermit)
_SECTOR = frozenset(v.value for v in Sector)
_KINDS = frozenset(v.value for v in ExploitationKind)


def normalise_column(name: str) -> str:
    return name.strip().lower()


@dataclass(frozen=True, slots=True)
class HeaderCheck:
    """Where each format column sits in the file's rows, and what is wrong with the header."""

    index: dict[str, int]
    width: int
    problems: tuple[Problem, ...]


def check_header(header: Sequence[str], file: str) -> HeaderCheck:
    """Every format column present once; no other column; no clear identifiers."""
    problems: list[Problem] = []
    index: dict[str, int] = {}
    known = set(COLUMNS)
    for position, raw in enumerate(header):
        name = normalise_column(raw)
        # An unknown header is named by its position only: it may be a row of data.
        where = f"column {position + 1}"
        if name in index:
            message = f"column {name!r} appears twice ({where})"
            problems.append(DUPLICATE_COLUMN(message, file=file, row=1, field=name))
        elif name in known:
            index[name] = position
        elif _IDENTIFYING.search(name):
            problems.append(
                CLEAR_IDENTIFIER(
                    f"the header of {where} looks like a clear name, birth date or other "
                    "identifier (not repeated here); the register accepts only pseudonymised "
                    "files: run `victim-monitor encode` on your machine first",
                    file=file,
                    row=1,
                    field=where,
                )
            )
        else:
            problems.append(
                UNKNOWN_COLUMN(
                    f"the header of {where} is not a column of submission format v1 "
                    "(not repeated here; is the header row missing?)",
                    file=file,
                    row=1,
                    field=where,
                )
            )
    for name in COLUMNS:
        if name not in index:
            problems.append(
                MISSING_COLUMN(f"column {name!r} is missing", file=file, row=1, field=name)
            )
    return HeaderCheck(index, len(header), tuple(problems))


@lru_cache(maxsize=4096)
def _country(text: str) -> str | None:
    return country_code(text)


@lru_cache(maxsize=8192)
def _parse_date(text: str) -> dt.date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@lru_cache(maxsize=1024)
def _kinds(text: str) -> tuple[str, tuple[str, ...]]:
    """Canonical ``;``-joined kinds, and the parts that are not kinds."""
    kinds: set[str] = set()
    bad: list[str] = []
    for part in text.split(";"):
        kind = part.strip().lower()
        if kind in _KINDS:
            kinds.add(kind)
        elif kind:
            bad.append(part.strip())
    return ";".join(sorted(kinds)), tuple(bad)


@lru_cache(maxsize=1024)
def _integer(text: str) -> int | None:
    # ASCII digits only: int() would read "١٩٩٠" as 1990, and refuses "²" that isdigit accepts.
    if not text or not text.isascii():
        return None
    if not (text.isdecimal() or (text[0] == "-" and text[1:].isdecimal())):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
        return None


# What a checked row holds, in order: the staging table's columns.
STAGED_COLUMNS: tuple[str, ...] = ("row_number", *REPORT_FIELDS, "content_sha256")
_N_PSEUDONYMS = len(PSEUDONYM_FIELDS)
_BLOOM_AT = 4 + _N_PSEUDONYMS  # where the columns after the pseudonyms start
_PSEUDONYM_LENGTHS = frozenset((0, 64))


class _Text(NamedTuple):
    """A row's stripped text by column, in COLUMNS order, the pseudonyms as one list."""

    version: str
    key_id: str
    case: str
    report_date: str
    pseudonyms: list[str]
    bloom: str
    sex: str
    birth_year: str
    age: str
    nationality: str
    kinds: str
    sector: str
    border: str
    coe: str
    dublin: str
    permit: str
    police: str

    @classmethod
    def of(cls, raw: list[str]) -> _Text:
        # tuple.__new__, not cls(...): a third faster, and this runs for every diagnosed row.
        return tuple.__new__(cls, (*raw[:4], raw[4:_BLOOM_AT], *raw[_BLOOM_AT:]))


@dataclass(slots=True)
class _Found:
    """The problems of one row, each located by row and field; none repeats a value (a
    shifted column puts names and birth dates in any field)."""

    file: str
    row: int
    problems: list[Problem] = field(default_factory=list)

    def add(self, kind: ProblemCode, name: str, message: str) -> None:
        self.problems.append(kind(message, file=self.file, row=self.row, field=name))


@dataclass(slots=True)
class RowChecker:
    """Checks rows one by one; remembers the key id so that a file uses one key.

    Written for speed (intake aims at 50,000 rows/s). :meth:`check` first tries a fast path
    that only *accepts*: cheap tests that a row is plainly valid, with cached lookups. Any row
    it is not sure of (an error, an unusual spelling, the first key id of the file) goes to
    :meth:`_diagnose`, the full check that finds and words every problem. The fast path gives
    exactly what the full check would (``tests/registry/test_fuzz.py`` compares the two).
    """

    header: HeaderCheck
    file: str
    today: dt.date = field(default_factory=dt.date.today)
    key_id: str | None = None
    _pick: Callable[[Sequence[str]], tuple[str, ...]] = field(
        default=tuple, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # The format's columns in COLUMNS order, wherever they sit in the file.
        positions = [self.header.index[name] for name in COLUMNS]
        self._pick = cast(Callable[[Sequence[str]], tuple[str, ...]], itemgetter(*positions))

    def check(
        self, number: int, values: list[str]
    ) -> tuple[tuple[object, ...] | None, list[Problem]]:
        """The row as staged (see STAGED_COLUMNS; None if it has errors) and its problems."""
        if len(values) != self.header.width:
            message = f"{len(values)} fields where the header has {self.header.width}"
            return None, [FIELD_COUNT(message, file=self.file, row=number)]
        raw = list(map(str.strip, self._pick(values)))
        accepted = self._accept(number, raw)
        return accepted if accepted is not None else self._diagnose(number, raw)

    def _accept(
        self, number: int, raw: list[str]
    ) -> tuple[tuple[object, ...], list[Problem]] | None:
        """The staged row and its warnings if the row is plainly valid, else None.

        Every test here is the full check's test or a narrower one, so a row accepted here
        is one the full check accepts, with the same values and warnings.
        """
        # Locals, not _Text's fields: this runs for every row (tests/registry/test_fuzz.py
        # holds it to _diagnose, which reads the same columns through _Text).
        (version, key_id, case, report_text) = raw[:4]
        pseudonyms = raw[4 : 4 + _N_PSEUDONYMS]
        (
            bloom,
            sex_text,
            birth_text,
            age_text,
            nationality_text,
            kinds_text,
            sector_text,
            border,
            coe_text,
            dublin,
            permit,
            police,
        ) = raw[4 + _N_PSEUDONYMS :]
        if version != FORMAT_VERSION or key_id != self.key_id or not _CASE.fullmatch(case):
            return None
        report_date = _parse_date(report_text)
        if report_date is None or not EARLIEST_REPORT <= report_date <= self.today:
            return None
        joined = "".join(pseudonyms)
        if joined:
            # Lowercase hex in 64-digit pieces: unhexlify takes hex digits only, and a text
            # that lower() leaves alone has no capitals (those go to the full check).
            if joined.lower() != joined or not _PSEUDONYM_LENGTHS.issuperset(map(len, pseudonyms)):
                return None
            try:
                binascii.unhexlify(joined)
            except ValueError:  # binascii.Error, or non-ASCII text
                return None
        if bloom and not (len(bloom) % 4 == 0 and _BASE64.fullmatch(bloom)):
            return None
        sex = _SEX_EXACT.get(sex_text)
        if sex is None:
            return None
        year = report_date.year
        birth_year = _integer(birth_text) if birth_text else None
        if birth_text and (birth_year is None or not 1900 <= birth_year <= year):
            return None
        age = _integer(age_text) if age_text else None
        if age_text and (age is None or not 0 <= age <= 120):
            return None
        nationality = _country(nationality_text) if nationality_text else None
        coe = _country(coe_text) if coe_text else None
        if (nationality_text and nationality is None) or (coe_text and coe is None):
            return None
        kinds, unknown_kinds = _kinds(kinds_text)
        sector = sector_text.lower() or None
        if unknown_kinds or (sector is not None and sector not in _SECTOR):
            return None
        coded = (border.lower(), dublin.lower(), permit.lower(), police.lower())
        if not (coded[0] in _YNU and coded[1] in _YNU and coded[2] in _PERMIT and coded[3] in _YNU):
            return None
        problems: list[Problem] = []
        if age is not None and birth_year is not None and year - birth_year - age not in (0, 1):
            found = _Found(self.file, number, problems)
            found.add(AGE_MISMATCH, "age_at_report", _AGE_MESSAGE)
        if not joined and not bloom:
            problems.append(UNLINKABLE(_UNLINKABLE_MESSAGE, file=self.file, row=number))
        staged = _staged(
            number, case=case, report_date=report_date, key_id=key_id, pseudonyms=pseudonyms,
            bloom=bloom, sex=sex, birth_year=birth_year, age=age, nationality=nationality,
            kinds=kinds, sector=sector, coded=coded, coe=coe,
        )  # fmt: skip
        return staged, problems

    def _diagnose(
        self, number: int, raw: list[str]
    ) -> tuple[tuple[object, ...] | None, list[Problem]]:
        """The full check: every problem of the row, worded and located, in column order.

        Each step checks a few related columns and returns their values as stored.
        """
        text = _Text.of(raw)
        found = _Found(self.file, number)
        _missing(text, found)
        key_id = self._identity(text, found)
        report_date = _report_date(text.report_date, self.today, found)
        pseudonyms = _encodings(text, found)
        sex, birth_year, age = _person(text, report_date, self.today, found)
        nationality, coe = _countries(text, found)
        kinds, sector, coded = _codes(text, found)

        problems = found.problems
        if problems and any(p.severity is Severity.ERROR for p in problems):
            return None, problems
        if not any(pseudonyms) and not text.bloom:
            problems.append(UNLINKABLE(_UNLINKABLE_MESSAGE, file=self.file, row=number))
        assert report_date is not None
        staged = _staged(
            number,
            case=text.case,
            report_date=report_date,
            key_id=key_id,
            pseudonyms=pseudonyms,
            bloom=text.bloom,
            sex=sex,
            birth_year=birth_year,
            age=age,
            nationality=nationality,
            kinds=kinds,
            sector=sector,
            coded=coded,
            coe=coe,
        )
        return staged, problems

    def _identity(self, text: _Text, found: _Found) -> str:
        """Format version, key id and case reference; the key id as stored (lower case).

        A file uses one key: the first valid key id is the file's, and a later row with
        another is refused.
        """
        if text.version and text.version != FORMAT_VERSION:
            message = f"this register reads format version {FORMAT_VERSION}"
            found.add(BAD_VERSION, "format_version", message)
        key_id = text.key_id.lower()
        if key_id:
            if not _KEY_ID.fullmatch(key_id):
                found.add(BAD_KEY_ID, "key_id", "a key id is 16 hex digits")
            elif self.key_id is None:
                self.key_id = key_id
            elif key_id != self.key_id:
                found.add(BAD_KEY_ID, "key_id", f"the file's first rows use key {self.key_id}")
        if text.case and not _CASE.fullmatch(text.case):
            message = "use 1-64 characters of A-Z a-z 0-9 . _ / -"
            found.add(BAD_CASE_REFERENCE, "case_reference", message)
        return key_id


_AGE_MESSAGE = "the report year minus the birth year should be the age or one more"
_UNLINKABLE_MESSAGE = (
    "the report has no pseudonym or Bloom filter; it is counted but can never "
    "be linked to other reports of the same person"
)
_REQUIRED = (
    "format_version",
    "key_id",
    "case_reference",
    "report_date",
    "sex",
    "border_crossed",
    "dublin_claimant",
    "residence_permit",
    "police_report",
)


def _missing(text: _Text, found: _Found) -> None:
    """A problem for each required column left empty."""
    required = (
        text.version, text.key_id, text.case, text.report_date, text.sex, text.border,
        text.dublin, text.permit, text.police,
    )  # fmt: skip
    if not all(required):
        for name, value in zip(_REQUIRED, required, strict=True):
            if not value:
                found.add(MISSING_VALUE, name, f"{name} is required")


def _report_date(text: str, today: dt.date, found: _Found) -> dt.date | None:
    """The report date if it is one (None if empty or not a date), in range or not."""
    report_date = _parse_date(text) if text else None
    if text and report_date is None:
        found.add(BAD_DATE, "report_date", "write the date as YYYY-MM-DD")
    elif report_date is not None and not EARLIEST_REPORT <= report_date <= today:
        found.add(DATE_RANGE, "report_date", f"report dates run from {EARLIEST_REPORT} to today")
    return report_date


def _encodings(text: _Text, found: _Found) -> list[str]:
    """The pseudonyms (as stored: lower case) and the Bloom filter, made by the encoder."""
    pseudonyms = [v.lower() for v in text.pseudonyms]
    if any(pseudonyms) and not _pieces_of_hex64(pseudonyms):
        for name, value in zip(PSEUDONYM_FIELDS, pseudonyms, strict=True):
            if value and not _HEX64.fullmatch(value):
                message = "expected 64 hex digits made by `victim-monitor encode`; clear text?"
                found.add(BAD_PSEUDONYM, name, message)
    bloom = text.bloom
    if bloom and not (len(bloom) % 4 == 0 and _BASE64.fullmatch(bloom)):
        found.add(BAD_BLOOM, "bloom", "expected base64 made by `victim-monitor encode`")
    return pseudonyms


def _pieces_of_hex64(pseudonyms: list[str]) -> bool:
    """Each (lower-case) pseudonym empty or 64 hex digits, tested as :meth:`RowChecker._accept`
    does: unhexlify takes hex digits only (ASCII, no separator), twice as fast as a pattern."""
    if not _PSEUDONYM_LENGTHS.issuperset(map(len, pseudonyms)):
        return False
    try:
        binascii.unhexlify("".join(pseudonyms))
    except ValueError:  # binascii.Error, or non-ASCII text
        return False
    return True


def _person(
    text: _Text, report_date: dt.date | None, today: dt.date, found: _Found
) -> tuple[str | None, int | None, int | None]:
    """Sex, birth year and age; an implausible year or age is dropped (None)."""
    sex = _SEX.get(text.sex.lower())
    if text.sex and sex is None:
        found.add(BAD_CODE, "sex", "use F, M or X")
    # Without a valid report date, checks that need its year use today's, and the
    # age check (which would only repeat the date's problem) is skipped.
    year = report_date.year if report_date is not None else today.year
    birth_year = _integer(text.birth_year)
    if text.birth_year and (birth_year is None or not 1900 <= birth_year <= year):
        found.add(BAD_BIRTH_YEAR, "birth_year", f"a year from 1900 to {year}")
        birth_year = None
    age = _integer(text.age)
    if text.age and (age is None or not 0 <= age <= 120):
        found.add(BAD_AGE, "age_at_report", "whole years from 0 to 120")
        age = None
    elif (
        report_date is not None
        and age is not None
        and birth_year is not None
        and year - birth_year - age not in (0, 1)
    ):
        found.add(AGE_MISMATCH, "age_at_report", _AGE_MESSAGE)
    return sex, birth_year, age


def _countries(text: _Text, found: _Found) -> tuple[str | None, str | None]:
    """Nationality and country of exploitation as ISO 3166-1 alpha-2 codes."""
    message = "use an ISO 3166-1 alpha-2 code such as NL"
    nationality = _country(text.nationality) if text.nationality else None
    if text.nationality and nationality is None:
        found.add(BAD_COUNTRY, "nationality", message)
    coe = _country(text.coe) if text.coe else None
    if text.coe and coe is None:
        found.add(BAD_COUNTRY, "country_of_exploitation", message)
    return nationality, coe


def _codes(text: _Text, found: _Found) -> tuple[str, str | None, list[str]]:
    """Kinds of exploitation (canonical), sector, and the four coded answers (border,
    Dublin, permit, police), each from its code list."""
    kinds, unknown_kinds = _kinds(text.kinds)
    if unknown_kinds:
        message = f"{len(unknown_kinds)} unknown kind(s); use {', '.join(sorted(_KINDS))}"
        found.add(BAD_KIND, "exploitation", message)
    sector = text.sector.lower() or None
    if sector is not None and sector not in _SECTOR:
        found.add(BAD_CODE, "sector", "not a sector code (see submission-format.md)")
    coded = []
    for name, answer, allowed in (
        ("border_crossed", text.border, _YNU),
        ("dublin_claimant", text.dublin, _YNU),
        ("residence_permit", text.permit, _PERMIT),
        ("police_report", text.police, _YNU),
    ):
        value = answer.lower()
        if value and value not in allowed:
            found.add(BAD_CODE, name, f"use {', '.join(sorted(allowed))}")
        coded.append(value)
    return kinds, sector, coded


def _staged(
    number: int,
    *,
    case: str,
    report_date: dt.date,
    key_id: str,
    pseudonyms: Sequence[str],
    bloom: str,
    sex: str | None,
    birth_year: int | None,
    age: int | None,
    nationality: str | None,
    kinds: str,
    sector: str | None,
    coded: Sequence[str],
    coe: str | None,
) -> tuple[object, ...]:
    """A valid row as staged (STAGED_COLUMNS), with the hash of its canonical content."""
    iso_date = report_date.isoformat()
    # The hash covers the canonical text of every stored value (None as empty).
    canonical = [case, iso_date, key_id, *pseudonyms, bloom, sex or ""]
    canonical += [
        "" if birth_year is None else str(birth_year),
        "" if age is None else str(age),
        nationality or "",
        kinds,
        sector or "",
        *coded,
        coe or "",
    ]
    digest = hashlib.sha256("\x1f".join(canonical).encode("utf-8")).hexdigest()
    return (
        number,
        case,
        iso_date,
        report_date.year,
        key_id,
        *[p or None for p in pseudonyms],
        bloom or None,
        sex,
        birth_year,
        age,
        nationality,
        kinds,
        sector,
        coded[0],
        coe,
        coded[1],
        coded[2],
        coded[3],
        digest,
    )
