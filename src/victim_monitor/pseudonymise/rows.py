"""The pure core of the encoder: raw rows in, submission rows (or located problems) out.

No files here, so the file encoder, the synthetic demo generator and any future port of the
encoder (for instance in a browser, which must give byte-identical output) share one
definition. Determinism is a requirement: the same rows and key always give the same values.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from typing import NamedTuple

from victim_monitor.problems import Problem, ProblemCode, Severity
from victim_monitor.pseudonymise import codes, values
from victim_monitor.pseudonymise.bloom import BloomEncoder
from victim_monitor.pseudonymise.columns import FORMAT_VERSION, RAW_COLUMNS, EncodedRow
from victim_monitor.pseudonymise.dates import (
    DateError,
    PartialDate,
    parse_full_date,
    parse_partial_date,
    whole_years,
)
from victim_monitor.pseudonymise.key import Key
from victim_monitor.pseudonymise.names import NameNormaliser
from victim_monitor.pseudonymise.pseudonyms import Pseudonymiser

_CASE_REFERENCE = re.compile(r"[A-Za-z0-9._/-]{1,64}")
_EARLIEST_REPORT = date(2000, 1, 1)
_EARLIEST_BIRTH_YEAR = 1900
_MAX_AGE = 120
_MEMO_LIMIT = 1 << 16
# Coded fields with a closed list: an unknown value is an error (it may be a shifted column).
_CODED = ("sector", "border_crossed", "dublin_claimant", "residence_permit", "police_report")
# Country fields: an unknown name is a warning and is encoded as unknown.
_COUNTRIES = ("nationality", "country_of_exploitation")
_BLOOM = EncodedRow._fields.index("bloom")
_AFTER_KINDS = EncodedRow._fields[EncodedRow._fields.index("exploitation") + 1 :]
_FACT_COLUMNS = ("sex", "exploitation", *_CODED, *_COUNTRIES)
# sex, the coded values from nationality to police_report, and the problems of both
_Facts = tuple[
    str,
    tuple[str, ...],
    tuple[tuple[ProblemCode, str, str], ...],
    tuple[tuple[ProblemCode, str, str], ...],
]
BLOCK = 512  # rows encoded together; enough to spread NumPy's overhead, small in memory


def _cells(raw: Mapping[str, str]) -> dict[str, str]:
    """Every raw column of a row, stripped; absent (or None) cells read as empty."""
    get = raw.get
    return {column: (get(column) or "").strip() for column in RAW_COLUMNS}


class _Birth(NamedTuple):
    """A valid birth date as remembered: the date, its text as hashed, and its estimate."""

    birth: PartialDate
    iso: str
    born: date  # PartialDate.estimate(), the day age is counted from
    bits: int  # its CLK bits (BloomEncoder.birth_bits)


@dataclass(frozen=True, slots=True)
class RowResult:
    """One raw row's outcome: its encoding (None if it has an error) and its problems."""

    row: int
    encoded: EncodedRow | None
    problems: tuple[Problem, ...]


class _Problems:
    """Problems of one row, located at a row and field, with the offending cell as value."""

    __slots__ = ("cells", "file", "found", "row")

    def __init__(self, cells: Mapping[str, str], row: int, file: str | None) -> None:
        self.cells, self.row, self.file = cells, row, file
        self.found: list[Problem] = []

    def add(self, code: ProblemCode, field: str, message: str) -> None:
        value = self.cells.get(field)
        self.found.append(code(message, file=self.file, row=self.row, field=field, value=value))

    @property
    def has_error(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.found)


