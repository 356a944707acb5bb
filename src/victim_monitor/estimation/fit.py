"""Poisson log-linear fits by Newton's method (IRLS), one model or thousands at once.

The log link is canonical for the Poisson family, so Newton's method and R's IRLS are the same
iteration; we start as R's ``glm`` does (from ``mu = y + 0.1``) and halve a step that lowers
the likelihood. Tests check every fit against statsmodels' GLM. The batched fit runs many
models (or many bootstrap tables) of the same shape together; a model with fewer parameters
is padded with zero columns whose coefficient is pinned at zero.

A converged fit whose fitted values are all clearly positive is itself proof that the maximum
likelihood estimate exists (its fitted values are a strictly positive table with the observed
margins, the Fienberg-Rinaldo condition); fits that are not are handed to the linear program
in :mod:`victim_monitor.estimation.existence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import lapack
from scipy.special import gammaln, xlogy

Floats = NDArray[np.float64]

MAX_ETA = 700.0
CERTAIN_MOVE = 1e-4
"""A converged fit whose last Newton step moves no log fitted value by more than this is at an
interior maximum: the estimate exists. Where it does not, the step keeps pushing the fitted
values of some empty cells towards zero by about one unit of log per iteration."""


@dataclass(frozen=True, eq=False)
class PoissonFit:
    """One fitted model: coefficients (intercept first), fitted values, log-likelihood."""

    coef: Floats
    mu: Floats
    loglik: float
    deviance: float
    converged: bool
    iterations: int
    information: Floats
    rank_deficient: bool

    last_move: float = np.inf

    @property
    def certain(self) -> bool:
        """Converged inside the parameter space: the estimate certainly exists."""
        return self.converged and not self.rank_deficient and self.last_move < CERTAIN_MOVE

    def covariance(self) -> Floats:
        """Inverse Fisher information (R's ``summary(glm)$cov.unscaled``)."""
        return np.asarray(np.linalg.pinv(self.information), dtype=np.float64)


def poisson_loglik(y: Floats, mu: Floats) -> float:
    """Full Poisson log-likelihood, constants included (as R's ``logLik`` and AIC use)."""
    return float(np.sum(xlogy(y, mu) - mu - gammaln(y + 1.0)))


def poisson_deviance(y: Floats, mu: Floats) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(2.0 * np.sum(xlogy(y, y) - xlogy(y, mu) - (y - mu)))


def _start(x: Floats, y: Floats) -> Floats:
    """R's glm start: one weighted least-squares step from ``mu = y + 0.1``."""
    mu = y + 0.1
    z = np.log(mu) + (y - mu) / mu
    xw = x * mu[:, None]
    coef, *_ = np.linalg.lstsq(xw.T @ x, xw.T @ z, rcond=None)
    return np.asarray(coef, dtype=np.float64)


def dark_figure(intercept: float) -> float:
    """``exp(intercept)``, capped instead of overflowing."""
    return float(np.exp(min(intercept, MAX_ETA)))


def fit_poisson(
    x: Floats,
    y: Floats,
    start: Floats | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 60,
    like_r: bool = False,
    check_rank: bool = True,
) -> PoissonFit:
    """Maximum likelihood fit of ``log E[y] = x @ coef``.

    ``like_r`` repeats R's ``glm.fit`` exactly: full IRLS steps and its stopping rule
    ``|dev - dev_old| / (|dev| + 0.1) < 1e-8`` (at most ``max_iter`` steps). Where the estimate
    does not exist R stops somewhere along the way to infinity, and Rcapture's answer depends
    on where; only this mode reproduces it.
    """
    if like_r:
        return _fit_like_r(x, y, start, max_iter)
    coef = _start(x, y) if start is None else np.array(start, dtype=np.float64)
    eta = np.minimum(x @ coef, MAX_ETA)
    mu = np.exp(eta)
    ll = float(y @ eta - mu.sum())
    converged = False
    rank_deficient = False
    info = (x.T * mu) @ x
    iterations = 0
    last_move = np.inf
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported below
        score = x.T @ (y - mu)
        try:
            step = np.linalg.solve(info, score)
        except np.linalg.LinAlgError:
            rank_deficient = True
            step = np.linalg.lstsq(info, score, rcond=None)[0]
        decrement = float(score @ step)
        if not np.isfinite(decrement):
            break
        if decrement < tol:
            converged = True
            last_move = float(np.max(np.abs(x @ step), initial=0.0))
            break
        for _ in range(40):
            new = coef + step
            eta_new = np.minimum(x @ new, MAX_ETA)
            mu_new = np.exp(eta_new)
            ll_new = float(y @ eta_new - mu_new.sum())
            if ll_new >= ll - 1e-12 * abs(ll):
                break
            step *= 0.5
        coef, mu, ll = new, mu_new, ll_new
        info = (x.T * mu) @ x
    if check_rank and not rank_deficient:
        rank_deficient = bool(np.linalg.matrix_rank(x) < x.shape[1])
    return PoissonFit(
        coef=coef,
        mu=mu,
        loglik=poisson_loglik(y, mu),
        deviance=poisson_deviance(y, mu),
        converged=converged,
        iterations=iterations,
        information=info,
        rank_deficient=rank_deficient,
        last_move=last_move,
    )


def _fit_like_r(x: Floats, y: Floats, start: Floats | None, max_iter: int) -> PoissonFit:
    # Cells with the same design row share their fitted value, so the iteration runs on the
    # distinct rows (9 instead of 256 for Rcapture's Mh models on 8 lists), weighted by how
    # many cells share each: the same steps, summed in another order.
    layout = _layout(x.shape, x.tobytes())
    rows, row_of, shared = layout.rows, layout.row_of, layout.shared

    def by_row(values: Floats) -> Floats:
        return np.bincount(row_of, weights=values, minlength=rows.shape[0]).astype(np.float64)

    y_row = by_row(y)
    weight: Floats
    response: Floats
    if start is None:  # R's start, mu = y + 0.1, differs between cells of a row
        mu_cells = y + 0.1
        weight = by_row(mu_cells)
        response = by_row(mu_cells * (np.log(mu_cells) - 1.0) + y)
        coef = np.zeros(x.shape[1])
    else:
        coef = np.array(start, dtype=np.float64)
        eta = np.minimum(rows @ coef, MAX_ETA)
        mu_cells = np.exp(eta)[row_of]
        weight = shared * np.exp(eta)
        response = weight * (eta - 1.0) + y_row
    # the deviance, computed each step for R's stopping rule: its constant part once
    y_log_y, y_total = float(np.sum(xlogy(y, y))), float(y.sum())
    dev_old = poisson_deviance(y, mu_cells)
    rows_t, products, n_par = layout.rows_t, layout.products, x.shape[1]
    grouped = rows.shape[0] < x.shape[0]
    converged = well_conditioned = False
    iterations = 0
    info = np.zeros((n_par, n_par))
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported below
        info = (products @ weight).reshape(n_par, n_par)  # X'WX; R's summary.glm: last weights
        # X'W z with the working response z = eta + (y - mu) / mu
        coef, well_conditioned = _normal_solve(info, rows_t @ response)
        eta = np.minimum(rows @ coef, MAX_ETA)
        weight = np.exp(eta)
        if grouped:
            weight *= shared
        response = weight * (eta - 1.0) + y_row
        dev = 2.0 * (y_log_y - float(y_row @ eta) - y_total + float(weight.sum()))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-8:
            converged = True
            break
        dev_old = dev
    mu = np.exp(np.minimum(x @ coef, MAX_ETA))
    return PoissonFit(
        coef=coef,
        mu=mu,
        loglik=poisson_loglik(y, mu),
        deviance=poisson_deviance(y, mu),
        converged=converged,
        iterations=iterations,
        information=info,
        # a well-conditioned X'WX (W > 0) needs no rank computation of X
        rank_deficient=not well_conditioned and _rank_deficient(x.shape, x.tobytes()),
    )


@lru_cache(maxsize=64)
def _rank_deficient(shape: tuple[int, ...], data: bytes) -> bool:
    """Is the design rank deficient? Kept for the designs met again and again (Rcapture's
    profile likelihood refits the same few designs some 200 times)."""
    x = np.frombuffer(data, dtype=np.float64).reshape(shape)
    return bool(np.linalg.matrix_rank(x) < shape[1])


@dataclass(frozen=True, eq=False)
class _Layout:
    """What the R-like iteration needs of a design, made once per design."""

    rows: Floats
    """The distinct rows (``x`` itself where all differ)."""
    row_of: NDArray[np.intp]
    shared: Floats
    """How many cells share each row."""
    rows_t: Floats
    products: Floats
    """``products[i * p + j, r] = rows[r, i] * rows[r, j]``: ``X'WX`` is one product with W."""


@lru_cache(maxsize=16)
def _layout(shape: tuple[int, ...], data: bytes, group: bool = True) -> _Layout:
    """A design's layout, kept for the designs met again and again (Rcapture's profile
    likelihood refits the same few designs some 200 times)."""
    x = np.frombuffer(data, dtype=np.float64).reshape(shape)
    probe = np.sqrt(np.arange(2.0, x.shape[1] + 2.0))  # keys rows; equality checked below
    _, first, row_of = np.unique(x @ probe, return_index=True, return_inverse=True)
    rows = x[first]
    if not group or first.size == x.shape[0] or not np.array_equal(rows[row_of], x):
        rows, row_of = x.copy(), np.arange(x.shape[0])
    shared = np.bincount(row_of, minlength=rows.shape[0]).astype(np.float64)
    products = np.einsum("ri,rj->ijr", rows, rows).reshape(-1, rows.shape[0])
    return _Layout(rows, row_of, shared, np.ascontiguousarray(rows.T), products)


def _normal_solve(info: Floats, rhs: Floats) -> tuple[Floats, bool]:
    """The IRLS step from the normal equations, and whether they were well conditioned.

    Cholesky (LAPACK ``dposv``, microseconds) where ``info`` is well conditioned, else least
    squares as before, which also copes with aliased columns (a rank-deficient design, or
    weights collapsing where the estimate does not exist).
    """
    factor, solution, failed = lapack.dposv(info, rhs)
    if not failed:
        # the Cholesky factor's (positive) diagonal bounds the conditioning from below: cheap,
        # and enough to choose between two solvers that agree where it is good
        diagonal = factor.diagonal()
        if diagonal.min() > 1e-7 * diagonal.max():
            return solution, True
    return np.asarray(np.linalg.lstsq(info, rhs, rcond=None)[0], dtype=np.float64), False


@dataclass(frozen=True, eq=False)
class BatchFit:
    """Many fits at once: row ``b`` of every array belongs to problem ``b``."""

    coef: Floats
    eta: Floats
    loglik: Floats
    converged: NDArray[np.bool_]
    certain: NDArray[np.bool_]


def subset_sums(a: Floats, m: int) -> Floats:
    """``out[..., c] = sum of a[..., s] over s contained in c`` (in place on a copy)."""
    out = np.array(a, dtype=np.float64)
    lead = out.shape[:-1]
    for i in range(m):
        view = out.reshape(*lead, -1, 2, 1 << i)
        view[..., 1, :] += view[..., 0, :]
    return out


def superset_sums(a: Floats, m: int) -> Floats:
    """``out[..., s] = sum of a[..., c] over c containing s``: every margin of a table."""
    out = np.array(a, dtype=np.float64)
    lead = out.shape[:-1]
    for i in range(m):
        view = out.reshape(*lead, -1, 2, 1 << i)
        view[..., 0, :] += view[..., 1, :]
    return out


def fit_lattice(
    terms: NDArray[np.int64],
    y: Floats,
    keep: NDArray[np.bool_],
    m: int,
    start: Floats | None = None,
    *,
    tol: float = 1e-10,
    max_iter: int = 60,
) -> BatchFit:
    """Fit ``B`` hierarchical models of ``P`` parameters each on the ``2**m`` lattice.

    ``terms`` (B, P) are the parameters' bit masks (0 is the intercept), ``y`` (B, 2**m) the
    cell counts and ``keep`` (B, 2**m) the cells in each fit (never cell 0). With 0/1 design
    columns ``x_t(c) = [t subset of c]``, the linear predictor is a subset sum of the
    coefficients and ``X'WX[s, t]`` is the margin of ``W`` at ``s | t``, so an iteration costs
    ``O(m 2**m + P**3)`` per model instead of dense products.
    """
    n_batch, n_par = terms.shape
    size = 1 << m
    w = keep.astype(np.float64)
    y = np.broadcast_to(y, w.shape) * w
    pair = (terms[:, :, None] | terms[:, None, :]).reshape(n_batch, -1)

    def offsets(n: int) -> NDArray[np.int64]:
        return (np.arange(n) * size)[:, None]

    def predictor(term_at: NDArray[np.int64], coef: Floats) -> Floats:
        lattice = np.zeros((coef.shape[0], size))
        lattice.flat[term_at] = coef
        return np.minimum(subset_sums(lattice, m), MAX_ETA)

    term_at, pair_at = terms + offsets(n_batch), pair + offsets(n_batch)
    y_margins = np.take(superset_sums(y, m), term_at)
    if start is None:
        # R's start: one weighted least-squares step from mu = y + 0.1.
        mu0 = (y + 0.1) * w
        z = np.where(keep, np.log(y + 0.1) + y / (y + 0.1) - 1.0, 0.0)
        rhs = np.take(superset_sums(mu0 * z, m), term_at)
        info0 = np.take(superset_sums(mu0, m), pair_at).reshape(n_batch, n_par, n_par)
        coef = _solve(info0, rhs)
    else:
        coef = np.array(start, dtype=np.float64)
    eta = predictor(term_at, coef)
    mu = np.exp(eta) * w
    ll = np.sum(y * eta - mu, axis=1)
    converged = np.zeros(n_batch, dtype=bool)
    certain = np.zeros(n_batch, dtype=bool)
    active = np.arange(n_batch)
    # State of the active problems, compacted whenever some of them finish.
    a_coef, a_eta, a_mu, a_ll = coef, eta, mu, ll
    a_y, a_w, a_ym = y, w, y_margins
    for _ in range(max_iter):
        margins = superset_sums(a_mu, m)
        score = a_ym - np.take(margins, term_at)
        info = np.take(margins, pair_at).reshape(-1, n_par, n_par)
        step = _solve(info, score)
        decrement = np.einsum("bp,bp->b", score, step)
        done = ~(decrement >= tol)
        if done.any():
            fin = active[done]
            move = np.abs(predictor(terms[fin] + offsets(fin.size), step[done])) * a_w[done]
            converged[fin] = np.isfinite(decrement[done])
            certain[fin] = converged[fin] & (move.max(axis=1) < CERTAIN_MOVE)
            coef[fin], eta[fin], mu[fin], ll[fin] = (
                a_coef[done],
                a_eta[done],
                a_mu[done],
                a_ll[done],
            )
            go = ~done
            active, step = active[go], step[go]
            if active.size == 0:
                break
            a_coef, a_eta, a_mu, a_ll = a_coef[go], a_eta[go], a_mu[go], a_ll[go]
            a_y, a_w, a_ym = a_y[go], a_w[go], a_ym[go]
            term_at = terms[active] + offsets(active.size)
            pair_at = pair[active] + offsets(active.size)
        scale = np.ones(active.size)
        for _ in range(40):
            new = a_coef + step * scale[:, None]
            eta_new = predictor(term_at, new)
            mu_new = np.exp(eta_new) * a_w
            ll_new = np.sum(a_y * eta_new - mu_new, axis=1)
            worse = ll_new < a_ll - 1e-12 * np.abs(a_ll)
            if not worse.any():
                break
            scale = np.where(worse, scale * 0.5, scale)
        a_coef, a_eta, a_mu, a_ll = new, eta_new, mu_new, ll_new
    else:
        coef[active], eta[active], mu[active], ll[active] = a_coef, a_eta, a_mu, a_ll
    loglik = np.sum(xlogy(y, np.where(keep, mu, 1.0)) - mu - gammaln(y + 1.0) * w, axis=1)
    return BatchFit(coef=coef, eta=eta, loglik=loglik, converged=converged, certain=certain)


def _solve(a: Floats, b: Floats) -> Floats:
    """Solve a stack of systems; a singular one gets a least-squares step instead."""
    try:
        return np.asarray(np.linalg.solve(a, b[..., None])[..., 0], dtype=np.float64)
    except np.linalg.LinAlgError:
        out = np.empty_like(b)
        for i in range(a.shape[0]):
            out[i] = np.linalg.lstsq(a[i], b[i], rcond=None)[0]
        return out
