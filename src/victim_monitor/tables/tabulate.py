"""Tabulate the register's persons into the monitor's tables.

A person counts once in a total, and once under every reporter (organisation, reporter type,
estimation list) that reported them, as the Dutch monitor does; each table says which rule it
follows. Every category of every dimension is present, zeros included, and so is a
``"Total"`` in every dimension but the year (years are never summed): disclosure control must
see the whole table. Totals count distinct persons, so over reporters they are not sums.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, select

from victim_monitor.storage.schema import organisations, person_reports, persons, reports
from victim_monitor.tables.categories import (
    EUROSTAT_AGE,
    EUROSTAT_FORM,
    EUROSTAT_NATIONALITY,
    categories,
)
from victim_monitor.tables.specs import HEADLINE_WEIGHT, HEADLINES, TABLES, Spec
from victim_monitor.vocab import EstimationList, Label, nationality_group

TOTAL = "Total"
STAGE = {"none": 0, "applied": 1, "refused": 2, "granted": 3}  # furthest permit stage wins
DUBLIN = {"unknown": 0, "no": 1, "yes": 2}  # a known answer wins, "yes" over "no"


@dataclass(frozen=True)
class MonitorTable:
    """One table: counts of persons by ``dimensions`` (the first is always ``year``).

    ``data`` has one row per cell: the dimension columns (codes, years as strings) and
    ``count``, margins (``"Total"``) included. In ``overlapping`` dimensions a person can be
    in several categories, so the total is not the sum. ``fixed`` are coordinates all cells
    share (the police table is about list P).
    """

    name: str
    title: Label
    definition: Label
    dimensions: tuple[str, ...]
    counting: str
    categories: Mapping[str, tuple[str, ...]]
    data: pd.DataFrame
    overlapping: tuple[str, ...] = ()
    fixed: Mapping[str, str] = field(default_factory=dict)
    measure: str = "persons"
    weight: float = 1.0  # how much more it costs disclosure control to hide a cell here

    @property
    def margins(self) -> tuple[str, ...]:
        return self.dimensions[1:]

    def total(self, year: str | int) -> int:
        """Persons in the table in ``year`` (each once)."""
        return self.cell(year=year)

    def cell(self, **where: str | int) -> int:
        """The count of one cell: ``year`` and any categories; a dimension not given is
        ``"Total"`` (``cell(year=2018)`` is the year's total)."""
        if "year" not in where or set(where) - set(self.dimensions):
            raise KeyError(f"{self.name}: give the year and categories of {self.dimensions}")
        key = {**dict.fromkeys(self.margins, TOTAL), **where}
        mask = pd.Series(True, index=self.data.index)
        for column, value in key.items():
            mask &= self.data[column] == str(value)
        return int(self.data.loc[mask, "count"].sum())

    def interior(self) -> pd.DataFrame:
        """The cells without margins."""
        keep = pd.Series(True, index=self.data.index)
        for d in self.margins:
            keep &= self.data[d] != TOTAL
        return self.data[keep].reset_index(drop=True)


@dataclass(frozen=True)
class Cover:
    """``parent`` of ``dimension`` holds the persons of any ``children`` of ``child_dimension``."""

    dimension: str
    parent: str
    child_dimension: str
    children: tuple[str, ...]


@dataclass(frozen=True)
class Tabulation:
    """The monitor's tables for some years, and how their categories relate.

    ``groupings`` say which categories are sums of others (the Eurostat table's ``adult_18``
    is ``adolescent + adult``); ``covers`` which reporter categories are unions of others.
    """

    years: tuple[str, ...]
    tables: tuple[MonitorTable, ...]
    groupings: Mapping[str, Mapping[str, tuple[str, ...]]]
    covers: tuple[Cover, ...]
    snapshot: str = ""  # SHA-256 of the persons and reports the tables count

    def table(self, name: str) -> MonitorTable:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)

    def summary(self) -> str:
        lines = [f"Tables of {self.years[0]}-{self.years[-1]}: {len(self.tables)}"]
        for t in self.tables:
            totals = ", ".join(str(t.total(y)) for y in self.years)
            lines.append(f"  {t.name:28} {t.counting:12} {totals}")
        return "\n".join(lines)


GROUPINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "age_group": EUROSTAT_AGE,
    "nationality_group": EUROSTAT_NATIONALITY,
    "form_group": EUROSTAT_FORM,
}


def count_cells(
    frame: pd.DataFrame, dims: Sequence[str], cats: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """Distinct persons (``id``) in every cell of ``dims``, with a total in all but the first.

    ``frame`` has a row per person and category (several rows for a person in an overlapping
    dimension); a person counts once in each cell and once in each total.
    """
    first, rest = dims[0], list(dims[1:])
    pieces = []
    once = frame["id"].is_unique  # a row per person: counting rows is counting persons
    for k in range(len(rest) + 1):
        for summed in itertools.combinations(rest, k):
            keep = [first, *[d for d in rest if d not in summed]]
            grouped = frame.groupby(keep)["id"]
            part = (grouped.size() if once else grouped.nunique()).rename("count").reset_index()
            for d in summed:
                part[d] = TOTAL
            pieces.append(part[[*dims, "count"]])
    found = pd.concat(pieces, ignore_index=True)
    grid = pd.DataFrame(
        list(itertools.product(list(cats[first]), *[[*cats[d], TOTAL] for d in rest])),
        columns=list(dims),
    )
    merged = grid.merge(found, on=list(dims), how="left", indicator=True)
    if len(merged) != len(grid) or len(found) > (merged["_merge"] == "both").sum():
        raise ValueError(f"categories outside the table {list(dims)}")
    merged["count"] = merged["count"].fillna(0).astype("int64")
    return merged[[*dims, "count"]]


def tabulate(engine: Engine, years: Sequence[int]) -> Tabulation:
    """All tables of the monitor for ``years``, from the register's active persons."""
    wanted = sorted({int(y) for y in years})
    return tabulate_frames(
        _persons(engine, wanted), _reported(engine, wanted), _organisations(engine), wanted
    )


def tabulate_frames(
    people: pd.DataFrame,
    reported: pd.DataFrame,
    orgs: Sequence[tuple[str, str, str]],
    years: Sequence[int],
) -> Tabulation:
    """The tables from person rows (``id, year, sex, age_group, nationality_group,
    form_group``), person-report rows (``id, year, organisation, reporter_type,
    estimation_list, dublin_claimant, residence_permit``) and the organisations
    (code, reporter type, list), as :func:`tabulate` reads them from the register."""
    wanted = sorted({int(y) for y in years})
    cats = categories(wanted, [o[0] for o in orgs])
    sources = _sources(people, reported)
    tables = []
    for spec in TABLES:
        frame = sources[spec.source]
        for d, code in spec.fixed.items():
            frame = frame[frame[d] == code]
        tables.append(_table(spec, frame, cats))
    digest = hashlib.sha256()
    for part in (people, reported):
        digest.update(part.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    digest.update(repr(list(orgs)).encode("utf-8"))
    return Tabulation(
        tuple(str(y) for y in wanted), tuple(tables), GROUPINGS, _covers(orgs), digest.hexdigest()
    )


def _table(spec: Spec, frame: pd.DataFrame, cats: Mapping[str, Sequence[str]]) -> MonitorTable:
    own = {d: tuple(spec.categories.get(d, cats[d])) for d in spec.dimensions}
    data = count_cells(frame, spec.dimensions, own)
    return MonitorTable(
        name=spec.name,
        title=Label(spec.nl, spec.en),
        definition=spec.definition,
        dimensions=spec.dimensions,
        counting=spec.counting,
        categories=own,
        data=data,
        overlapping=spec.overlapping,
        fixed=dict(spec.fixed),
        weight=HEADLINE_WEIGHT if spec.name in HEADLINES else spec.weight,
    )


def _sources(people: pd.DataFrame, reported: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows each table counts: one per person, or one per person and reporter."""
    permits = (
        reported.assign(stage=reported["residence_permit"].map(STAGE).fillna(0))
        .sort_values(["id", "stage"], kind="stable")
        .drop_duplicates("id", keep="last")[["id", "residence_permit"]]
    )
    dublin = (
        reported.assign(rank=reported["dublin_claimant"].map(DUBLIN).fillna(0))
        .sort_values(["id", "rank"], kind="stable")
        .drop_duplicates("id", keep="last")[["id", "dublin_claimant"]]
    )
    once = people.merge(permits, on="id", how="left").merge(dublin, on="id", how="left")
    once["residence_permit"] = once["residence_permit"].fillna("none")
    once["dublin_claimant"] = once["dublin_claimant"].fillna("unknown")
    eurostat = once.assign(
        age_group=once["age_group"].map(_invert(EUROSTAT_AGE)).fillna(once["age_group"]),
        nationality_group=once["nationality_group"]
        .map(_invert(EUROSTAT_NATIONALITY))
        .fillna(once["nationality_group"]),
        form_group=once["form_group"].map(_invert(EUROSTAT_FORM)).fillna(once["form_group"]),
    )
    by_reporter = reported.merge(people[["id", "form_group"]], on="id", how="left")
    return {"once": once, "eurostat": eurostat, "reporter": by_reporter}


def _invert(groups: Mapping[str, Sequence[str]]) -> dict[str, str]:
    return {child: parent for parent, children in groups.items() for child in children}


def _persons(engine: Engine, years: Sequence[int]) -> pd.DataFrame:
    query = (
        select(
            persons.c.id,
            persons.c.year,
            persons.c.sex,
            persons.c.age_group,
            persons.c.nationality,
            persons.c.form_group,
        )
        .where(persons.c.status == "active", persons.c.year.in_(list(years)))
        .order_by(persons.c.id)
    )
    columns = ["id", "year", "sex", "age_group", "nationality", "form_group"]
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=columns)
    frame["year"] = frame["year"].astype(str)
    frame["nationality_group"] = [str(nationality_group(n)) for n in frame["nationality"]]
    return frame


def _reported(engine: Engine, years: Sequence[int]) -> pd.DataFrame:
    """One row per person and report: who reported them and what the report says."""
    query = (
        select(
            persons.c.id,
            persons.c.year,
            organisations.c.code.label("organisation"),
            organisations.c.investigative,
            organisations.c.estimation_list,
            reports.c.dublin_claimant,
            reports.c.residence_permit,
        )
        .select_from(
            persons.join(person_reports, person_reports.c.person_id == persons.c.id)
            .join(reports, reports.c.id == person_reports.c.report_id)
            .join(organisations, organisations.c.code == person_reports.c.organisation_code)
        )
        .where(persons.c.status == "active", persons.c.year.in_(list(years)))
        .order_by(persons.c.id, reports.c.id)
    )
    columns = [
        "id", "year", "organisation", "investigative", "estimation_list", "dublin_claimant",
        "residence_permit",
    ]  # fmt: skip
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=columns)
    frame["year"] = frame["year"].astype(str)
    frame["reporter_type"] = [
        "investigative" if bool(x) else "non_investigative" for x in frame["investigative"]
    ]
    return frame


def _organisations(engine: Engine) -> list[tuple[str, str, str]]:
    """(code, reporter type, estimation list) of every organisation, by code."""
    query = select(
        organisations.c.code, organisations.c.investigative, organisations.c.estimation_list
    ).order_by(organisations.c.code)
    with engine.connect() as conn:
        return [
            (str(code), "investigative" if inv else "non_investigative", str(lst))
            for code, inv, lst in conn.execute(query)
        ]


def _covers(orgs: Sequence[tuple[str, str, str]]) -> tuple[Cover, ...]:
    """Reporter types and lists are unions of organisations; a type of the lists it holds."""
    covers: list[Cover] = []
    by_type: dict[str, list[str]] = {}
    by_list: dict[str, list[str]] = {}
    for code, rtype, lst in orgs:
        by_type.setdefault(rtype, []).append(code)
        by_list.setdefault(lst, []).append(code)
    for rtype, codes in sorted(by_type.items()):
        covers.append(Cover("reporter_type", rtype, "organisation", tuple(codes)))
    for lst, codes in sorted(by_list.items()):
        covers.append(Cover("estimation_list", lst, "organisation", tuple(codes)))
    for rtype, codes in sorted(by_type.items()):
        lists = sorted(lst for lst, members in by_list.items() if set(members) <= set(codes))
        if lists and {c for lst in lists for c in by_list[lst]} == set(codes):
            order = [str(x) for x in EstimationList]
            lists.sort(key=order.index)
            covers.append(Cover("reporter_type", rtype, "estimation_list", tuple(lists)))
    return tuple(covers)
