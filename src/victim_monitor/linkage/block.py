"""Block: which pairs of reports are compared at all.

Comparing every report with every other grows with the square of the register; blocking
compares only pairs that agree exactly on at least one combination of fields (a union of
rules). Each rule is chosen so that a kind of variation the synthetic population knows
(typos, swapped or dropped name parts, transliterations, missing or partial birth dates,
January-first birth dates of asylum seekers) still leaves some rule under which the two
reports agree, and so that no block is large at a hundred times the Dutch register's size.

Rules are SQL over ``l.column`` / ``r.column``, the same on DuckDB and Spark.
"""

from __future__ import annotations


def rule(*columns: str) -> str:
    """Agreement on every one of ``columns`` (NULL never agrees)."""
    return " AND ".join(f"l.{c} = r.{c}" for c in columns)


def within_year(condition: str) -> str:
    """``condition`` for reports made at most a year apart."""
    return f"{condition} AND {NEAR}"


# Reports of one person are made within months of each other, and the model learns that
# pairs further apart than half a year are hardly ever one person; so the rules on a name
# alone, whose blocks grow with the square of the register, also ask for reports at most a
# year apart. The rules with a birth date or month do not.
NEAR = "abs(l.report_day - r.report_day) <= 366"

# Pseudonymised: exact names; a name part with the birth month; phonetic names with the
# birth year; the birth date with one phonetic part (typos in the other) or with sex and
# nationality (both names garbled or swapped); exact first name with the last name's sound.
PSEUDONYMISED_RULES: tuple[str, ...] = (
    within_year(rule("pn_full_name")),
    within_year(rule("pn_name_sorted")),
    rule("pn_last_name", "pn_birth_year_month"),
    rule("pn_first_name", "pn_birth_year_month"),
    rule("pn_first_name_phonetic", "pn_last_name_phonetic", "birth_year"),
    rule("pn_birth_date", "pn_first_name_phonetic"),
    rule("pn_birth_date", "pn_last_name_phonetic"),
    rule("pn_birth_date", "sex", "nationality"),
    within_year(rule("pn_first_name", "pn_last_name_phonetic")),
    within_year(rule("pn_last_name", "pn_first_name_phonetic")),
    within_year(rule("pn_first_name", "birth_year")),
    within_year(rule("pn_last_name", "birth_year")),
)
# Clear text: the same rules with clear names; the first two letters stand in for the
# phonetic code (the usual clear-text blocking key).
CLEAR_RULES: tuple[str, ...] = (
    within_year(rule("full_name")),
    within_year(rule("name_sorted")),
    rule("last_name", "birth_year_month"),
    rule("first_name", "birth_year_month"),
    "substr(l.first_name, 1, 2) = substr(r.first_name, 1, 2) AND "
    "substr(l.last_name, 1, 2) = substr(r.last_name, 1, 2) AND l.birth_year = r.birth_year",
    "l.birth_date = r.birth_date AND substr(l.first_name, 1, 1) = substr(r.first_name, 1, 1)",
    "l.birth_date = r.birth_date AND substr(l.last_name, 1, 1) = substr(r.last_name, 1, 1)",
    rule("birth_date", "sex", "nationality"),
    within_year(
        "l.first_name = r.first_name AND substr(l.last_name, 1, 2) = substr(r.last_name, 1, 2)"
    ),
    within_year(
        "l.last_name = r.last_name AND substr(l.first_name, 1, 2) = substr(r.first_name, 1, 2)"
    ),
    within_year(rule("first_name", "birth_year")),
    within_year(rule("last_name", "birth_year")),
)
