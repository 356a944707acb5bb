"""Tables and table sets: margins, shared cells, relations, and coded problems."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.disclosure.conftest import grid
from victim_monitor.disclosure import TOTAL, CellRef, DisclosureError, Equation, Table, TableSet


def test_margins_are_computed_and_every_cell_is_listed() -> None:
    table = grid("t", [[1, 2], [3, 4]])
    assert table.categories == (("r0", "r1", TOTAL), ("c0", "c1", TOTAL))
    assert table.counts[("r0", TOTAL)] == 3
    assert table.counts[(TOTAL, "c1")] == 6
    assert table.counts[(TOTAL, TOTAL)] == 10
    assert len(table.cell_keys()) == 9


def test_a_dataframe_with_a_count_column_is_accepted_and_missing_cells_are_zero() -> None:
    frame = pd.DataFrame({"year": [2017, 2018], "form": ["labour", "criminal"], "count": [4, 5]})
    table = Table("t", ("year", "form"), frame)
    assert table.counts[("2017", "criminal")] == 0
    assert table.counts[("2018", TOTAL)] == 5


def test_partial_margins_keep_years_apart() -> None:
    counts = {("2017", "a"): 1, ("2017", "b"): 2, ("2018", "a"): 3, ("2018", "b"): 4}
    table = Table("t", ("year", "form"), counts, margins=("form",))
    assert table.categories[0] == ("2017", "2018")
    assert table.counts[("2018", TOTAL)] == 7
    assert (TOTAL, "a") not in table.counts


def test_given_totals_are_checked() -> None:
    counts = {("a",): 1, ("b",): 2, (TOTAL,): 4}
    with pytest.raises(DisclosureError) as caught:
        Table("t", ("x",), counts)
    assert [p.code for p in caught.value.problems] == ["VM712"]


@pytest.mark.parametrize(
    "counts",
    [{("a",): -1}, {("a",): 1.5}, {("a", "b"): 1}, {("a",): True}],
)
def test_bad_counts_are_vm710(counts: dict[tuple[str, ...], object]) -> None:
    with pytest.raises(DisclosureError) as caught:
        Table("t", ("x",), counts)  # type: ignore[arg-type]
    assert {p.code for p in caught.value.problems} == {"VM710"}


def test_undeclared_categories_are_vm710() -> None:
    with pytest.raises(DisclosureError) as caught:
        Table("t", ("x",), {("a",): 1, ("z",): 2}, categories={"x": ["a", "b"]})
    assert caught.value.problems[0].code == "VM710"


def test_a_total_over_an_overlapping_dimension_must_be_given() -> None:
    with pytest.raises(DisclosureError):
        Table("t", ("reporter",), {("police",): 3, ("care",): 2}, overlapping=("reporter",))
    table = Table(
        "t",
        ("reporter",),
        {("police",): 3, ("care",): 2, (TOTAL,): 4},
        overlapping=("reporter",),
    )
    sums, overlaps = table.relations()
    assert sums == []
    assert overlaps == [((TOTAL,), [("police",), ("care",)])]


def test_an_overlapping_total_must_lie_between_its_largest_part_and_their_sum() -> None:
    for total in (2, 6):
        table = Table(
            "t",
            ("reporter",),
            {("police",): 3, ("care",): 2, (TOTAL,): total},
            overlapping=("reporter",),
        )
        with pytest.raises(DisclosureError) as caught:
            TableSet((table,))
        assert caught.value.problems[0].code == "VM712"


def test_tables_share_the_cells_that_count_the_same_group() -> None:
    by_form = grid("by_form", [[3, 4], [5, 6]], ("year", "form"))
    by_year = Table("by_year", ("year",), {("y0",): 7, ("y1",): 11})
    tables = TableSet((by_form, by_year))
    # 9 cells of by_form; the year table adds nothing new (its 3 cells are by_form's totals)
    assert len(tables.values) == 9
    shared = tables.index[by_form.identity(("y1", TOTAL))]
    assert shared == tables.index[by_year.identity(("y1",))]
    refs = tables.refs()[shared]
    assert refs == [CellRef("by_form", ("y1", TOTAL)), CellRef("by_year", ("y1",))]


def test_tables_that_disagree_on_a_shared_cell_are_vm711() -> None:
    by_form = grid("by_form", [[3, 4], [5, 6]], ("year", "form"))
    by_year = Table("by_year", ("year",), {("y0",): 7, ("y1",): 12})
    with pytest.raises(DisclosureError) as caught:
        TableSet((by_form, by_year))
    assert {p.code for p in caught.value.problems} == {"VM711"}


def test_measures_and_fixed_coordinates_keep_groups_apart() -> None:
    persons = Table("persons", ("age",), {("minor",): 5, ("adult",): 5})
    reports = Table("reports", ("age",), {("minor",): 5, ("adult",): 7}, measure="reports")
    domestic = Table("domestic", ("age",), {("minor",): 2, ("adult",): 1}, fixed={"form": "d"})
    tables = TableSet((persons, reports, domestic))
    assert len(tables.values) == 9


def test_groupings_relate_categories_of_different_tables() -> None:
    fine = Table("fine", ("age",), {("minor",): 2, ("adolescent",): 3, ("older",): 4})
    coarse = Table("coarse", ("age",), {("minor",): 2, ("adult",): 7})
    tables = TableSet((fine, coarse), groupings={"age": {"adult": ["adolescent", "older"]}})
    adult = tables.index[coarse.identity(("adult",))]
    rows = tables.sums.toarray()
    grouped = [r for r in rows if r[adult] == 1 and r.sum() == -1]
    assert len(grouped) == 1
    with pytest.raises(DisclosureError):
        TableSet(
            (fine, Table("bad", ("age",), {("minor",): 2, ("adult",): 8})),
            groupings={"age": {"adult": ["adolescent", "older"]}},
        )


def test_explicit_equations_are_relations_too() -> None:
    a = Table("a", ("x",), {("p",): 2, ("q",): 3}, margins=False)
    b = Table("b", ("y",), {("s",): 5}, margins=False)
    eq = Equation(CellRef("b", ("s",)), (CellRef("a", ("p",)), CellRef("a", ("q",))))
    tables = TableSet((a, b), equations=(eq,))
    assert tables.sums.shape[0] == 1
    assert np.array_equal(tables.sums @ tables.values, [0])
    with pytest.raises(DisclosureError):
        TableSet((a, b), equations=(Equation(CellRef("b", ("s",)), (CellRef("a", ("p",)),)),))
    with pytest.raises(DisclosureError):
        TableSet((a, b), equations=(Equation(CellRef("b", ("zz",)), ()),))


def test_two_tables_may_not_have_the_same_name() -> None:
    with pytest.raises(DisclosureError):
        TableSet((grid("t", [[1]]), grid("t", [[1]])))
