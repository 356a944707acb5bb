"""Exhaustive model selection by AIC or BIC over hierarchical models.

Exhaustive (MultipleSystemsEstimation ``estimate_population_bic``; Rcapture ``closedpMS.t``):
fit every hierarchical model up to an interaction order, drop those without a finite
identifiable estimate, rank by BIC = k log(n) - 2 log L (n persons observed, k parameters
counting those at minus infinity) or AIC = 2k - 2 log L.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from math import log

import numpy as np
from numpy.typing import NDArray

from victim_monitor.estimation import existence
from victim_monitor.estimation.design import (
    MAX_ENUMERATED,
    Model,
    hierarchical_models,
    order,
    pair_terms,
)
from victim_monitor.estimation.existence import zero_margins
from victim_monitor.estimation.fit import (
    fit_lattice,
    subset_sums,
    superset_sums,
)
from victim_monitor.processes import forked_pool

Counts = NDArray[np.int64]

PARALLEL_MODELS = 16_384
"""Searches this large go to worker processes: the 32,768 two-way models of 6 lists (2-4 s of
fitting). The 6,212 models of 5 lists take 0.3 s in one process and 0.9 s split in two,
starting the processes and sending the results back costing more than the fits."""


@dataclass(frozen=True)
class RankedModel:
    """One model of an exhaustive search, with its estimate and criteria."""

    model: Model
    estimate: float
    loglik: float
    n_params: int
    bic: float
    aic: float
    neg_inf: tuple[int, ...]


@dataclass(frozen=True)
class Ranking:
    """Models with a finite identifiable estimate, best first, and how many were dropped."""

    criterion: str
    models: tuple[RankedModel, ...]
    no_estimate: int
    not_identifiable: int

    @property
    def best(self) -> RankedModel:
        return self.models[0]


def default_max_order(m: int) -> int:
    """MultipleSystemsEstimation's default: 1, 2, 3, 3, 2 interaction order for 2-6 lists."""
    return {2: 1, 3: 2, 4: 3, 5: 3}.get(m, 2)


def enumerate_models(m: int, max_order: int) -> list[Model]:
    models: list[Model] = []
    for model in hierarchical_models(m, max_order):
        models.append(model)
        if len(models) > MAX_ENUMERATED:
            raise ValueError(
                f"more than {MAX_ENUMERATED} models for {m} lists and order "
                f"{max_order}; use stepwise selection"
            )
    return models


def rank_models(
    counts: Counts,
    m: int,
    models: Sequence[Model],
    criterion: str = "bic",
    *,
    workers: int | None = 1,
) -> Ranking:
    """Fit ``models`` together on one table and rank the valid ones by ``criterion``.

    More than :data:`PARALLEL_MODELS` models are split over ``workers`` processes (None: the
    default, two).
    """
    n_workers = default_workers() if workers is None else workers
    if n_workers > 1 and len(models) > PARALLEL_MODELS:
        parts = [list(p) for p in np.array_split(np.arange(len(models)), n_workers)]
        chunks = [[models[i] for i in part] for part in parts]
        with forked_pool(n_workers) as pool:
            fits = [
                f
                for part in pool.map(fit_many, [counts] * n_workers, [m] * n_workers, chunks)
                for f in part
            ]
    else:
        fits = fit_many(counts, m, models)
    ranked = [f for f in fits if isinstance(f, RankedModel)]
    no_estimate = sum(1 for f in fits if isinstance(f, int) and f & existence.NO_ESTIMATE)
    not_ident = sum(1 for f in fits if isinstance(f, int) and f & existence.NOT_IDENTIFIABLE)
    key = (lambda r: r.bic) if criterion == "bic" else (lambda r: r.aic)
    ranked.sort(key=key)  # stable: ties keep enumeration order
    return Ranking(criterion, tuple(ranked), no_estimate, not_ident)


