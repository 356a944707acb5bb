"""Dates at the source: full or partial birth dates, report dates, age at report.

Victims' birth dates are often only partly known (a year, or a year and a month), and Dutch
registers write the unknown parts as ``00``. Such dates are kept as what they are, so that
the parts that are known still link, rather than being rejected or guessed into full dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Day-first only: a Dutch or European file never means month-first, and guessing is worse
# than refusing. A trailing time (from spreadsheet exports) is ignored.
_SEP = r"[-/.]"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YMD = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}})(?:{_SEP}(\d{{1,2}}))?{_TIME}")
_DMY = re.compile(rf"(?:(\d{{1,2}}){_SEP})?(\d{{1,2}}){_SEP}(\d{{4}}){_TIME}")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR = re.compile(r"\d{4}")


class DateError(ValueError):
    """Text that is not a (partial) date; the message says why, for a person to read."""


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date whose month and day may be unknown (a day is only known with its month)."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def is_full(self) -> bool:
        return self.day is not None

    def iso(self) -> str:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: the text that is hashed."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def estimate(self) -> date:
        """The date used for age: the 15th of a known month, 1 July of a known year only.

        The middle of the unknown span makes the age right for most of it and off by at most
        one year; see docs/encoder.md.
        """
        return date(self.year, self.month or 7, self.day or (15 if self.month else 1))


def _parts(text: str) -> tuple[int, int, int]:
    """Year, month, day (0 where absent) from the accepted layouts."""
    if match := _YMD.fullmatch(text):
        return int(match[1]), int(match[2]), int(match[3] or 0)
    if match := _DMY.fullmatch(text):
        return int(match[3]), int(match[2]), int(match[1] or 0)
    if match := _COMPACT.fullmatch(text):
        return int(match[1]), int(match[2]), int(match[3])
    if _YEAR.fullmatch(text):
        return int(text), 0, 0
    raise DateError("not a date: use YYYY-MM-DD, DD-MM-YYYY, YYYY-MM or YYYY")


def parse_partial_date(text: str) -> PartialDate | None:
    """A full or partial date, None for empty text; ``00`` marks an unknown day or month."""
    text = text.strip()
    if not text:
        return None
    year, month, day = _parts(text)
    if year < 1 or month > 12:
        raise DateError("not a date: month out of range (day-first DD-MM-YYYY is expected)")
    if month == 0:
        if day:
            raise DateError("not a date: a day without a month")
        return PartialDate(year)
    if day == 0:
        return PartialDate(year, month)
    try:
        date(year, month, day)
    except ValueError:
        raise DateError(f"no such day: {year:04d}-{month:02d}-{day:02d}") from None
    return PartialDate(year, month, day)


def parse_full_date(text: str) -> date | None:
    """A complete date, None for empty text; partial dates are refused."""
    found = parse_partial_date(text)
    if found is None:
        return None
    if not found.is_full:
        raise DateError("day and month are needed, not only " + found.iso())
    return found.estimate()


def age_at(birth: PartialDate, on: date) -> int:
    """Whole years from birth to ``on``; for partial dates, from :meth:`PartialDate.estimate`."""
    return whole_years(birth.estimate(), on)


def whole_years(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on`` (an age)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