class RowEncoder:
    """Encodes single raw rows under one key; holds only derived keys and caches."""

    __slots__ = (
        "_births",
        "_bloom",
        "_coded",
        "_countries",
        "_fact_cells",
        "_facts",
        "_key_id",
        "_names",
        "_pseudonyms",
        "_reports",
        "_sex",
        "_today",
    )

    def __init__(self, key: Key, *, today: date | None = None) -> None:
        self._key_id = key.key_id
        self._pseudonyms = Pseudonymiser(key)
        self._bloom = BloomEncoder(key)
        self._names = NameNormaliser()
        # Dates seen and valid as dates (range checks still run per row), for speed.
        self._births: dict[str, _Birth] = {}
        self._reports: dict[str, date | None] = {}
        # The coded cells of a row (sex, nationality, exploitation, ...) repeat as a whole.
        self._facts: dict[tuple[str, ...], _Facts] = {}
        self._fact_cells = itemgetter(*_FACT_COLUMNS)
        self._today = today or date.today()
        self._sex = values.sex()
        self._countries = values.country()
        yes_no = values.yes_no()
        vocabularies = (values.sector(), yes_no, yes_no, values.residence_permit(), yes_no)
        self._coded = tuple(zip(_CODED, vocabularies, strict=True))

    def encode(self, raw: Mapping[str, str], row: int, *, file: str | None = None) -> RowResult:
        """Encode one row keyed by standard raw column names (absent keys read as empty)."""
        return self.encode_block([(row, raw)], file=file)[0]

    def encode_block(
        self, rows: Sequence[tuple[int, Mapping[str, str]]], *, file: str | None = None
    ) -> list[RowResult]:
        """Encode numbered rows as :meth:`encode` does one, hardening their filters together.

        Same results as one row at a time; hardening is NumPy work whose call overhead a
        block pays once (see ``BloomEncoder.encode_many``).
        """
        return self.encode_cells([(row, _cells(raw)) for row, raw in rows], file=file)

    def encode_cells(
        self, rows: Sequence[tuple[int, Mapping[str, str]]], *, file: str | None = None
    ) -> list[RowResult]:
        """:meth:`encode_block` for rows that hold every raw column, stripped (as
        ``RawTable.rows`` gives them), so they need not be copied."""
        staged = [self._stage(cells, row, file) for row, cells in rows]
        clks = [cells[_BLOOM] for cells, _ in staged if cells is not None]
        blooms = iter(self._bloom.encode_many(clks))  # type: ignore[arg-type]
        results = []
        for (row, _), (cells, problems) in zip(rows, staged, strict=True):
            encoded = None
            if cells is not None:
                cells[_BLOOM] = next(blooms)
                encoded = EncodedRow._make(cells)
            results.append(RowResult(row, encoded, problems))
        return results

    def _stage(
        self, cells: Mapping[str, str], row: int, file: str | None
    ) -> tuple[list[str | int] | None, tuple[Problem, ...]]:
        """One row's output values with the unhardened CLK in the ``bloom`` slot (None if the
        row has an error), and its problems."""
        problems = _Problems(cells, row, file)

        if not _CASE_REFERENCE.fullmatch(cells["case_reference"]):
            problems.add(
                codes.BAD_CASE_REFERENCE,
                "case_reference",
                "needs 1-64 characters of A-Z a-z 0-9 . _ / -",
            )
        report = self._report_date(cells["report_date"], problems)
        dated = self._birth_date(cells["birth_date"], report, problems)
        birth = None if dated is None else dated[0].birth

        facts = self._facts.get(key := self._fact_cells(cells))
        if facts is None:
            facts = self._read_facts(cells)
            if len(self._facts) >= _MEMO_LIMIT:
                self._facts.clear()
            self._facts[key] = facts
        sex, coded, sex_problems, coded_problems = facts
        for code, field, message in sex_problems:
            problems.add(code, field, message)

        names = self._names(cells["first_name"], cells["last_name"])
        if not names.first:
            problems.add(codes.EMPTY_NAME, "first_name", "no name: its pseudonyms stay empty")
        if not names.last:
            problems.add(codes.EMPTY_NAME, "last_name", "no name: its pseudonyms stay empty")

        for code, field, message in coded_problems:
            problems.add(code, field, message)

        if report is None or (problems.found and problems.has_error):
            return None, tuple(problems.found)
        clk = self._bloom.name_bits(names.first, names.last)
        if dated is not None:
            clk |= dated[0].bits
        output: list[str | int] = [  # in EncodedRow's order
            FORMAT_VERSION,
            self._key_id,
            cells["case_reference"],
            report.isoformat(),
            *self._pseudonyms.row(names, birth, sex),
            clk,
            sex,
            "" if dated is None else dated[0].iso[:4],  # the year, as four digits
            "" if dated is None else str(dated[1]),
            *coded,
        ]
        return output, tuple(problems.found)

    def _read_facts(self, cells: Mapping[str, str]) -> _Facts:
        """The coded cells of a row read (sex, then the columns after ``age_at_report``), with
        their problems as (code, field, message); remembered per combination of cells, which
        repeat: a problem's value is its cell, so the same cells give the same problems."""
        sex = self._sex.lookup(cells["sex"])
        sex_problems: list[tuple[ProblemCode, str, str]] = []
        if sex is None:
            sex_problems.append(
                (codes.UNKNOWN_SEX, "sex", "use F, M or X (or vrouw, man, onbekend)")
            )
            sex = "X"
        found_problems: list[tuple[ProblemCode, str, str]] = []
        coded: dict[str, str] = {}
        for field, vocabulary in self._coded:
            found = vocabulary.lookup(cells[field])
            if found is None:
                accepted = ", ".join(sorted(set(vocabulary.table.values()) - {""}))
                message = f"not recognised; use {accepted}"
                found_problems.append((codes.BAD_CODED_VALUE, field, message))
            coded[field] = found or ""
        for field in _COUNTRIES:
            found = self._countries.lookup(cells[field])
            if found is None:
                message = "not an ISO code or a known country name"
                found_problems.append((codes.UNKNOWN_COUNTRY, field, message))
            coded[field] = found or ""
        kinds, unknown_kinds = values.exploitation(cells["exploitation"])
        for part in unknown_kinds:
            message = f"unknown kind {part!r}: use sexual, labour, criminal, organ_removal, other"
            found_problems.append((codes.BAD_CODED_VALUE, "exploitation", message))
        in_order = (coded["nationality"], kinds, *(coded[field] for field in _AFTER_KINDS))
        return sex, in_order, tuple(sex_problems), tuple(found_problems)

    def _report_date(self, text: str, problems: _Problems) -> date | None:
        """A full date from 2000-01-01 up to today, as the register requires."""
        found = self._reports.get(text)
        if found is None:
            try:
                found = parse_full_date(text)
            except DateError as exc:
                problems.add(codes.BAD_REPORT_DATE, "report_date", str(exc))
                return None
            if len(self._reports) >= _MEMO_LIMIT:
                self._reports.clear()
            self._reports[text] = found
        if found is None:
            problems.add(codes.BAD_REPORT_DATE, "report_date", "a report date is required")
        elif not _EARLIEST_REPORT <= found <= self._today:
            problems.add(codes.BAD_REPORT_DATE, "report_date", "must be 2000-01-01 up to today")
            return None
        return found

    def _birth_date(
        self, text: str, report: date | None, problems: _Problems
    ) -> tuple[_Birth, int] | None:
        """A full or partial date from 1900 on, not after the report, at most 120 years old;
        with the age at the report (or today, without one)."""
        found = self._births.get(text)
        if found is None:
            try:
                birth = parse_partial_date(text)
            except DateError as exc:
                problems.add(codes.BAD_BIRTH_DATE, "birth_date", str(exc))
                return None
            if birth is None:
                return None
            found = _Birth(birth, birth.iso(), birth.estimate(), self._bloom.birth_bits(birth))
            if len(self._births) >= _MEMO_LIMIT:
                self._births.clear()
            self._births[text] = found
        birth, known, born, _ = found
        latest = report or self._today
        if birth.year < _EARLIEST_BIRTH_YEAR:
            problems.add(codes.BAD_BIRTH_DATE, "birth_date", "before 1900")
        elif known > latest.isoformat()[: len(known)]:  # compare only the known part
            problems.add(codes.BAD_BIRTH_DATE, "birth_date", "after the report date")
        else:
            age = whole_years(born, latest)  # age_at(birth, latest), the estimate remembered
            if age <= _MAX_AGE:
                return found, age
            problems.add(codes.BAD_BIRTH_DATE, "birth_date", "more than 120 years before report")
        return None


