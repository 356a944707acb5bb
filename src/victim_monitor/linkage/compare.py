"""Compare: how two reports agree, field by field, as Splink comparison levels.

Each comparison is a list of levels, most specific first; a pair falls into the first level
whose SQL condition holds. Conditions are plain SQL over ``column_l`` / ``column_r`` that
DuckDB and Spark both run (no backend extension): equality of pseudonyms, the Dice
similarity of the Bloom filters from sixteen 64-bit words (``bit_count``), integer distances
of years and report days.

A Fellegi-Sunter model multiplies the evidence of its comparisons as if they were
independent given match status. Two are not, for reports of different persons: namesakes
share the sex their first name implies and the nationality their names imply. So sex counts
only when the first names disagree, and nationality only when no name part agrees; otherwise
the comparison is null (no evidence either way), and its ``m`` and ``u`` are probabilities
given that context. Without this, every namesake pair collects sex and nationality agreement
as if it were independent evidence, and expectation maximisation learns namesakes as matches.

Two parallel models share the comparisons of sex, nationality, report date and organisation:

- **pseudonymised**: what the register holds. Names agree exactly (full name, sorted
  tokens, single parts), phonetically, or only in the Bloom filter (typos, transliterations
  the phonetic code misses); birth dates agree in full, to the month or to the year, and a
  partial date that fits is told apart from two full dates that differ.
- **clear text**: the same reports with folded clear names and birth dates, compared with
  Jaro-Winkler and Levenshtein, as a linker with names would. Used only to measure what
  pseudonymisation costs (``quality``); DuckDB only.
"""

from __future__ import annotations

from typing import Any

from victim_monitor.linkage.standardise import BLOOM_WORDS

Level = dict[str, Any]
Comparison = dict[str, Any]

# Dice thresholds on balanced filters: unrelated reports score about 0.5 (at most ~0.62),
# one typo in a name about 0.95, a transliteration or day-month swap about 0.8 (encoder.md).
BLOOM_HIGH = 0.88
BLOOM_LOW = 0.76

# Report-date distances in days: the same victim is reported by several organisations
# within weeks; the monitor year bounds most of a person's reports.
REPORT_DAYS = (14, 60, 183, 366)


def level(sql: str, label: str, **options: Any) -> Level:
    """One comparison level: a SQL condition on ``*_l`` / ``*_r`` columns and a chart label."""
    return {"sql_condition": sql, "label_for_charts": label, **options}


def null_level(sql: str) -> Level:
    return level(sql, "null", is_null_level=True)


def else_level() -> Level:
    return level("ELSE", "else")


def dice_sql() -> str:
    """Dice similarity of two balanced 1024-bit filters: |A and B| / 512 (both have 512 set)."""
    terms = " + ".join(
        f"CAST(bit_count(bloom_w{i}_l & bloom_w{i}_r) AS INTEGER)" for i in range(BLOOM_WORDS)
    )
    return f"(({terms}) / 512.0)"


def _either_null(*columns: str) -> str:
    return " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)


def _equal(column: str) -> str:
    return f"{column}_l = {column}_r"


# --- shared ----------------------------------------------------------------------------------


def sex_comparison(first_names_agree: str) -> Comparison:
    """Sex, counted only where the first names disagree (a first name implies the sex)."""
    return {
        "output_column_name": "sex",
        "comparison_levels": [
            null_level(f"{_either_null('sex')} OR {first_names_agree}"),
            level(_equal("sex"), "equal"),
            else_level(),
        ],
    }


def nationality_comparison(names_agree: str) -> Comparison:
    """Nationality, counted only where no name part agrees (names imply an origin)."""
    return {
        "output_column_name": "nationality",
        "comparison_levels": [
            null_level(f"{_either_null('nationality')} OR {names_agree}"),
            level(
                _equal("nationality"),
                "equal",
                tf_adjustment_column="nationality",
                tf_adjustment_weight=0.5,
            ),
            else_level(),
        ],
    }


def organisation_comparison() -> Comparison:
    """The same organisation twice: rare for one person (a duplicate), common for two."""
    return {
        "output_column_name": "organisation",
        "comparison_levels": [
            level(_equal("organisation"), "same organisation"),
            level("ELSE", "other organisations"),
        ],
    }


def report_date_comparison() -> Comparison:
    distance = "abs(report_day_l - report_day_r)"
    return {
        "output_column_name": "report_date",
        "comparison_levels": [
            *(level(f"{distance} <= {days}", f"within {days} days") for days in REPORT_DAYS),
            else_level(),
        ],
    }


def _birth_levels(month: str, day_unknown: str, month_unknown: str) -> list[Level]:
    """Birth dates that agree in part (below "same date"): a partial date that fits, or two
    that differ.

    ``month`` is the SQL of an equal year and month; ``day_unknown`` and ``month_unknown``
    hold when either report lacks the day or the month.
    A date known to the month on one report and in full on the other fits; two full dates of
    the same month that differ do not (a typo, or two persons).
    """
    return [
        level(f"{month} AND {day_unknown}", "same month, day unknown"),
        level(month, "same month, other day"),
        level(f"{_equal('birth_year')} AND {month_unknown}", "same year, month unknown"),
        level(_equal("birth_year"), "same year, other month"),
        level("abs(birth_year_l - birth_year_r) <= 1", "year one apart"),
        else_level(),
    ]


# --- pseudonymised --------------------------------------------------------------------------


