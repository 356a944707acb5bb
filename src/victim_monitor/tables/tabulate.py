"""Tabulate the register's persons into the monitor's tables.

A person counts once in a total, and once under every reporter (organisation, reporter type,
estimation list) that reported them, as the Dutch monitor does; each table says which rule it
follows. Every category of every dimension is present, zeros included, so that disclosure
control sees the whole table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd
from sqlalchemy import Engine, select

from victim_monitor.storage.schema import organisations, person_reports, persons, reports
from victim_monitor.vocab import (
    AgeGroup,
    EstimationList,
    FormGroup,
    Label,
    NationalityGroup,
    ResidencePermit,
    Sex,
    YesNoUnknown,
    nationality_group,
)

COUNTING = {
    "once": Label("Personen, elk één keer geteld", "Persons, each counted once"),
    "per_reporter": Label(
        "Personen, geteld onder elke melder die hen meldde (rijen tellen op tot meer dan "
        "het totaal)",
        "Persons, counted under every reporter that reported them (rows add up to more than "
        "the total)",
    ),
}


@dataclass(frozen=True, slots=True)
class MonitorTable:
    """One table: counts of persons by ``dimensions`` (the first is always ``year``)."""

    name: str
    title: Label
    dimensions: tuple[str, ...]
    counting: str
    data: pd.DataFrame  # the dimension columns and ``count``, every combination present

    def total(self) -> int:
        return int(self.data["count"].sum())

    def cell(self, **where: object) -> int:
        mask = pd.Series(True, index=self.data.index)
        for column, value in where.items():
            mask &= self.data[column] == value
        return int(self.data.loc[mask, "count"].sum())


@dataclass(frozen=True, slots=True)
class _Spec:
    name: str
    nl: str
    en: str
    source: str
    dimensions: tuple[str, ...]
    counting: str = "once"


TABLES: tuple[_Spec, ...] = (
    _Spec("victims_by_year", "Geregistreerde slachtoffers per jaar",
          "Registered victims per year", "persons", ("year",)),
    _Spec("victims_by_form", "Slachtoffers naar uitbuitingsvorm",
          "Victims by form of exploitation", "persons", ("year", "form_group")),
    _Spec("victims_by_age", "Slachtoffers naar leeftijdsgroep",
          "Victims by age group", "persons", ("year", "age_group")),
    _Spec("victims_by_sex", "Slachtoffers naar geslacht",
          "Victims by sex", "persons", ("year", "sex")),
    _Spec("victims_by_nationality", "Slachtoffers naar nationaliteit",
          "Victims by nationality group", "persons", ("year", "nationality_group")),
    _Spec("victims_by_reporter", "Slachtoffers naar melder",
          "Victims by reporting organisation", "reporter", ("year", "organisation"),
          "per_reporter"),
    _Spec("victims_by_reporter_type", "Slachtoffers naar opsporings- en niet-opsporingsinstanties",
          "Victims by investigative and non-investigative reporters", "reporter_type",
          ("year", "reporter_type"), "per_reporter"),
    _Spec("victims_by_list", "Slachtoffers naar schattingslijst",
          "Victims by estimation list", "list", ("year", "estimation_list"), "per_reporter"),
    _Spec("police_reports_by_form", "Politiemeldingen naar slachtoffergroep",
          "Police reports by victim group", "police", ("year", "form_group")),
    _Spec("domestic_sexual_by_age", "Binnenlandse seksuele uitbuiting naar leeftijd",
          "Domestic sexual exploitation by age group", "domestic", ("year", "age_group")),
    _Spec("residence_permits", "Verblijfsregeling mensenhandel onder slachtoffers",
          "Residence permits under the trafficking scheme among victims", "permits",
          ("year", "residence_permit")),
    _Spec("dublin_claimants", "Dublinclaimanten onder slachtoffers",
          "Dublin claimants among victims", "dublin", ("year", "dublin_claimant")),
)  # fmt: skip


def _complete(
    frame: pd.DataFrame, dims: Sequence[str], categories: dict[str, Sequence[object]]
) -> pd.DataFrame:
    """Counts for every combination of the categories (zeros where nobody is)."""
    counts = frame.groupby(list(dims), observed=True).size()
    full = pd.MultiIndex.from_product([list(categories[d]) for d in dims], names=list(dims))
    return counts.reindex(full, fill_value=0).rename("count").reset_index()


def _values(enum: type[StrEnum]) -> list[str]:
    return [str(v) for v in enum]


def _persons(engine: Engine, years: Sequence[int]) -> pd.DataFrame:
    query = select(
        persons.c.id,
        persons.c.year,
        persons.c.sex,
        persons.c.age_group,
        persons.c.nationality,
        persons.c.form_group,
    ).where(persons.c.status == "active", persons.c.year.in_(list(years)))
    with engine.connect() as conn:
        frame = pd.DataFrame(
            conn.execute(query).all(),
            columns=["id", "year", "sex", "age_group", "nationality", "form_group"],
        )
    frame["nationality_group"] = [str(nationality_group(n)) for n in frame["nationality"]]
    return frame


def _reported(engine: Engine, years: Sequence[int]) -> pd.DataFrame:
    """One row per person and report: who reported them and what the report says."""
    query = (
        select(
            persons.c.id,
            persons.c.year,
            persons.c.form_group,
            persons.c.age_group,
            organisations.c.code.label("organisation"),
            organisations.c.investigative,
            organisations.c.estimation_list,
            reports.c.dublin_claimant,
            reports.c.residence_permit,
            reports.c.police_report,
        )
        .select_from(
            persons.join(person_reports, person_reports.c.person_id == persons.c.id)
            .join(reports, reports.c.id == person_reports.c.report_id)
            .join(organisations, organisations.c.code == person_reports.c.organisation_code)
        )
        .where(persons.c.status == "active", persons.c.year.in_(list(years)))
    )
    columns = [
        "id", "year", "form_group", "age_group", "organisation", "investigative",
        "estimation_list", "dublin_claimant", "residence_permit", "police_report",
    ]  # fmt: skip
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=columns)


def tabulate(engine: Engine, years: Sequence[int]) -> tuple[MonitorTable, ...]:
    """All tables of the monitor for ``years``, from the register's active persons."""
    years = sorted(set(years))
    people = _persons(engine, years)
    reported = _reported(engine, years)
    with engine.connect() as conn:
        codes = [
            row.code
            for row in conn.execute(select(organisations.c.code).order_by(organisations.c.code))
        ]
    cats: dict[str, Sequence[object]] = {
        "year": years,
        "form_group": _values(FormGroup),
        "age_group": _values(AgeGroup),
        "sex": _values(Sex),
        "nationality_group": _values(NationalityGroup),
        "organisation": codes,
        "reporter_type": ["investigative", "non_investigative"],
        "estimation_list": _values(EstimationList),
        "residence_permit": _values(ResidencePermit),
        "dublin_claimant": _values(YesNoUnknown),
    }

    by_reporter = reported.drop_duplicates(["id", "organisation"])
    by_type = reported.assign(
        reporter_type=reported["investigative"].map(
            {True: "investigative", False: "non_investigative"}
        )
    ).drop_duplicates(["id", "reporter_type"])
    by_list = reported.drop_duplicates(["id", "estimation_list"])
    police = reported[reported["estimation_list"] == str(EstimationList.P)].drop_duplicates("id")
    domestic = people[people["form_group"] == str(FormGroup.DOMESTIC_SEXUAL)]
    # A person's residence permit: the furthest stage any report records.
    stage = {"none": 0, "applied": 1, "refused": 2, "granted": 3}
    permits = (
        reported.assign(stage=reported["residence_permit"].map(stage))
        .sort_values("stage")
        .drop_duplicates("id", keep="last")
    )
    dublin = (
        reported.assign(rank=reported["dublin_claimant"].map({"unknown": 0, "no": 1, "yes": 2}))
        .sort_values("rank")
        .drop_duplicates("id", keep="last")
    )

    sources = {
        "persons": people,
        "reporter": by_reporter,
        "reporter_type": by_type,
        "list": by_list,
        "police": police,
        "domestic": domestic,
        "permits": permits,
        "dublin": dublin,
    }
    return tuple(
        MonitorTable(
            spec.name,
            Label(spec.nl, spec.en),
            spec.dimensions,
            spec.counting,
            _complete(sources[spec.source], spec.dimensions, cats),
        )
        for spec in TABLES
    )
