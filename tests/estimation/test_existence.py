"""Existence and identifiability of the estimate: SparseMSE ``checkident``/``checkallmodels``.

Provenance: tests/estimation/reference/reference-estimates.csv (SparseMSE 2.0.1 rows) and the
documented examples of ``checkident`` on ``Artificial_3`` (SparseMSE manual; Chan, Silverman and
Vincent 2021, Table 2).
"""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from victim_monitor.estimation import CaptureHistoryTable, EstimationError, existence
from victim_monitor.estimation.design import margins, pair_terms, parse_terms, reduce
from victim_monitor.estimation.fit import fit_poisson
from victim_monitor.estimation.select import default_max_order, enumerate_models, fit_many

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
    found = existence.check_all_models(data.counts, data.n_lists)
    assert len(found.empty_pairs) == int(pairs.group(1))
    assert len(pair_terms(data.n_lists)) == int(pairs.group(2))
    if "NOT RUN" in row.notes:
        return  # 2**18 top-level models: SparseMSE did not finish (see the 8-list test below)
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


# Every model of the small tables; every k-th of the 5-list ones (western5 has 2,858 models
# without an estimate, 253 of them through "hidden" zeros that only the linear program finds).
EVERY = {"artificial3": 1, "korea3": 1, "kosovo4": 1, "hiv_rome4": 1, "western5": 11, "uk5": 29}


@pytest.mark.parametrize("name", sorted(EVERY))
def test_pruned_and_cached_checks_give_the_linear_programs_answers(
    tables: Tables, name: str
) -> None:
    data = tables.get(name)
    m = data.n_lists
    models = enumerate_models(m, default_max_order(m))[:: EVERY[name]]
    direct = [existence.check(data.counts, m, model) for model in models]
    assert [
        f if isinstance(f, int) else existence.FINE for f in fit_many(data.counts, m, models)
    ] == direct
    cache = existence.ExistenceCache(data.counts, m)
    assert [cache.check(model) for model in models] == direct


def test_the_cache_infers_answers_for_more_and_fewer_terms(tables: Tables) -> None:
    data = tables.get("korea3")  # nobody on c and d only: no estimate with all three pairs
    cache = existence.ExistenceCache(data.counts, 3)
    bc, bd, cd = 0b011, 0b101, 0b110
    assert cache.check((bc, bd, cd)) & existence.NO_ESTIMATE
    assert cache.check((bc, bd, cd, 0b111)) & existence.NO_ESTIMATE  # more terms: none either
    assert cache.solved == 1
    assert cache.check((bc,)) == existence.FINE
    assert cache.check(()) == existence.FINE  # fewer terms than a model with an estimate
    assert cache.solved == 2


@pytest.mark.parametrize("name", ["western5", "neworleans5", "artificial3", "kosovo4"])
def test_a_margin_nobody_has_rules_out_only_models_without_an_estimate(
    tables: Tables, name: str
) -> None:
    data = tables.get(name)
    m = data.n_lists
    zeros = existence.zero_margins(data.counts, m)
    for model in enumerate_models(m, default_max_order(m))[:400]:
        reduced = reduce(data.counts, m, model)
        in_model = np.zeros((1, 1 << m), dtype=bool)
        in_model[0, [0, *(1 << i for i in range(m)), *model]] = True
        keep = np.concatenate([[False], reduced.keep])[None, :]
        if zeros.rule_out(in_model, keep)[0]:
            assert not existence.estimate_exists(reduced), model


def test_everyone_on_one_list_also_on_another_leaves_no_estimate() -> None:
    # all 30 persons on A are on B too: with the A:B term the cells on A but not B must be
    # empty in every table with these margins, so no strictly positive table fits
    table = CaptureHistoryTable(("A", "B", "C"), np.array([0, 40, 20, 25, 0, 9, 5]))
    zeros = existence.zero_margins(table.counts, 3)
    assert 0b011 in zeros.terms.tolist()
    assert existence.check(table.counts, 3, (0b011,)) & existence.NO_ESTIMATE
    assert existence.check(table.counts, 3, ()) == existence.FINE


@pytest.mark.parametrize("name", ["neworleans8", "neworleans8_mse120"])
def test_checkallmodels_runs_on_eight_lists(tables: Tables, name: str) -> None:
    data = tables.get(name)
    found = existence.check_all_models(data.counts, 8)
    assert len(found.empty_pairs) == 18
    assert found.top_models == 1 << 18
    # the observed cells' rows span the top models' design: no cell can stop an estimate
    assert found.all_exist
    assert found.linear_programs <= 1
    rng = random.Random(13)  # spot checks by the linear program itself
    overlapping = [p for p in pair_terms(8) if p not in found.empty_pairs]
    for _ in range(25):
        chosen = tuple(p for p in found.empty_pairs if rng.random() < 0.5)
        kept = tuple(p for p in overlapping if rng.random() < 0.7)
        assert existence.check(data.counts, 8, kept + chosen) & existence.NO_ESTIMATE == 0


def test_too_many_models_to_search_is_a_coded_problem(tables: Tables) -> None:
    data = tables.get("artificial3")  # two empty pairs, and models without an estimate
    with pytest.raises(EstimationError) as caught:
        existence.check_all_models(data.counts, 3, max_top_models=2)
    assert caught.value.problem.code == "VM513"
    assert margins(data.counts, 3)[0b101] == 0


def _positive_somewhere(x: np.ndarray, y: np.ndarray, cell: int) -> bool:
    """The largest value cell ``cell`` takes in a table with these margins (one program)."""
    from scipy.optimize import linprog

    objective = -np.eye(1, x.shape[0], cell)[0]
    bounds = [(0.0, 1.0) if i == cell else (0.0, None) for i in range(x.shape[0])]
    found = linprog(objective, A_eq=x.T, b_eq=x.T @ y, bounds=bounds, method="highs")
    return bool(found.status == 0 and -found.fun > 1e-7)


@pytest.mark.parametrize(
    ("name", "model", "bounded"),
    [
        ("korea3", "all-pairs", False),  # the dark figure grows without bound
        ("artificial3", "mh-darroch", False),  # and here it goes to 0
        ("neworleans8", "mh-chao", True),  # cells on 6+ lists at 0, the dark figure finite
        ("neworleans8", "mth-chao", True),
    ],
)
def test_the_facial_set_is_every_cell_a_table_with_the_margins_can_fill(
    tables: Tables, name: str, model: str, bounded: bool
) -> None:
    from victim_monitor.estimation.rcapture import fit_closed

    data = tables.get(name)
    if model == "all-pairs":
        reduced = reduce(data.counts, data.n_lists, tuple(pair_terms(data.n_lists)))
        x, y = reduced.x, reduced.y
    else:
        fitted = fit_closed(data.counts, data.n_lists, model)
        x, y = fitted.x, fitted.y
    facial = existence.facial_cells(x, y)
    assert not facial.all()  # none of these has an estimate in the strict sense
    empty = np.flatnonzero(y == 0)
    for cell in empty[:: max(1, empty.size // 40)]:  # up to 40 of New Orleans' 240
        assert facial[cell] == _positive_somewhere(x, y, int(cell))
    assert existence.dark_figure_bounded(x, y) == bounded
