"""The columns the encoder reads (raw) and writes (submission format v1), and its output row."""

from __future__ import annotations

from typing import NamedTuple

FORMAT_VERSION = "1"

# The raw columns the encoder reads, in documentation order; others are ignored.
RAW_COLUMNS: tuple[str, ...] = (
    "case_reference",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "nationality",
    "report_date",
    "exploitation",
    "sector",
    "border_crossed",
    "country_of_exploitation",
    "dublin_claimant",
    "residence_permit",
    "police_report",
)
REQUIRED_RAW_COLUMNS: frozenset[str] = frozenset(
    {"case_reference", "first_name", "last_name", "birth_date", "sex", "report_date"}
)


class EncodedRow(NamedTuple):
    """One report in submission format v1: pseudonyms and coded values, nothing in clear.

    A named tuple rather than a dataclass: it is immutable all the same, iterates in column
    order (what a CSV writer wants), and is several times cheaper to build, once per row.
    """

    format_version: str
    key_id: str
    case_reference: str
    report_date: str
    pn_first_name: str
    pn_last_name: str
    pn_full_name: str
    pn_name_sorted: str
    pn_first_name_phonetic: str
    pn_last_name_phonetic: str
    pn_birth_date: str
    pn_birth_year_month: str
    pn_sex_birth_year: str
    bloom: str
    sex: str
    birth_year: str
    age_at_report: str
    nationality: str
    exploitation: str
    sector: str
    border_crossed: str
    country_of_exploitation: str
    dublin_claimant: str
    residence_permit: str
    police_report: str

    def as_dict(self) -> dict[str, str]:
        """Column name to value, in column order."""
        return dict(zip(SUBMISSION_COLUMNS, self, strict=True))


# Submission format v1, in the documented column order (docs/submission-format.md).
SUBMISSION_COLUMNS: tuple[str, ...] = EncodedRow._fields
