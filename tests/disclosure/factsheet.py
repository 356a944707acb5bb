"""Factsheet-like table sets from made-up persons, for tests and the benchmark.

The persons are drawn independently with shares near the published Dutch figures (form,
age, sex, nationality, reporters); no person is real. The tables are those of the 2014-2018
factsheet and the Eurostat THB table, all with margins (the year dimension too), linked the
way the monitor links them: shared year and grand totals, a victim under every reporter, and
the Eurostat categories as groupings of the monitor's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from victim_monitor.disclosure import Table, TableSet

FORMS = {
    "domestic_sexual": 0.33,
    "cross_border_sexual_non_african": 0.17,
    "cross_border_sexual_african": 0.10,
    "labour": 0.22,
    "criminal": 0.13,
    "unknown": 0.05,
}
AGES = {"minor": 0.20, "adolescent": 0.20, "23_and_older": 0.55, "unknown": 0.05}
SEXES = {"F": 0.70, "M": 0.28, "X": 0.02}
NATIONALITIES = {
    "dutch": 0.35,
    "other_eu": 0.25,
    "african": 0.15,
    "other_non_eu": 0.20,
    "unknown": 0.05,
}
REPORTERS = {"police": 0.45, "kmar": 0.08, "inspectorate": 0.10, "care": 0.30, "shelter": 0.12}
INVESTIGATIVE = ("police", "kmar", "inspectorate")
GROUPINGS = {
    "age": {"adult": ("adolescent", "23_and_older")},
    "nationality": {"non_eu": ("african", "other_non_eu")},
}


def persons(years: range, per_year: int, seed: int = 0) -> pd.DataFrame:
    """One row per made-up person: year, categories, and a 0/1 column per reporter."""
    rng = np.random.default_rng(seed)
    n = per_year * len(years)
    frame = pd.DataFrame({"year": np.repeat([str(y) for y in years], per_year)})
    for name, shares in (
        ("form", FORMS),
        ("age", AGES),
        ("sex", SEXES),
        ("nationality", NATIONALITIES),
    ):
        frame[name] = rng.choice(list(shares), size=n, p=list(shares.values()))
    chosen = np.column_stack([rng.random(n) < p for p in REPORTERS.values()])
    nobody = ~chosen.any(axis=1)  # every person has at least one reporter
    chosen[nobody, rng.integers(0, len(REPORTERS), nobody.sum())] = True
    for j, name in enumerate(REPORTERS):
        frame[f"by_{name}"] = chosen[:, j]
    frame["permit"] = rng.choice(["applied", "none"], size=n, p=[0.3, 0.7])
    frame["police_reports"] = rng.poisson(0.6, size=n) * frame["by_police"]
    frame["age2"] = frame["age"].map(
        {"minor": "minor", "adolescent": "adult", "23_and_older": "adult", "unknown": "unknown"}
    )
    frame["citizenship"] = (
        frame["nationality"]
        .map(
            {
                "dutch": "dutch",
                "other_eu": "other_eu",
                "african": "non_eu",
                "other_non_eu": "non_eu",
            }
        )
        .fillna("unknown")
    )
    return frame


def _count(frame: pd.DataFrame, dims: list[str], weight: str | None = None) -> pd.DataFrame:
    if weight is None:
        return frame.groupby(dims).size().rename("count").reset_index()
    return frame.groupby(dims)[weight].sum().rename("count").reset_index()


def _reporter_table(
    frame: pd.DataFrame, name: str, groups: dict[str, list[str]], all_years: bool
) -> Table:
    """Year x reporter: a person counts under every reporter, and once in the total."""
    counts: dict[tuple[str, str], int] = {}
    for year, rows in frame.groupby("year"):
        counts[(str(year), "Total")] = len(rows)
        for group, columns in groups.items():
            counts[(str(year), group)] = int(rows[[f"by_{c}" for c in columns]].any(axis=1).sum())
    if all_years:
        counts[("Total", "Total")] = len(frame)
        for group, columns in groups.items():
            counts[("Total", group)] = int(frame[[f"by_{c}" for c in columns]].any(axis=1).sum())
    margins = True if all_years else ("reporter",)
    return Table(name, ("year", "reporter"), counts, margins, overlapping=("reporter",))


def factsheet_tables(
    frame: pd.DataFrame, eurostat: bool = True, all_years: bool = False
) -> TableSet:
    """The factsheet's tables (and the Eurostat one) over ``frame``, linked.

    Like the factsheet, tables have totals per year but no all-years total, unless
    ``all_years``: then every year is linked to every other through the all-years margins.
    """
    cats = {
        "year": sorted(frame["year"].unique()),
        "form": list(FORMS),
        "age": list(AGES),
        "sex": list(SEXES),
        "nationality": list(NATIONALITIES),
        "permit": ["applied", "none"],
        "age2": ["minor", "adult", "unknown"],
        "citizenship": ["dutch", "other_eu", "non_eu", "unknown"],
    }

    def margins(dims: list[str]) -> bool | list[str]:
        return True if all_years else [d for d in dims if d != "year"]

    def table(name: str, dims: list[str]) -> Table:
        counts = _count(frame, dims)
        return Table(name, dims, counts, margins(dims), categories={d: cats[d] for d in dims})

    tables = [
        table("by_form", ["year", "form"]),
        table("by_age", ["year", "age"]),
        table("by_sex", ["year", "sex"]),
        table("by_nationality", ["year", "nationality"]),
        table("by_form_age", ["year", "form", "age"]),
        table("by_form_sex", ["year", "form", "sex"]),
        table("by_permit", ["year", "permit"]),
        _reporter_table(frame, "by_reporter", {r: [r] for r in REPORTERS}, all_years),
        _reporter_table(
            frame,
            "by_reporter_type",
            {
                "investigative": list(INVESTIGATIVE),
                "non_investigative": [r for r in REPORTERS if r not in INVESTIGATIVE],
            },
            all_years,
        ),
        Table(
            "police_reports_by_group",
            ("year", "form"),
            _count(frame[frame["form"] != "unknown"], ["year", "form"], weight="police_reports"),
            margins(["year", "form"]),
            categories={"year": cats["year"], "form": list(FORMS)[:5]},
            measure="police_reports",
        ),
    ]
    if eurostat:
        dims = ["year", "sex", "age2", "citizenship", "form"]
        eu = _count(frame, dims).rename(columns={"age2": "age", "citizenship": "nationality"})
        tables.append(
            Table(
                "eurostat",
                ["year", "sex", "age", "nationality", "form"],
                eu,
                margins(["year", "sex", "age", "nationality", "form"]),
                categories={
                    "year": cats["year"],
                    "sex": cats["sex"],
                    "age": cats["age2"],
                    "nationality": cats["citizenship"],
                    "form": cats["form"],
                },
            )
        )
    return TableSet(tuple(tables), groupings=GROUPINGS)
