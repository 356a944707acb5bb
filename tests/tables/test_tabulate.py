"""The tables agree with the register's persons, count per reporter, and are complete."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from victim_monitor.disclosure import TableSet
from victim_monitor.publication.protection import table_set
from victim_monitor.storage.schema import organisations, person_reports, persons
from victim_monitor.tables import TOTAL, Tabulation, count_cells, tabulate

YEARS = (2017, 2018)


def _persons(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(
            select(persons.c.id, persons.c.year, persons.c.form_group, persons.c.age_group).where(
                persons.c.status == "active"
            )
        ).all()
    return pd.DataFrame(rows, columns=["id", "year", "form_group", "age_group"])


def _reported_by(engine: Engine) -> pd.DataFrame:
    """(person, organisation, list) straight from the register."""
    query = (
        select(persons.c.id, persons.c.year, organisations.c.code, organisations.c.estimation_list)
        .select_from(
            persons.join(person_reports, person_reports.c.person_id == persons.c.id).join(
                organisations, organisations.c.code == person_reports.c.organisation_code
            )
        )
        .where(persons.c.status == "active")
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=["id", "year", "org", "list"])


@pytest.fixture
def tab(linked: Engine) -> Tabulation:
    return tabulate(linked, YEARS)


def test_totals_agree_with_the_persons_table(linked: Engine, tab: Tabulation) -> None:
    people = _persons(linked)
    assert len(people) > 100
    for year in YEARS:
        n = int((people["year"] == year).sum())
        assert tab.table("victims_by_year").cell(year=year) == n
        for t in tab.tables:
            if not t.fixed:
                assert t.total(year) == n, t.name
        for form, group in people[people["year"] == year].groupby("form_group"):
            assert tab.table("victims_by_form").cell(year=year, form_group=str(form)) == len(group)


def test_a_person_counts_under_every_reporter_and_once_in_the_total(
    linked: Engine, tab: Tabulation
) -> None:
    reported = _reported_by(linked)
    table = tab.table("victims_by_reporter")
    assert table.counting == "per_reporter"
    for year in YEARS:
        rows = reported[reported["year"] == year]
        for org in table.categories["organisation"]:
            expected = rows.loc[rows["org"] == org, "id"].nunique()
            assert table.cell(year=year, organisation=org) == expected, org
        interior = table.interior()
        parts = int(interior.loc[interior["year"] == str(year), "count"].sum())
        assert parts >= table.total(year)
        several = rows.groupby("id")["org"].nunique()
        # the parts exceed the total by exactly the extra reporters of persons with several
        assert parts - table.total(year) == int((several - 1).sum())


def test_police_reports_are_the_police_list_by_victim_group(
    linked: Engine, tab: Tabulation
) -> None:
    reported = _reported_by(linked)
    people = _persons(linked).set_index("id")
    police = tab.table("police_reports_by_form")
    assert police.fixed == {"estimation_list": "P"}
    for year in YEARS:
        ids = reported.loc[(reported["year"] == year) & (reported["list"] == "P"), "id"].unique()
        assert police.total(year) == len(ids)
        assert police.total(year) == tab.table("victims_by_list").cell(
            year=year, estimation_list="P"
        )
        forms: dict[str, int] = people.loc[ids, "form_group"].value_counts().to_dict()
        for form, n in forms.items():
            assert police.cell(year=year, form_group=form) == n


def test_domestic_sexual_by_age_is_a_row_of_form_by_age(tab: Tabulation) -> None:
    domestic = tab.table("domestic_sexual_by_age")
    both = tab.table("victims_by_form_age")
    for year, age in itertools.product(YEARS, [*domestic.categories["age_group"], TOTAL]):
        assert domestic.cell(year=year, age_group=age) == both.cell(
            year=year, form_group="domestic_sexual", age_group=age
        )


def test_every_category_is_present(tab: Tabulation) -> None:
    for t in tab.tables:
        sizes = [len(t.categories[d]) + (d != "year") for d in t.dimensions]
        assert len(t.data) == math.prod(sizes), t.name
        assert not t.data.duplicated(list(t.dimensions)).any()
        for d in t.dimensions[1:]:
            assert set(t.data[d]) == {*t.categories[d], TOTAL}
    assert tab.table("victims_by_form").categories["form_group"][-1] == "unknown"


def test_eurostat_groups_are_sums_of_the_monitors_categories(tab: Tabulation) -> None:
    age = tab.table("victims_by_age")
    eurostat = tab.table("eurostat_sex_age")
    form = tab.table("victims_by_form")
    by_form = tab.table("eurostat_sex_form")
    for year in YEARS:
        assert eurostat.cell(year=year, age_group="adult_18") == age.cell(
            year=year, age_group="adolescent"
        ) + age.cell(year=year, age_group="adult")
        assert eurostat.cell(year=year, age_group="minor") == age.cell(year=year, age_group="minor")
        sexual = sum(
            form.cell(year=year, form_group=f)
            for f in ("domestic_sexual", "cross_border_sexual_non_african",
                      "cross_border_sexual_african")
        )  # fmt: skip
        assert by_form.cell(year=year, form_group="sexual") == sexual


def test_the_tables_make_one_consistent_table_set(tab: Tabulation) -> None:
    # shared cells agree (VM711), totals, groupings and covers hold (VM712), and a subgroup is
    # never larger than its group: building the set checks all of it
    tables = table_set(tab)
    assert isinstance(tables, TableSet)
    assert tables.overlaps.shape[0] > 0


def test_the_register_is_read_only_for_the_years_asked(linked: Engine) -> None:
    tab = tabulate(linked, [2018])
    with linked.connect() as conn:
        n = conn.execute(
            select(func.count()).where(persons.c.status == "active", persons.c.year == 2018)
        ).scalar_one()
    assert tab.years == ("2018",)
    assert tab.table("victims_by_year").data["count"].tolist() == [n]


def test_count_cells_counts_distinct_persons_in_cells_and_totals() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 1, 2, 3, 3, 3],
            "year": ["2018"] * 6,
            "reporter": ["a", "b", "a", "a", "b", "b"],
        }
    )
    cells = count_cells(
        frame, ("year", "reporter"), {"year": ["2018"], "reporter": ["a", "b", "c"]}
    )
    got = dict(zip(cells["reporter"], cells["count"], strict=True))
    assert got == {"a": 3, "b": 2, "c": 0, TOTAL: 3}


def test_count_cells_refuses_categories_outside_the_table() -> None:
    frame = pd.DataFrame({"id": [1], "year": ["2018"], "sex": ["unheard"]})
    with pytest.raises(ValueError, match="outside"):
        count_cells(frame, ("year", "sex"), {"year": ["2018"], "sex": ["female"]})
