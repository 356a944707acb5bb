"""Our Newton/IRLS fits against statsmodels' GLM (Poisson family, log link)."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from victim_monitor.estimation.design import pair_terms, reduce
from victim_monitor.estimation.fit import fit_lattice, fit_poisson, subset_sums, superset_sums
from victim_monitor.estimation.select import enumerate_models

Tables = type
CASES = [
    ("uk6", ("LA:NG", "LA:PF", "NG:GP", "PF:GP", "PF:NCA", "GO:GP")),
    ("netherlands6", ("I:Z", "O:Z", "P:Z", "P:R", "O:P", "K:O", "I:K", "K:R")),
    ("uk5", ("LA:NG", "LA:PFNCA", "NG:PFNCA", "NG:GP", "PFNCA:GO", "LA:NG:PFNCA")),
    ("neworleans8", ("D:E", "A:D")),
    ("kosovo4", ("EXH:ABA", "ABA:OSCE", "OSCE:HRW")),
]


def statsmodels_fit(x: np.ndarray, y: np.ndarray) -> sm.GLM:  # type: ignore[name-defined]
    return sm.GLM(y, x, family=sm.families.Poisson()).fit(tol=1e-12)


@pytest.mark.parametrize(("name", "terms"), CASES)
def test_newton_fit_matches_statsmodels(tables: Tables, name: str, terms: tuple[str, ...]) -> None:
    from victim_monitor.estimation.design import parse_terms

    data = tables.get(name)
    reduced = reduce(data.counts, data.n_lists, parse_terms(terms, data.lists))
    ours = fit_poisson(reduced.x, reduced.y)
    theirs = statsmodels_fit(reduced.x, reduced.y)
    assert ours.converged
    assert np.allclose(ours.coef, theirs.params, rtol=1e-7, atol=1e-7)
    assert ours.loglik == pytest.approx(theirs.llf, rel=1e-10)
    assert ours.deviance == pytest.approx(theirs.deviance, rel=1e-8, abs=1e-8)
    assert np.allclose(ours.covariance(), theirs.cov_params(), rtol=1e-6)


@pytest.mark.parametrize(("name", "terms"), CASES)
def test_r_compatible_fit_reaches_the_same_point(
    tables: Tables, name: str, terms: tuple[str, ...]
) -> None:
    from victim_monitor.estimation.design import parse_terms

    data = tables.get(name)
    reduced = reduce(data.counts, data.n_lists, parse_terms(terms, data.lists))
    like_r = fit_poisson(reduced.x, reduced.y, like_r=True, max_iter=200)
    newton = fit_poisson(reduced.x, reduced.y)
    assert like_r.converged
    assert like_r.coef[0] == pytest.approx(newton.coef[0], abs=1e-5)


@pytest.mark.parametrize("name", ["uk5", "netherlands5", "neworleans5"])
def test_lattice_fits_of_many_models_match_statsmodels(tables: Tables, name: str) -> None:
    data = tables.get(name)
    m = data.n_lists
    y = np.concatenate([[0.0], data.counts])
    models = [mod for mod in enumerate_models(m, 2) if len(mod) == 3][:40]
    terms = np.array([[0, *(1 << i for i in range(m)), *mod] for mod in models])
    keep = np.ones((len(models), 1 << m), dtype=bool)
    keep[:, 0] = False
    batch = fit_lattice(terms, y[None, :], keep, m)
    for k, mod in enumerate(models):
        reduced = reduce(data.counts, m, mod)
        if reduced.neg_inf:
            continue
        theirs = statsmodels_fit(reduced.x, reduced.y)
        assert batch.coef[k, 0] == pytest.approx(theirs.params[0], abs=1e-6)
        assert batch.loglik[k] == pytest.approx(theirs.llf, rel=1e-10)


def test_lattice_transforms_are_the_design_products() -> None:
    m = 4
    rng = np.random.default_rng(1)
    a = rng.random(1 << m)
    cells = np.arange(1 << m)
    inside = (cells[:, None] & cells[None, :]) == cells[None, :]  # inside[c, s]: s within c
    assert np.allclose(subset_sums(a, m), inside @ a)
    assert np.allclose(superset_sums(a, m), inside.T @ a)
    assert len(pair_terms(m)) == 6


@pytest.mark.parametrize("name", ["mh-chao", "mh-darroch", "m0", "mth-poisson"])
def test_r_compatible_fit_on_the_distinct_rows_takes_rs_steps(
    tables: Tables, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Mh designs have a row per number of captures: the iteration runs on those few rows, and
    # must stop where the iteration over every cell stops (R's rule), at the same values
    from victim_monitor.estimation import fit
    from victim_monitor.estimation.rcapture import design

    data = tables.get("neworleans8")
    x, _ = design(name, 8)
    y = data.counts.astype(np.float64)
    grouped = fit_poisson(x, y, like_r=True, max_iter=200)
    grouping = fit._layout
    monkeypatch.setattr(fit, "_layout", lambda shape, data: grouping(shape, data, False))
    every_cell = fit_poisson(x, y, like_r=True, max_iter=200)
    assert grouped.iterations == every_cell.iterations
    assert np.allclose(grouped.coef, every_cell.coef, rtol=1e-9, atol=1e-9)
    assert grouped.deviance == pytest.approx(every_cell.deviance, rel=1e-12)
    assert np.allclose(grouped.information, every_cell.information, rtol=1e-10)
