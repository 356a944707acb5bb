"""The peer of the linkage quality grid: Splink on clear text, set up as Splink documents it.

What a data engineer with the organisations' clear files would run: clear names and birth
dates compared with Jaro-Winkler and Levenshtein and term-frequency adjustments (the clear
comparisons tuned on the development population in issue 4, before the comparisons of
``victim_monitor.linkage.compare`` took the dependence of namesakes into account), Splink's
own training (the prior from full name and birth date with a recall of 0.5, ``u`` from five
million random pairs, EM sessions blocked on the birth date and on the sorted names with
nationality), every ``m`` and ``u`` kept above a floor, links at match probability 0.8 (the
threshold of best F1 on the development population), connected components.

It reads the same standardised clear reports as the project's clear-text twin
(``standardise.standardise_clear``), so the two differ only in comparisons, training,
threshold and clustering.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from splink import SettingsCreator

from victim_monitor.linkage import block, score
from victim_monitor.linkage.cluster import cluster, edges
from victim_monitor.linkage.compare import (
    REPORT_DAYS,
    Comparison,
    else_level,
    level,
    null_level,
)
from victim_monitor.linkage.model import Model

THRESHOLD = 0.8
SESSIONS = ("l.birth_date = r.birth_date", "l.name_sorted = r.name_sorted AND "
            "l.nationality = r.nationality")  # fmt: skip
DETERMINISTIC = "l.full_name = r.full_name AND l.birth_date = r.birth_date"
RECALL = 0.5
FLOOR_M, FLOOR_U = 1e-3, 1e-8


def _either_null(*columns: str) -> str:
    return " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)


def _jw(column: str, threshold: float) -> str:
    return f"jaro_winkler_similarity({column}_l, {column}_r) >= {threshold}"


def comparisons() -> list[Comparison]:
    """Name, birth, sex, nationality and report date, as issue 4 tuned them."""
    swapped = (
        "birth_date_l IS NOT NULL AND birth_date_r IS NOT NULL AND "
        "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) AND "
        "substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) AND "
        "substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
    )
    names_null = (
        "(first_name_l IS NULL AND last_name_l IS NULL) OR "
        "(first_name_r IS NULL AND last_name_r IS NULL)"
    )
    tf = {"tf_adjustment_weight": 1.0}
    return [
        {
            "output_column_name": "name",
            "comparison_levels": [
                null_level(names_null),
                level("full_name_l = full_name_r", "full name",
                      tf_adjustment_column="full_name", **tf),
                level("name_sorted_l = name_sorted_r", "same name parts"),
                level(f"(first_name_l = first_name_r AND {_jw('last_name', 0.92)}) OR "
                      f"(last_name_l = last_name_r AND {_jw('first_name', 0.92)})",
                      "one part exact, other close"),
                level(f"{_jw('first_name', 0.92)} AND {_jw('last_name', 0.92)}",
                      "both parts close"),
                level(f"{_jw('first_name', 0.8)} AND {_jw('last_name', 0.8)}",
                      "both parts similar"),
                level("last_name_l = last_name_r", "last name",
                      tf_adjustment_column="last_name", **tf),
                level("first_name_l = first_name_r", "first name"),
                level("jaro_winkler_similarity(first_name_l, last_name_r) >= 0.92 AND "
                      "jaro_winkler_similarity(last_name_l, first_name_r) >= 0.92",
                      "swapped, close"),
                else_level(),
            ],
        },
        {
            "output_column_name": "birth",
            "comparison_levels": [
                null_level(_either_null("birth_year")),
                level("birth_date_l = birth_date_r", "same date",
                      tf_adjustment_column="birth_date", **tf),
                level(f"levenshtein(birth_date_l, birth_date_r) <= 1 OR ({swapped})",
                      "one edit"),
                level("birth_year_month_l = birth_year_month_r", "same year and month"),
                level("birth_year_l = birth_year_r", "same year"),
                level("abs(birth_year_l - birth_year_r) <= 1", "year one apart"),
                else_level(),
            ],
        },
        {
            "output_column_name": "sex",
            "comparison_levels": [
                null_level(_either_null("sex")), level("sex_l = sex_r", "equal"), else_level()
            ],
        },
        {
            "output_column_name": "nationality",
            "comparison_levels": [
                null_level(_either_null("nationality")),
                level("nationality_l = nationality_r", "equal",
                      tf_adjustment_column="nationality", tf_adjustment_weight=0.5),
                else_level(),
            ],
        },
        {
            "output_column_name": "report_date",
            "comparison_levels": [
                *(level(f"abs(report_day_l - report_day_r) <= {d}", f"within {d} days")
                  for d in REPORT_DAYS),
                else_level(),
            ],
        },
    ]  # fmt: skip


def train(frame: pd.DataFrame, seed: int = score.SEED) -> Model:
    """Splink's own training on the clear reports (see the module docstring)."""
    db = score.duckdb_api()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons(),
        blocking_rules_to_generate_predictions=[{"blocking_rule": r} for r in block.CLEAR_RULES],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=50,
        em_convergence=0.0001,
    )
    with score.quiet():
        linker = score.linker(db, frame, settings, validate=True)
        linker.training.estimate_probability_two_random_records_match([DETERMINISTIC], RECALL)
        linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
        model: dict[str, Any] = linker.misc.save_model_to_json()
        for rule in SESSIONS:
            iterations = 50
            while True:  # on a small register an m can underflow: fewer iterations
                current = Model.from_json({**model, "max_iterations": iterations})
                linker = score.linker(db, frame, current)
                try:
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        rule, max_pairs=2e6
                    )
                except ValueError as error:
                    if "below the minimum" not in str(error) or iterations <= 6:
                        raise
                    iterations //= 2
                    continue
                model = linker.misc.save_model_to_json()
                break
    return Model.from_json(_floored(model))


def _floored(model: dict[str, Any]) -> dict[str, Any]:
    comparisons = []
    for comparison in model["comparisons"]:
        levels = [dict(lv) for lv in comparison["comparison_levels"]]
        scored = [lv for lv in levels if not lv.get("is_null_level")]
        for key, floor in (("m_probability", FLOOR_M), ("u_probability", FLOOR_U)):
            for lv in scored:
                lv[key] = max(float(lv.get(key) or 0.0), floor)
            total = sum(lv[key] for lv in scored)
            for lv in scored:
                lv[key] /= total
        comparisons.append({**comparison, "comparison_levels": levels})
    return {**model, "comparisons": comparisons}


def link(frame: pd.DataFrame, seed: int = score.SEED) -> NDArray[np.int64]:
    """A person label per row of ``frame`` (the standardised clear reports)."""
    model = train(frame, seed)
    pairs = score.predict(frame, model, floor=THRESHOLD)
    return cluster(frame["unique_id"].to_numpy(np.int64), edges(pairs))
