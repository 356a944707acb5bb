"""The covariate model: the fit it claims, structural zeros, and the prior on sparse strata."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from victim_monitor.estimation import StratifiedEstimate, estimate, estimate_strata, existence
from victim_monitor.estimation import covariates as cv
from victim_monitor.estimation.histories import CaptureHistoryTable
from victim_monitor.estimation.simulate import Scenario, registered, simulate_persons

Floats = NDArray[np.float64]

SCENARIO = Scenario(
    9000,
    [0.12, 0.08, 0.15, 0.1],
    dependence={(0, 1): 0.7},
    strata={
        "year": {"2021": (0.5, 0.0), "2022": (0.5, [0.3, -0.4, 0.2, 0.0])},
        "form": {"a": (0.5, 0.2), "b": (0.3, [-0.5, 0.4, 0.0, -0.3]), "c": (0.2, -0.4)},
    },
)


@cache
def counts_and_layout() -> tuple[NDArray[np.int64], cv.Layout]:
    persons = registered(simulate_persons(SCENARIO, np.random.default_rng(8)), SCENARIO.lists)
    bits = persons[list(SCENARIO.lists)].to_numpy() @ (1 << np.arange(4))
    keys, rows = [], []
    for key, group in pd.Series(bits).groupby([persons["year"], persons["form"]]):
        keys.append(tuple(str(k) for k in key))
        rows.append(np.bincount(group.to_numpy(), minlength=16)[1:])
    layout, _ = cv.layout_of(keys, 4)
    return np.stack(rows).astype(np.int64), layout


def dense(cells: cv.Cells) -> tuple[Floats, Floats]:
    """The design over the kept cells, row by row: what the lattice computes without it."""
    d = cells.design
    rows, y = [], []
    for s in range(cells.y.shape[0]):
        for c in np.flatnonzero(cells.kept[s]):
            row = np.zeros(d.size)
            row[d.slots[s, (d.terms & c) == d.terms]] = 1.0
            rows.append(row[cells.active])
            y.append(cells.y[s, c])
    return np.array(rows), np.array(y)


def test_without_a_penalty_the_fit_is_the_poisson_glm() -> None:
    counts, layout = counts_and_layout()
    fitted = cv.fit_covariates(counts, layout, pairs=(0b11,), penalty=0)
    cells = cv.cells_of(counts, layout, (0b11,))
    cells = cv.Cells(cells.design, cells.y, cells.kept, cells.active & ~cells.design.baseline)
    x, y = dense(cells)
    glm = sm.GLM(y, x, family=sm.families.Poisson()).fit(tol=1e-12)
    n = counts.shape[0]
    assert fitted.log_dark == pytest.approx(glm.params[:n], abs=1e-6)
    assert fitted.covariance_log_dark == pytest.approx(glm.cov_params()[:n, :n], rel=1e-5)
    assert fitted.edf == pytest.approx(x.shape[1])


def test_a_penalised_fit_solves_its_penalised_score_equations() -> None:
    counts, layout = counts_and_layout()
    cells = cv.cells_of(counts, layout, (0b11,))
    fit = cells.fit((0.5, 2.0))
    x, y = dense(cells)
    ridge = np.array([0.5, 2.0, 0.0])[cells.design.covariate][cells.active]
    b = fit.coef[cells.active]
    mu = np.exp(x @ b)
    assert x.T @ (y - mu) == pytest.approx(ridge * b, abs=1e-4)  # counts in the hundreds
    information = (x.T * mu) @ x
    inverse = np.linalg.inv(information + np.diag(ridge))
    n = counts.shape[0]
    assert fit.covariance == pytest.approx(inverse[:n, :n], rel=1e-6)
    assert fit.edf == pytest.approx(np.trace(inverse @ information))


def test_dense_strata_barely_move_with_the_prior() -> None:
    counts, layout = counts_and_layout()
    free = cv.fit_covariates(counts, layout, penalty=0)
    held = cv.fit_covariates(counts, layout)
    assert held.penalties == (cv.PENALTY, cv.PENALTY)
    assert held.estimates == pytest.approx(free.estimates, rel=0.01)
    assert held.total == pytest.approx(free.total, rel=0.002)


def test_a_list_with_nobody_of_a_stratum_leaves_its_cells_out() -> None:
    # one covariate and no pairs: each stratum is its own independence model; list D has
    # nobody of stratum b, so b's estimate is the independence model on lists A-C
    rng = np.random.default_rng(2)
    counts = rng.poisson(30, size=(2, 15)).astype(np.int64)
    with_d = (np.arange(1, 16) & 0b1000) > 0
    counts[1, with_d] = 0
    zeros = cv.structural_zeros(counts, 4)
    assert zeros[1, 1:].tolist() == with_d.tolist()
    assert not zeros[0, 1:].any()
    layout, _ = cv.layout_of([("a",), ("b",)], 4)
    fitted = cv.fit_covariates(counts, layout, pairs=(), penalty=0)
    alone = estimate(
        CaptureHistoryTable(("A", "B", "C"), counts[1, :7]), method="main", sensitivity=0
    )
    assert fitted.estimates[1] == pytest.approx(alone.estimate, rel=1e-8)
    assert fitted.structural == 8


def _overlapless() -> tuple[NDArray[np.int64], cv.Layout]:
    """Stratum b: 40 persons on each of three lists, nobody on two (its MLE is infinite)."""
    rng = np.random.default_rng(4)
    a = rng.poisson([0, 300, 300, 90, 300, 90, 90, 27]).astype(np.int64)[1:]
    b = np.array([40, 40, 0, 40, 0, 0, 0], dtype=np.int64)
    layout, _ = cv.layout_of([("a",), ("b",)], 3)
    return np.stack([a, b]), layout


def test_the_prior_holds_a_stratum_whose_lists_do_not_overlap() -> None:
    counts, layout = _overlapless()
    free = cv.fit_covariates(counts, layout, pairs=(), penalty=0)
    assert free.estimates[1] > 1e6  # runs away to where Newton's method stops
    held = cv.fit_covariates(counts, layout, pairs=())
    low, high, _, _ = cv.wald_intervals(held, 1.96)
    assert held.converged
    assert 120 < held.estimates[1] < 1e5
    assert 120 <= low[1] <= held.estimates[1] <= high[1] < math.inf
    assert held.estimates[0] == pytest.approx(free.estimates[0], rel=0.01)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 4),
    st.integers(3, 4),
    st.floats(0.05, 3.0),
    st.integers(0, 2**32 - 1),
)
def test_no_estimate_is_negative_unbounded_or_outside_its_interval(
    n_strata: int, m: int, rate: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    counts = rng.poisson(rate * rng.gamma(1.0, 1.0, size=(n_strata, 2**m - 1)))
    counts[:, 0] += 1  # everyone registered on somebody's list: no empty stratum
    pooled = counts.sum(axis=0).astype(np.int64)
    assume(existence.check(pooled, m, ()) == existence.FINE)  # the lists' main effects exist
    layout, _ = cv.layout_of([(str(s),) for s in range(n_strata)], m)
    fitted = cv.fit_covariates(counts.astype(np.int64), layout, pairs=())
    low, high, t_low, t_high = cv.wald_intervals(fitted, 1.96)
    assert fitted.converged
    assert np.all(np.isfinite(fitted.estimates))
    assert np.all(fitted.observed <= low)
    assert np.all((low <= fitted.estimates) & (fitted.estimates <= high))
    assert np.all(high < math.inf)
    assert fitted.observed.sum() <= t_low <= fitted.total <= t_high < math.inf


def _persons() -> pd.DataFrame:
    counts, _ = _overlapless()
    rows = []
    for form, row in zip("ab", counts, strict=True):
        for cell, n in enumerate(row, start=1):
            rows += [(form, cell & 1, cell >> 1 & 1, cell >> 2 & 1)] * int(n)
    return pd.DataFrame(rows, columns=["form", "P", "Q", "R"])


def test_the_penalty_is_a_setting_of_the_covariate_approach_only() -> None:
    persons = _persons()
    for approach, penalty in (("stratified", 1.0), ("covariates", -1.0), ("covariates", "x")):
        found = estimate_strata(
            persons, ["P", "Q", "R"], ["form"], approach=approach, penalty=penalty
        )
        assert isinstance(found, list)
        assert found[0].code == "VM514"
    chosen = estimate_strata(persons, ["P", "Q", "R"], ["form"], approach="covariates")
    assert isinstance(chosen, StratifiedEstimate)
    assert chosen.penalties == (cv.PENALTY,)
    assert chosen.to_dict()["penalties"] == {"form": cv.PENALTY}
    assert "prior" in chosen.summary()
    by_aic = estimate_strata(
        persons, ["P", "Q", "R"], ["form"], approach="covariates", penalty="aic"
    )
    assert isinstance(by_aic, StratifiedEstimate)
    assert by_aic.penalties[0] in cv.PENALTIES