def encode_rows(
    rows: Iterable[Mapping[str, str]],
    key: Key,
    *,
    first_row: int = 1,
    today: date | None = None,
) -> Iterator[RowResult]:
    """Encode raw rows (keyed by standard raw column names), one result per row, lazily.

    Rows are numbered from ``first_row`` (2 for a CSV whose header is row 1). ``today``
    bounds report dates (default: the real today). Same rows and key, same output.
    """
    return encode_numbered(enumerate(rows, start=first_row), key, today=today)


def encode_numbered(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    key: Key,
    *,
    today: date | None = None,
    file: str | None = None,
) -> Iterator[RowResult]:
    """Like :func:`encode_rows` for rows that carry their own numbers (blank rows skipped).

    A repeated ``case_reference`` is an error on every repeat, as the register refuses it.
    Rows are read and encoded a block at a time (:data:`BLOCK`).
    """
    encoder = RowEncoder(key, today=today)
    seen: set[str] = set()
    numbered = iter(rows)
    while block := list(itertools.islice(numbered, BLOCK)):
        yield from refuse_repeats(block, encoder.encode_block(block, file=file), seen, file)


def refuse_repeats(
    rows: Sequence[tuple[int, Mapping[str, str]]],
    results: list[RowResult],
    seen: set[str],
    file: str | None,
) -> list[RowResult]:
    """The results of ``rows``, each row whose ``case_reference`` is in ``seen`` (or earlier
    in ``rows``) turned into an error; ``seen`` gains the new references."""
    return refuse(rows, results, repeated_rows(rows, seen), file)


def repeated_rows(rows: Sequence[tuple[int, Mapping[str, str]]], seen: set[str]) -> list[int]:
    """Where in ``rows`` a ``case_reference`` in ``seen`` (or earlier in ``rows``) is used
    again; ``seen`` gains the new references."""
    repeated = []
    for at, (_, raw) in enumerate(rows):
        reference = (raw.get("case_reference") or "").strip()
        if reference in seen:
            repeated.append(at)
        elif reference:
            seen.add(reference)
    return repeated


def refuse(
    rows: Sequence[tuple[int, Mapping[str, str]]],
    results: list[RowResult],
    repeated: Sequence[int],
    file: str | None,
) -> list[RowResult]:
    """``results`` with the rows at ``repeated`` (:func:`repeated_rows`) turned into errors."""
    for at in repeated:
        number, raw = rows[at]
        duplicate = codes.DUPLICATE_CASE_REFERENCE(
            "already used by an earlier row: each report needs its own reference",
            file=file,
            row=number,
            field="case_reference",
            value=(raw.get("case_reference") or "").strip(),
        )
        results[at] = RowResult(number, None, (*results[at].problems, duplicate))
    return results
