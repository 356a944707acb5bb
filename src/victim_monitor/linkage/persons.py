"""Persons: the attributes of a linked victim, resolved from all their reports, and reading them.

Rules (docs/methods/linkage.md, "Persons"):

- **first report**: the earliest by report date (then organisation, case reference);
  **year** is its report year, **age** its age at report (if unknown there, the first later
  report that gives an age, less the whole years in between);
- **sex, birth year, nationality**: the value most reports give, unknown values left out;
  a tie goes to the most recent report; none known gives unknown;
- **exploitation**: every kind any report gives; **border crossed**: yes if any report says
  yes, else no if any says no, else unknown; the **form group** follows from these and the
  nationality by the rule in ``data/form-rule.toml`` (the rule's order is the precedence);
- **lists** (the capture history): the estimation lists of the organisations that reported.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from victim_monitor.storage.schema import persons
from victim_monitor.vocab import (
    EstimationList,
    ExploitationKind,
    Sex,
    YesNoUnknown,
    age_group,
    form_group,
    nationality_group,
)

LISTS: tuple[str, ...] = tuple(str(x) for x in EstimationList)
KINDS: tuple[str, ...] = tuple(str(k) for k in ExploitationKind)
ATTRIBUTES: tuple[str, ...] = (
    "year",
    "first_report_date",
    "sex",
    "birth_year",
    "age",
    "age_group",
    "nationality",
    "exploitation",
    "border_crossed",
    "form_group",
    "lists",
    "n_reports",
    "n_organisations",
)
YEAR_DAYS = 365.25


def resolve(reports: pd.DataFrame, person: pd.Series) -> pd.DataFrame:
    """One row per person (index: person id) with ``ATTRIBUTES``.

    ``reports``: rows of ``standardise.read_reports``; ``person``: the person of each row
    (aligned with ``reports``).
    """
    frame = reports.assign(person=person.to_numpy()).sort_values(
        ["person", "report_date", "organisation_code", "case_reference"], kind="stable"
    )
    frame["ordinal"] = np.arange(len(frame))
    grouped = frame.groupby("person", sort=True)
    first = grouped.head(1).set_index("person")
    out = pd.DataFrame(index=first.index)
    out["year"] = first["report_year"].astype("int64")
    out["first_report_date"] = first["report_date"]
    out["sex"] = _majority(frame, "sex", unknown=str(Sex.OTHER_UNKNOWN)).reindex(out.index)
    out["sex"] = out["sex"].fillna(str(Sex.OTHER_UNKNOWN))
    out["birth_year"] = _majority(frame, "birth_year").reindex(out.index).astype("Int64")
    out["age"] = _age(frame).reindex(out.index).astype("Int64")
    out["age_group"] = [str(age_group(None if pd.isna(a) else int(a))) for a in out["age"]]
    out["nationality"] = _majority(frame, "nationality", unknown="").reindex(out.index)
    out["exploitation"] = _kinds(frame).reindex(out.index).fillna("")
    out["border_crossed"] = _border(frame).reindex(out.index)
    out["form_group"] = _forms(out)
    out["lists"] = union(frame["person"], frame["estimation_list"], LISTS, "").reindex(out.index)
    out["n_reports"] = grouped.size().astype("int64")
    out["n_organisations"] = grouped["organisation_code"].nunique().astype("int64")
    out["nationality"] = out["nationality"].astype(object).where(out["nationality"].notna(), None)
    return out


def unequal(now: pd.Series, before: pd.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Element-wise "differs", with unknown equal to unknown (NA, NaN and None alike)."""
    left = now.astype(object).where(now.notna(), None).to_numpy()
    right = before.astype(object).where(before.notna(), None).to_numpy()
    return np.asarray(left != right, dtype=bool)


def union(groups: pd.Series, values: pd.Series, order: tuple[str, ...], sep: str) -> pd.Series:
    """Per group, the distinct values (each may hold several, joined by ``sep``) in ``order``.

    Vectorised: one 0/1 column per known value, a group maximum, and the joined names.
    """
    text = values.fillna("").astype(str)
    flags = pd.DataFrame(
        {
            x: (text == x) if not sep else text.str.contains(rf"(?:^|{sep}){x}(?:{sep}|$)")
            for x in order
        }
    )
    present = flags.groupby(groups.to_numpy()).max()
    bits = np.zeros(len(present), dtype=np.int64)
    for i, x in enumerate(order):
        bits |= present[x].to_numpy(np.int64) << i
    names = {b: (sep or "").join(x for i, x in enumerate(order) if b >> i & 1) for b in set(bits)}
    return pd.Series([names[b] for b in bits], index=present.index)