def fit_many(
    counts: Counts, m: int, models: Sequence[Model], *, chunk: int = 4096
) -> list[RankedModel | int]:
    """Batched fits of many models on one table: a RankedModel, or the existence code.

    Each model is reduced to its kept cells and finite terms; models that share that problem
    (they differ only in terms at minus infinity over cells already left out) are fitted once.
    A problem whose margins rule the estimate out (:class:`existence.ZeroMargins`) is not
    fitted at all. The rest are grouped by their number of finite parameters and fitted
    together on the subset lattice (:func:`fit_lattice`); a fit that does not vouch for its
    own existence goes to the linear program, through :class:`existence.ExistenceCache`.
    """
    problems = _Problems.of(counts, m, models)
    code, loglik, estimate = _fit_problems(counts, m, problems, chunk)
    log_n = log(int(counts.sum()))
    out: list[RankedModel | int] = []
    for model, g in zip(models, problems.which.tolist(), strict=True):
        if code[g] != existence.FINE:
            out.append(int(code[g]))
            continue
        k = 1 + m + len(model)
        ll = float(loglik[g])
        out.append(
            RankedModel(
                model=model,
                estimate=float(estimate[g]),
                loglik=ll,
                n_params=k,
                bic=k * log_n - 2 * ll,
                aic=2 * k - 2 * ll,
                neg_inf=tuple(t for t in model if t in problems.empty) if problems.empty else (),
            )
        )
    return out


@dataclass(frozen=True, eq=False)
class _Problems:
    """The distinct reduced problems of many models: ``which[b]`` is model ``b``'s."""

    terms: NDArray[np.int64]
    """Every term of the models (intercept 0 and main effects first): columns of ``finite``."""
    finite: NDArray[np.bool_]
    keep: NDArray[np.bool_]
    """Lattice cells each problem keeps (never cell 0)."""
    ruled_out: NDArray[np.bool_]
    which: NDArray[np.intp]
    empty: frozenset[int]
    """Terms nobody is counted under (at minus infinity)."""

    @classmethod
    def of(cls, counts: Counts, m: int, models: Sequence[Model]) -> _Problems:
        size = 1 << m
        margins = superset_sums(np.concatenate([[0.0], counts.astype(np.float64)]), m)
        terms = np.array(
            [0, *(1 << i for i in range(m)), *sorted({t for mod in models for t in mod})],
            dtype=np.int64,
        )
        column = {int(t): i for i, t in enumerate(terms)}
        member = np.zeros((len(models), terms.size), dtype=bool)
        member[:, : 1 + m] = True
        rows = np.repeat(np.arange(len(models)), [len(mod) for mod in models])
        member[rows, [column[t] for mod in models for t in mod]] = True
        finite_col = margins[terms] > 0
        finite_col[0] = True
        gone = terms[~finite_col]
        under = (np.arange(size)[None, :] & gone[:, None]) == gone[:, None]
        removed = (member[:, ~finite_col].astype(np.int64) @ under.astype(np.int64)) > 0
        removed[:, 0] = True
        finite = member & finite_col
        packed = np.ascontiguousarray(np.packbits(np.concatenate([removed, finite], 1), axis=1))
        keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
        _, first, which = np.unique(keys, return_index=True, return_inverse=True)
        # a zero margin of any model rules out the reduced problem they share
        in_model = np.zeros((len(models), size), dtype=bool)
        in_model[:, terms] = member
        zeros = zero_margins(counts, m).restrict(terms).rule_out(in_model, ~removed)
        ruled_out = np.zeros(first.size, dtype=bool)
        np.logical_or.at(ruled_out, which, zeros)
        empty = frozenset(int(t) for t in gone)
        return cls(terms, finite[first], ~removed[first], ruled_out, which.ravel(), empty)


