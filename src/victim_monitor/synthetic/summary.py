"""A summary of a synthetic population: what is true, what is registered, who saw whom."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from victim_monitor.synthetic.recording import reporters

LISTS = ("P", "K", "I", "R", "O", "Z")


@dataclass(frozen=True)
class PopulationSummary:
    """Tables of true and registered counts, from the truth (not from linkage).

    ``by_year``: per year true victims, registered victims, registered share, registered
    minors, persons reported by a non-investigative organisation, persons on two or more
    lists, reports, duplicate reports and reports dated in the next January.
    ``by_form``: per year and form group, true and registered victims and minors.
    ``by_list``: per year, registered persons on each list (P, K, I, R, O, Z).
    ``patterns``: registered persons per capture history, pooled over years.
    """

    by_year: pd.DataFrame
    by_form: pd.DataFrame
    by_list: pd.DataFrame
    patterns: pd.Series

    def __str__(self) -> str:
        with pd.option_context("display.width", 120, "display.max_columns", 20):
            parts = [
                "Synthetic population: true and registered victims per year",
                self.by_year.to_string(),
                "",
                "Per form group (true / registered / true minors / registered minors)",
                self.by_form.to_string(),
                "",
                "Registered persons per list",
                self.by_list.to_string(),
                "",
                "Capture histories of registered persons (pooled)",
                self.patterns.to_string(),
            ]
        return "\n".join(parts)


def summarise(persons: pd.DataFrame, reports: pd.DataFrame) -> PopulationSummary:
    """Summary tables of a population's persons and reports."""
    reg = persons[persons["registered"]]
    minor = persons["age_group"] == "minor"
    investigative = {r.code: r.investigative for r in reporters()}
    non_inv_ids = reports.loc[~reports["organisation"].map(investigative), "person_id"].unique()
    person_year = persons.set_index("person_id")["year"]
    # reports, duplicates and late reports are counted under the year of their person
    year_of = person_year.loc[reports["person_id"]].to_numpy()
    dup, late = reports["duplicate"].to_numpy(), reports["late"].to_numpy()

    by_year = pd.DataFrame(
        {
            "true": persons.groupby("year").size(),
            "registered": reg.groupby("year").size(),
            "minors": reg[reg["age_group"] == "minor"].groupby("year").size(),
            "non_investigative": person_year.loc[non_inv_ids].value_counts(),
            "two_plus_lists": reg[reg["capture_history"].str.len() >= 2].groupby("year").size(),
            "reports": pd.Series(year_of).value_counts(),
            "duplicates": pd.Series(year_of[dup]).value_counts(),
            "late": pd.Series(year_of[late]).value_counts(),
        }
    )
    by_year = by_year.reindex(sorted(persons["year"].unique())).fillna(0).astype(int)
    by_year.insert(2, "share", (by_year["registered"] / by_year["true"]).round(3))
    by_year.index.name = "year"

    keys = ["year", "form_group"]
    by_form = pd.DataFrame(
        {
            "true": persons.groupby(keys).size(),
            "registered": reg.groupby(keys).size(),
            "true_minors": persons[minor].groupby(keys).size(),
            "registered_minors": reg[reg["age_group"] == "minor"].groupby(keys).size(),
        }
    )
    by_form = by_form.fillna(0).astype(int)

    by_list = pd.DataFrame(
        {letter: reg["capture_history"].str.contains(letter).groupby(reg["year"]).sum()
         for letter in LISTS}
    )  # fmt: skip
    by_list.index.name = "year"
    patterns = reg["capture_history"].value_counts().sort_index()
    patterns.name = "persons"
    return PopulationSummary(by_year=by_year, by_form=by_form, by_list=by_list, patterns=patterns)