def pseudonymised_name() -> Comparison:
    dice = dice_sql()
    either = (
        "(pn_first_name_l IS NULL AND pn_last_name_l IS NULL) OR "
        "(pn_first_name_r IS NULL AND pn_last_name_r IS NULL)"
    )
    return {
        "output_column_name": "name",
        "comparison_levels": [
            null_level(either),
            level(
                _equal("pn_full_name"),
                "full name",
                tf_adjustment_column="pn_full_name",
                tf_adjustment_weight=1.0,
            ),
            level(_equal("pn_name_sorted"), "same name parts"),
            level(
                f"({_equal('pn_first_name')} AND {_equal('pn_last_name_phonetic')}) OR "
                f"({_equal('pn_last_name')} AND {_equal('pn_first_name_phonetic')})",
                "one part exact, other phonetic",
            ),
            level(
                f"{_equal('pn_first_name_phonetic')} AND {_equal('pn_last_name_phonetic')}",
                "both parts phonetic",
            ),
            level(f"{dice} >= {BLOOM_HIGH}", f"bloom >= {BLOOM_HIGH}"),
            level(
                _equal("pn_last_name"),
                "last name",
                tf_adjustment_column="pn_last_name",
                tf_adjustment_weight=1.0,
            ),
            level(_equal("pn_first_name"), "first name"),
            level(f"{dice} >= {BLOOM_LOW}", f"bloom >= {BLOOM_LOW}"),
            else_level(),
        ],
    }


def pseudonymised_birth() -> Comparison:
    return {
        "output_column_name": "birth",
        "comparison_levels": [
            null_level(_either_null("birth_year")),
            level(
                _equal("pn_birth_date"),
                "same date",
                tf_adjustment_column="pn_birth_date",
                tf_adjustment_weight=1.0,
            ),
            *_birth_levels(
                _equal("pn_birth_year_month"),
                f"({_either_null('pn_birth_date')})",
                f"({_either_null('pn_birth_year_month')})",
            ),
        ],
    }


# Contexts: a first name agrees (sex follows from it); any name part agrees (an origin).
PSEUDONYMISED_FIRST_NAMES_AGREE = (
    f"({_equal('pn_first_name')} OR {_equal('pn_first_name_phonetic')})"
)
PSEUDONYMISED_NAMES_AGREE = (
    f"({_equal('pn_first_name')} OR {_equal('pn_first_name_phonetic')} OR "
    f"{_equal('pn_last_name')} OR {_equal('pn_last_name_phonetic')})"
)


def pseudonymised_comparisons() -> list[Comparison]:
    """The model on what the register holds."""
    return [
        pseudonymised_name(),
        pseudonymised_birth(),
        sex_comparison(PSEUDONYMISED_FIRST_NAMES_AGREE),
        nationality_comparison(PSEUDONYMISED_NAMES_AGREE),
        report_date_comparison(),
        organisation_comparison(),
    ]


# --- clear text -----------------------------------------------------------------------------


def _jw(column: str, threshold: float) -> str:
    return f"jaro_winkler_similarity({column}_l, {column}_r) >= {threshold}"


def clear_name() -> Comparison:
    either = (
        "(first_name_l IS NULL AND last_name_l IS NULL) OR "
        "(first_name_r IS NULL AND last_name_r IS NULL)"
    )
    return {
        "output_column_name": "name",
        "comparison_levels": [
            null_level(either),
            level(
                _equal("full_name"),
                "full name",
                tf_adjustment_column="full_name",
                tf_adjustment_weight=1.0,
            ),
            level(_equal("name_sorted"), "same name parts"),
            level(
                f"({_equal('first_name')} AND {_jw('last_name', 0.92)}) OR "
                f"({_equal('last_name')} AND {_jw('first_name', 0.92)})",
                "one part exact, other close",
            ),
            level(f"{_jw('first_name', 0.92)} AND {_jw('last_name', 0.92)}", "both parts close"),
            level(f"{_jw('first_name', 0.8)} AND {_jw('last_name', 0.8)}", "both parts similar"),
            level(
                _equal("last_name"),
                "last name",
                tf_adjustment_column="last_name",
                tf_adjustment_weight=1.0,
            ),
            level(_equal("first_name"), "first name"),
            level(
                "jaro_winkler_similarity(first_name_l, last_name_r) >= 0.92 AND "
                "jaro_winkler_similarity(last_name_l, first_name_r) >= 0.92",
                "swapped, close",
            ),
            else_level(),
        ],
    }


def clear_birth() -> Comparison:
    swapped = (
        "birth_date_l IS NOT NULL AND birth_date_r IS NOT NULL AND "
        "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) AND "
        "substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) AND "
        "substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
    )
    return {
        "output_column_name": "birth",
        "comparison_levels": [
            null_level(_either_null("birth_year")),
            level(
                _equal("birth_date"),
                "same date",
                tf_adjustment_column="birth_date",
                tf_adjustment_weight=1.0,
            ),
            level(f"levenshtein(birth_date_l, birth_date_r) <= 1 OR ({swapped})", "one edit"),
            *_birth_levels(
                _equal("birth_year_month"),
                f"({_either_null('birth_date')})",
                f"({_either_null('birth_year_month')})",
            ),
        ],
    }


CLEAR_FIRST_NAMES_AGREE = f"({_equal('first_name')} OR {_jw('first_name', 0.92)})"
CLEAR_NAMES_AGREE = (
    f"({_equal('first_name')} OR {_jw('first_name', 0.92)} OR "
    f"{_equal('last_name')} OR {_jw('last_name', 0.92)})"
)


def clear_comparisons() -> list[Comparison]:
    """The clear-text twin of :func:`pseudonymised_comparisons` (DuckDB functions)."""
    return [
        clear_name(),
        clear_birth(),
        sex_comparison(CLEAR_FIRST_NAMES_AGREE),
        nationality_comparison(CLEAR_NAMES_AGREE),
        report_date_comparison(),
        organisation_comparison(),
    ]
