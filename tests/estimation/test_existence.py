"""Existence and identifiability of the estimate: SparseMSE ``checkident``/``checkallmodels``.

Provenance: tests/estimation/reference/reference-estimates.csv (SparseMSE 2.0.1 rows) and the
documented examples of ``checkident`` on ``Artificial_3`` (SparseMSE manual; Chan, Silverman and
Vincent 2021, Table 2).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from victim_monitor.estimation import existence
from victim_monitor.estimation.design import pair_terms, parse_terms, reduce
from victim_monitor.estimation.fit import fit_poisson
from victim_monitor.estimation.select import enumerate_models

Tables = type


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        (("A:B", "A:C", "B:C"), existence.NOT_IDENTIFIABLE),
        (("A:B",), existence.NO_ESTIMATE),
        (("A:C", "B:C"), existence.FINE),
        ((), existence.FINE),
    ],
)
def test_artificial_table_examples_of_checkident(
    tables: Tables, terms: tuple[str, ...], code: int
) -> None:
    data = tables.get("artificial3")
    assert existence.check(data.counts, 3, parse_terms(terms, data.lists)) == code


@pytest.mark.reference(software="SparseMSE", method=r"^checkident", with_estimate=False)
def test_checkident_rows(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    data = tables.get(row.dataset)
    model = tuple(pair_terms(data.n_lists)) if row.settings == "mX=0" else ()
    assert existence.check(data.counts, data.n_lists, model) == int(row.model.removeprefix("ierr="))


@pytest.mark.reference(software="SparseMSE", method=r"^checkallmodels", with_estimate=False)
def test_checkallmodels_rows(tables: Tables, row) -> None:  # type: ignore[no-untyped-def]
    data = tables.get(row.dataset)
    pairs = re.search(r"non-overlapping pairs=(\d+) of (\d+)", row.model)
    assert pairs
    names = re.search(r"empty pairs: ([\w: ]+?)(?: \|\||$)", row.notes)
    assert names
    assert [f"{a}:{b}" for a, b in data.empty_pairs()] == names.group(1).split()
    if "NOT RUN" in row.notes:
        return  # 2**18 top-level models: SparseMSE did not finish either
    found = existence.check_all_models(data.counts, data.n_lists)
    assert len(found.empty_pairs) == int(pairs.group(1))
    assert len(pair_terms(data.n_lists)) == int(pairs.group(2))
    assert len(found.failing) == int(re.search(r"without extended MLE=(\d+)", row.model).group(1))  # type: ignore[union-attr]


def test_check_all_models_finds_the_failing_artificial_models(tables: Tables) -> None:
    data = tables.get("artificial3")
    found = existence.check_all_models(data.counts, 3)
    assert not found.full_model_identifiable
    failing = {tuple(sorted(parse_terms_back(m, data.lists))) for m in found.failing}
    assert ("A:B",) in failing


def parse_terms_back(model: tuple[int, ...], lists: tuple[str, ...]) -> list[str]:
    return [":".join(lists[i] for i in range(len(lists)) if t >> i & 1) for t in model]


@pytest.mark.parametrize("name", ["uk5", "neworleans5", "artificial3", "kosovo4"])
def test_fast_identifiability_agrees_with_the_rank(tables: Tables, name: str) -> None:
    data = tables.get(name)
    m = data.n_lists
    for model in enumerate_models(m, min(3, m - 1))[:300]:
        reduced = reduce(data.counts, m, model)
        rank = np.linalg.matrix_rank(reduced.x) == reduced.x.shape[1]
        assert existence.identifiable(reduced) == rank


@pytest.mark.parametrize("name", ["neworleans5", "artificial3", "western5", "korea3"])
def test_a_fit_vouches_for_existence_only_when_the_lp_agrees(tables: Tables, name: str) -> None:
    data = tables.get(name)
    m = data.n_lists
    for model in enumerate_models(m, min(3, m - 1))[:400]:
        reduced = reduce(data.counts, m, model)
        fit = fit_poisson(reduced.x, reduced.y)
        if fit.certain and existence.identifiable(reduced):
            assert existence.estimate_exists(reduced), model