def _majority(frame: pd.DataFrame, column: str, unknown: Any = None) -> pd.Series:
    """Most frequent known value per person; ties to the most recent report."""
    known = frame[frame[column].notna()]
    if unknown is not None:
        known = known[known[column] != unknown]
    if known.empty:
        return pd.Series(dtype=object)
    counts = known.groupby(["person", column], sort=False).agg(
        n=("ordinal", "size"), last=("ordinal", "max")
    )
    counts = counts.reset_index().sort_values(
        ["person", "n", "last"], ascending=[True, False, False]
    )
    return counts.drop_duplicates("person").set_index("person")[column]


def _age(frame: pd.DataFrame) -> pd.Series:
    """Age at the first report; else from the first report that gives one, less the years."""
    first_date = frame.groupby("person")["report_date"].transform("first")
    known = frame[frame["age_at_report"].notna()].copy()
    if known.empty:
        return pd.Series(dtype="Int64")
    known["first_date"] = first_date[known.index]
    earliest = known.drop_duplicates("person").set_index("person")
    days = [
        (a - b).days for a, b in zip(earliest["report_date"], earliest["first_date"], strict=True)
    ]
    years = np.floor(np.array(days, dtype=float) / YEAR_DAYS).astype(int)
    ages = np.maximum(earliest["age_at_report"].astype(int).to_numpy() - years, 0)
    return pd.Series(ages, index=earliest.index)


def _kinds(frame: pd.DataFrame) -> pd.Series:
    return union(frame["person"], frame["exploitation"], KINDS, ";")


_BORDER = (str(YesNoUnknown.UNKNOWN), str(YesNoUnknown.NO), str(YesNoUnknown.YES))


def _border(frame: pd.DataFrame) -> pd.Series:
    """Yes over no over unknown."""
    rank = frame["border_crossed"].map({v: i for i, v in enumerate(_BORDER)}).fillna(0)
    best = rank.astype("int64").groupby(frame["person"].to_numpy()).max()
    return best.map(dict(enumerate(_BORDER)))


def _forms(out: pd.DataFrame) -> list[str]:
    cache: dict[tuple[str, str, str | None], str] = {}
    result: list[str] = []
    for kinds, border, nationality in zip(
        out["exploitation"], out["border_crossed"], out["nationality"], strict=True
    ):
        key = (kinds, border, nationality if isinstance(nationality, str) and nationality else None)
        if key not in cache:
            cache[key] = str(
                form_group(
                    frozenset(ExploitationKind(k) for k in kinds.split(";") if k),
                    YesNoUnknown(border),
                    nationality_group(key[2]),
                )
            )
        result.append(cache[key])
    return result


# --- reading the persons table ----------------------------------------------------------------


def persons_per_year(engine: Engine) -> dict[int, int]:
    """Active persons by year (the year of their first report)."""
    query = (
        select(persons.c.year, func.count())
        .where(persons.c.status == "active")
        .group_by(persons.c.year)
        .order_by(persons.c.year)
    )
    with engine.connect() as conn:
        return {int(year): int(n) for year, n in conn.execute(query)}


def reports_per_person(engine: Engine) -> dict[int, int]:
    """How many active persons have 1, 2, 3, ... reports."""
    query = (
        select(persons.c.n_reports, func.count())
        .where(persons.c.status == "active")
        .group_by(persons.c.n_reports)
        .order_by(persons.c.n_reports)
    )
    with engine.connect() as conn:
        return {int(k): int(n) for k, n in conn.execute(query)}


def capture_histories(engine: Engine, year: int | None = None) -> pd.DataFrame:
    """Capture-history table: one 0/1 column per list (P K I R O Z) and ``count``.

    One row per observed pattern, the format of ``../shared/mse-datasets`` (and of
    ``estimation.histories``); all years pooled when ``year`` is None.
    """
    query = select(persons.c.lists, func.count()).where(persons.c.status == "active")
    if year is not None:
        query = query.where(persons.c.year == year)
    query = query.group_by(persons.c.lists)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return histories_frame({str(lists): int(n) for lists, n in rows})


def histories_frame(counts: dict[str, int]) -> pd.DataFrame:
    """The mse-datasets layout from counts by pattern (``"PR"`` = on P and R)."""
    records = [
        {**{x: int(x in pattern) for x in LISTS}, "count": n}
        for pattern, n in counts.items()
        if n > 0 and pattern
    ]
    frame = pd.DataFrame(records, columns=[*LISTS, "count"])
    if frame.empty:
        return frame.astype("int64")
    return frame.sort_values(list(LISTS), ascending=False, kind="stable").reset_index(drop=True)


def pattern_counts(frame: pd.DataFrame) -> dict[str, int]:
    """Counts by pattern (``{"PR": 12, ...}``) from the mse-datasets layout: the inverse of
    :func:`histories_frame`."""
    lists = [c for c in frame.columns if c != "count"]
    return {
        "".join(c for c in lists if row[c] == 1): int(row["count"])
        for _, row in frame.iterrows()
        if int(row["count"]) > 0
    }