def _fit_problems(
    counts: Counts, m: int, problems: _Problems, chunk: int
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Existence code, log-likelihood and estimate of each reduced problem."""
    n_problems = problems.finite.shape[0]
    lattice_y = np.concatenate([[0.0], counts.astype(np.float64)])
    code = np.zeros(n_problems, dtype=np.int64)
    loglik = np.full(n_problems, np.nan)
    estimate = np.full(n_problems, np.nan)
    cache = existence.ExistenceCache(counts, m)
    n_finite = problems.finite.sum(axis=1)
    for size_ in np.unique(n_finite):
        group = np.flatnonzero(n_finite == size_)
        terms = problems.terms[np.nonzero(problems.finite[group])[1]].reshape(group.size, -1)
        keep = problems.keep[group]
        ident = identifiable_lattice(terms, keep, m)
        not_ident = np.where(ident, 0, existence.NOT_IDENTIFIABLE)
        ruled_out = problems.ruled_out[group]
        code[group] = np.where(ruled_out, existence.NO_ESTIMATE + not_ident, 0)
        todo = np.flatnonzero(~ruled_out)
        for part in (todo[lo : lo + chunk] for lo in range(0, todo.size, chunk)):
            res = fit_lattice(terms[part], lattice_y[None, :], keep[part], m)
            loglik[group[part]] = res.loglik
            estimate[group[part]] = counts.sum() + np.exp(np.minimum(res.coef[:, 0], 700.0))
            for i in part[~(res.certain & ident[part])]:
                exists = cache.exists(keep[i, 1:], terms[i, 1:].tolist())
                code[group[i]] = (0 if exists else existence.NO_ESTIMATE) + not_ident[i]
    return code, loglik, estimate


def identifiable_lattice(
    terms: NDArray[np.int64], keep: NDArray[np.bool_], m: int
) -> NDArray[np.bool_]:
    """Full rank of each reduced hierarchical design, without a decomposition.

    For a hierarchical model the only possible null vector of the reduced design puts
    ``(-1)**|t|`` on each finite term t; it vanishes on every kept cell exactly when the design
    is rank deficient (a triangular argument over the subset order).
    """
    signs = np.where(np.bitwise_count(terms.astype(np.uint64)) % 2 == 1, -1.0, 1.0)
    lattice = np.zeros(keep.shape)
    np.put_along_axis(lattice, terms, signs, axis=1)
    f = subset_sums(lattice, m)
    return np.asarray(np.any((np.abs(f) > 0.5) & keep, axis=1))


def top_model_estimates(
    tables: Counts, m: int, models: Sequence[Model], criterion: str = "bic", *, chunk: int = 8192
) -> NDArray[np.float64]:
    """For each table, the estimate of the best of ``models`` by ``criterion`` (NaN if none).

    The bootstrap of MultipleSystemsEstimation ``estimate_population_bic``: every retained model
    is refitted on every replicate and the selection repeated. Models whose estimate does not
    exist on a replicate (checked by the fit, else by the linear program) are left out; ties go
    to the model ranked first on the original data.
    """
    n_rep = tables.shape[0]
    size = 1 << m
    cells = np.arange(size)
    y = np.zeros((n_rep, size))
    y[:, 1:] = tables
    margin = superset_sums(y, m)
    n_obs = tables.sum(axis=1).astype(np.float64)
    mains = [1 << i for i in range(m)]
    crit = np.full((len(models), n_rep), np.inf)
    est = np.full((len(models), n_rep), np.nan)
    # Items (model, replicate) grouped by number of finite parameters; each carries the
    # finite terms and kept cells of its pattern of empty margins.
    # Items (model, replicate) grouped by number of finite parameters; each carries the
    # finite terms and kept cells of its pattern of empty margins, and starts from the fit of
    # that pattern on the average table (replicates are small perturbations of it).
    patterns_: list[tuple[int, NDArray[np.int64], NDArray[np.bool_]]] = []
    items: dict[int, list[tuple[int, int, int]]] = {}
    for k, model in enumerate(models):
        terms = np.array([0, *mains, *model], dtype=np.int64)
        empty = margin[:, terms] == 0
        patterns, which = np.unique(empty, axis=0, return_inverse=True)
        for g, pattern in enumerate(patterns):
            keep = cells != 0
            for t in terms[pattern]:
                keep &= (cells & t) != t
            patterns_.append((k, terms[~pattern], keep))
            for rep in np.flatnonzero(which.ravel() == g):
                items.setdefault(int((~pattern).sum()), []).append(
                    (k, int(rep), len(patterns_) - 1)
                )
    starts = _pattern_starts(patterns_, y.mean(axis=0), m)
    memo: dict[tuple[int, bytes], bool] = {}
    for group in items.values():
        for lo in range(0, len(group), chunk):
            part = group[lo : lo + chunk]
            terms = np.stack([patterns_[g][1] for _, _, g in part])
            keep = np.stack([patterns_[g][2] for _, _, g in part])
            rows = np.array([r for _, r, _ in part])
            start = np.stack([starts[g] for _, _, g in part])
            res = fit_lattice(terms, y[rows], keep, m, start)
            fine = res.certain & identifiable_lattice(terms, keep, m)
            for i, (k, r, g) in enumerate(part):
                if not fine[i]:
                    key = (k, np.packbits((y[r] > 0) & patterns_[g][2]).tobytes())
                    if key not in memo:
                        memo[key] = existence.check(tables[r], m, models[k]) == existence.FINE
                    if not memo[key]:
                        continue
                n_params = 1 + m + len(models[k])
                penalty = n_params * (log(n_obs[r]) if criterion == "bic" else 2.0)
                crit[k, r] = penalty - 2.0 * res.loglik[i]
                est[k, r] = n_obs[r] + float(np.exp(min(res.coef[i, 0], 700.0)))
    best = np.argmin(crit, axis=0)
    out = est[best, np.arange(n_rep)]
    out[~np.isfinite(crit[best, np.arange(n_rep)])] = np.nan
    return np.asarray(out)


def neighbourhood_ranking(
    counts: Counts, m: int, start: Model, criterion: str = "bic", *, rounds: int = 30
) -> Ranking:
    """Two-way models around ``start`` by local search, for when there are too many to list.

    From the current best, every model one two-list term away (added or removed) is fitted;
    move to the best and repeat until nothing improves. All models seen are ranked.
    """
    pairs = pair_terms(m)
    seen: dict[frozenset[int], RankedModel | int] = {}
    current = frozenset(t for t in start if order(t) == 2)
    for _ in range(rounds):
        around = [current] + [current ^ {p} for p in pairs]
        new = [s for s in around if s not in seen]
        models = [tuple(sorted(s, key=lambda t: (order(t), t))) for s in new]
        for s, fitted in zip(new, fit_many(counts, m, models), strict=True):
            seen[s] = fitted
        valid = {s: f for s, f in seen.items() if isinstance(f, RankedModel)}
        if not valid:
            break
        best = min(valid, key=lambda s: _criterion(valid[s], criterion))
        if best == current:
            break
        current = best
    ranked = sorted(
        (f for f in seen.values() if isinstance(f, RankedModel)),
        key=lambda r: _criterion(r, criterion),
    )
    failed = [f for f in seen.values() if isinstance(f, int)]
    return Ranking(
        criterion,
        tuple(ranked),
        sum(1 for f in failed if f & existence.NO_ESTIMATE),
        sum(1 for f in failed if f & existence.NOT_IDENTIFIABLE),
    )


def _criterion(r: RankedModel, criterion: str) -> float:
    return r.bic if criterion == "bic" else r.aic


def default_workers() -> int:
    """Both cores of the reference machine, or ``VICTIM_MONITOR_ESTIMATION_WORKERS`` (the
    older ``VM_ESTIMATION_WORKERS`` is still read)."""
    setting = os.environ.get("VICTIM_MONITOR_ESTIMATION_WORKERS") or os.environ.get(
        "VM_ESTIMATION_WORKERS"
    )
    if setting:
        return max(1, int(setting))
    return max(1, min(2, os.cpu_count() or 1))


def _pattern_starts(
    patterns: list[tuple[int, NDArray[np.int64], NDArray[np.bool_]]], y: NDArray[np.float64], m: int
) -> list[NDArray[np.float64]]:
    """Coefficients of each (model, empty-margin pattern) fitted on one table ``y``."""
    out: list[NDArray[np.float64]] = [np.zeros(0)] * len(patterns)
    by_size: dict[int, list[int]] = {}
    for g, (_, terms, _) in enumerate(patterns):
        by_size.setdefault(terms.size, []).append(g)
    for group in by_size.values():
        terms = np.stack([patterns[g][1] for g in group])
        keep = np.stack([patterns[g][2] for g in group])
        res = fit_lattice(terms, y[None, :], keep, m)
        for i, g in enumerate(group):
            out[g] = res.coef[i] if np.all(np.isfinite(res.coef[i])) else np.zeros(terms.shape[1])
    return out
