"""Estimates per stratum (year, form, age group, sex, nationality group) and coverage.

Two approaches. ``stratified``: the chosen method on each stratum's own table; the total is the
sum of the strata, and with a bootstrap each replicate resamples every stratum and sums them,
so the total's interval accounts for all strata at once. ``covariates``: one log-linear model
over lists and covariates (:mod:`victim_monitor.estimation.covariates`), which borrows strength
across sparse strata (structural zeros where a list sees nobody of a stratum, and a weakly
informative prior on the list x covariate interactions). Either way the strata add up to
the total, and coverage is registered / estimated with the interval turned round.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from victim_monitor.estimation import codes, intervals
from victim_monitor.estimation.bootstrap import fresh_seed, replicate_estimates
from victim_monitor.estimation.covariates import (
    PENALTY,
    CovariateReplicates,
    fit_covariates,
    layout_of,
    wald_intervals,
)
from victim_monitor.estimation.design import term_label
from victim_monitor.estimation.estimable import REASONS, Reason, judge, selected_model_exists
from victim_monitor.estimation.histories import CaptureHistoryTable, table_from_persons
from victim_monitor.estimation.methods import prepare
from victim_monitor.estimation.population import conditional_intervals
from victim_monitor.estimation.result import _clean
from victim_monitor.problems import Problem

MIN_OBSERVED = 10


@dataclass(frozen=True)
class StratumEstimate:
    """One stratum (or the total): registered, estimated, interval, coverage.

    A stratum that is not estimable (``reason``) has NaN estimate and limits.
    """

    key: tuple[str, ...]
    observed: int
    estimate: float
    low: float
    high: float
    model: str = ""
    reason: Reason | None = None

    @classmethod
    def judged(
        cls,
        key: tuple[str, ...],
        observed: int,
        estimate: float,
        low: float,
        high: float,
        model: str = "",
        *,
        exists: bool = True,
    ) -> StratumEstimate:
        """The stratum as it may be shown (:func:`~victim_monitor.estimation.estimable.judge`):
        the lower limit at least the registered count, or not estimable with the reason."""
        shown = judge(observed, estimate, low, high, exists=exists)
        return cls(key, observed, shown.estimate, shown.low, shown.high, model, shown.reason)

    @property
    def coverage(self) -> tuple[float, float, float]:
        """Registered / estimated: (value, low, high)."""

        def ratio(d: float) -> float:
            return self.observed / d if d > 0 and math.isfinite(d) else math.nan

        return ratio(self.estimate), ratio(self.high), ratio(self.low)


@dataclass(frozen=True)
class StratifiedEstimate:
    """Estimates for every stratum and their total, with the approach that made them."""

    by: tuple[str, ...]
    lists: tuple[str, ...]
    approach: str
    method: str
    level: float
    interval_method: str
    strata: tuple[StratumEstimate, ...]
    total: StratumEstimate
    warnings: tuple[Problem, ...] = ()
    penalties: tuple[float, ...] = ()
    """The covariate model's ridge penalty per ``by`` column (empty when stratified)."""

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for s in (*self.strata, self.total):
            value, c_low, c_high = s.coverage
            rows.append(
                {
                    **dict(zip(self.by, s.key, strict=True)),
                    "observed": s.observed,
                    "estimate": s.estimate,
                    "low": s.low,
                    "high": s.high,
                    "coverage": value,
                    "coverage_low": c_low,
                    "coverage_high": c_high,
                    "model": s.model,
                    "not_estimable": "" if s.reason is None else s.reason.code,
                }
            )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        prior = ", ".join(
            f"{b} sd {1 / math.sqrt(p):.3g}" if p > 0 else f"{b} none"
            for b, p in zip(self.by, self.penalties, strict=False)
        )
        prior = f"; prior on list x covariate: {prior}" if prior else ""
        head = (
            f"Estimates by {', '.join(self.by)} ({self.approach}, {self.method}{prior}; "
            f"{self.level:.0%} {self.interval_method} intervals)"
        )
        lines = [head]
        for s in (*self.strata, self.total):
            name = f"  {' / '.join(s.key):<30} {s.observed:>8,} registered  "
            if s.reason is not None:
                lines.append(f"{name}not estimable: {s.reason.en}")
                continue
            value = s.coverage[0]
            lines.append(
                f"{name}{s.estimate:>12,.0f} ({s.low:,.0f} to {s.high:,.0f})  coverage {value:.1%}"
            )
        lines.extend(f"  {w}" for w in self.warnings)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        def one(s: StratumEstimate) -> dict[str, Any]:
            value, c_low, c_high = s.coverage
            return {
                "key": dict(zip(self.by, s.key, strict=True)),
                "observed": s.observed,
                "estimate": s.estimate,
                "interval": {"low": s.low, "high": s.high},
                "coverage": {"value": value, "low": c_low, "high": c_high},
                "model": s.model,
                "not_estimable": None if s.reason is None else s.reason.to_dict(),
            }

        out: dict[str, Any] = _clean(
            {
                "by": list(self.by),
                "lists": list(self.lists),
                "approach": self.approach,
                "method": self.method,
                "level": self.level,
                "interval_method": self.interval_method,
                "penalties": dict(zip(self.by, self.penalties, strict=False)),
                "strata": [one(s) for s in self.strata],
                "total": one(self.total),
                "warnings": [w.as_dict() for w in self.warnings],
            }
        )
        return out

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


def estimate_strata(
    persons: pd.DataFrame,
    lists: Sequence[str],
    by: Sequence[str],
    *,
    approach: str = "stratified",
    method: str = "stepwise",
    bootstrap: int = 0,
    seed: int | None = None,
    level: float = 0.95,
    threshold: float = 0.02,
    workers: int | None = None,
    penalty: float | str | None = None,
) -> StratifiedEstimate | list[Problem]:
    """Estimate every stratum of ``persons`` (one row per registered person, a 0/1 column per
    list, and the ``by`` columns) and the total, by ``approach`` "stratified" or "covariates".

    ``penalty`` (covariates only): the ridge penalty on the list x covariate interactions,
    default :data:`~victim_monitor.estimation.covariates.PENALTY` (a normal prior with standard
    deviation 2.5); 0 fits without; "aic" chooses one per covariate by AIC. Returns the problems
    instead when the persons cannot be tallied (VM505, VM507, VM515) or the penalty does not
    apply (VM514).
    """
    missing = [c for c in by if c not in persons.columns]
    if missing or approach not in ("stratified", "covariates"):
        what = f"missing stratum columns {missing}" if missing else f"unknown approach {approach}"
        return [codes.BAD_PERSONS(what)]
    if penalty is not None and (
        approach != "covariates"
        or (penalty != "aic" if isinstance(penalty, str) else not 0 <= penalty < math.inf)
    ):
        what = f"penalty {penalty!r}: a number >= 0 or 'aic', with approach='covariates' only"
        return [codes.UNKNOWN_METHOD(what)]
    pooled = table_from_persons(persons, lists)
    if isinstance(pooled, list):
        return pooled
    groups = [
        (tuple(str(v) for v in (k if isinstance(k, tuple) else (k,))), g)
        for k, g in persons.groupby(list(by), sort=True, observed=True)
    ]
    tables = []
    for key, group in groups:
        found = table_from_persons(group, lists)
        assert isinstance(found, CaptureHistoryTable)  # the pooled tally passed the same checks
        tables.append((key, found))
    seed = fresh_seed() if seed is None and bootstrap else seed
    options = (method, bootstrap, seed, level, threshold, workers)
    penalties: tuple[float, ...] = ()
    if approach == "stratified":
        strata, total, warnings, how = _stratified(tables, *options)
    else:
        chosen = PENALTY if penalty is None else penalty
        strata, total, warnings, how, penalties = _with_covariates(tables, *options, chosen)
    return StratifiedEstimate(
        tuple(by),
        tuple(lists),
        approach,
        method,
        level,
        how,
        tuple(strata),
        total,
        tuple(warnings),
        penalties,
    )


def _stratified(
    tables: list[tuple[tuple[str, ...], CaptureHistoryTable]],
    method: str,
    bootstrap: int,
    seed: int | None,
    level: float,
    threshold: float,
    workers: int | None,
) -> tuple[list[StratumEstimate], StratumEstimate, list[Problem], str]:
    z = float(norm.ppf(0.5 + level / 2))
    strata: list[StratumEstimate] = []
    warnings: list[Problem] = []
    boots, jacks = [], []
    children = np.random.SeedSequence(seed).spawn(len(tables)) if bootstrap else []
    total_obs, total_est, variance = 0, 0.0, 0.0
    for i, (key, table) in enumerate(tables):
        total_obs += table.observed
        if (
            table.observed < MIN_OBSERVED
            or len(table.empty_pairs()) == table.n_lists * (table.n_lists - 1) // 2
        ):
            warnings.append(
                codes.SMALL_STRATUM(
                    f"stratum {'/'.join(key)}: {table.observed} registered, too few or no overlap; "
                    "counted as registered only (the total is then a lower bound)"
                )
            )
            strata.append(
                StratumEstimate(
                    key, table.observed, math.nan, math.nan, math.nan, reason=REASONS["too_small"]
                )
            )
            total_est += table.observed
            if bootstrap:
                boots.append(np.full(bootstrap, float(table.observed)))
                jacks.append((np.zeros(0), np.zeros(0, dtype=np.int64), float(table.observed)))
            continue
        work = prepare(table, method, threshold, None, None, None, workers)
        label = work.selected.label
        exists = selected_model_exists(tuple(work.warnings), method)
        first = conditional_intervals(work, table.observed, level)["profile"]
        check = StratumEstimate.judged(
            key, table.observed, work.estimate, first.low, first.high, label, exists=exists
        )
        if check.reason is not None:
            warnings.append(
                codes.SMALL_STRATUM(
                    f"stratum {'/'.join(key)}: not estimable ({check.reason.en}); counted as "
                    "registered only (the total is then a lower bound)"
                )
            )
            strata.append(check)
            total_est += table.observed
            if bootstrap:
                boots.append(np.full(bootstrap, float(table.observed)))
                jacks.append((np.zeros(0), np.zeros(0, dtype=np.int64), float(table.observed)))
            continue
        if bootstrap:
            child = int(children[i].generate_state(1)[0])
            reps, jack, weights = replicate_estimates(
                table, work.procedure, bootstrap, child, workers
            )
            ok = np.isfinite(jack)
            iv = intervals.bca(
                work.estimate, reps, intervals.acceleration(jack[ok], weights[ok]), level
            )
            boots.append(reps)
            jacks.append((jack, weights, work.estimate))
        else:
            iv = first
            half = (iv.high - iv.low) / (2 * z)
            variance += half**2 if math.isfinite(half) else math.inf
        strata.append(
            StratumEstimate.judged(
                key, table.observed, work.estimate, iv.low, iv.high, label, exists=exists
            )
        )
        total_est += work.estimate
    key = ("total",) * len(tables[0][0])
    if bootstrap:
        reps = np.sum(boots, axis=0)
        jack_total = np.concatenate([total_est - est + jack for jack, _, est in jacks])
        jack_weights = np.concatenate([w for _, w, _ in jacks])
        ahat = intervals.acceleration(jack_total, jack_weights)
        iv = intervals.bca(total_est, reps, ahat, level)
        total = StratumEstimate.judged(key, total_obs, total_est, iv.low, iv.high)
        return strata, total, warnings, "bca"
    spread = z * math.sqrt(variance)
    total = StratumEstimate.judged(
        key, total_obs, total_est, total_est - spread, total_est + spread
    )
    return strata, total, warnings, "profile (total: normal approximation)"


def _with_covariates(
    tables: list[tuple[tuple[str, ...], CaptureHistoryTable]],
    method: str,
    bootstrap: int,
    seed: int | None,
    level: float,
    threshold: float,
    workers: int | None,
    penalty: float | str,
) -> tuple[list[StratumEstimate], StratumEstimate, list[Problem], str, tuple[float, ...]]:
    keys = [k for k, _ in tables]
    m = tables[0][1].n_lists
    layout, _ = layout_of(keys, m)
    counts = np.stack([t.counts for _, t in tables])
    fitted = fit_covariates(counts, layout, () if method == "main" else None, threshold, penalty)
    names = tables[0][1].lists
    label = " ".join(term_label(t, names) for t in fitted.pairs) or "main effects"
    label = f"lists x covariates + {label}"
    warnings: list[Problem] = []
    if fitted.dropped:
        warnings.append(
            codes.NEG_INF_TERMS(
                f"{len(fitted.dropped)} pairs of lists have nobody in common and are at minus "
                "infinity"
            )
        )
    if not fitted.converged:
        warnings.append(codes.NOT_CONVERGED("the covariate model's fit did not converge"))
    z = float(norm.ppf(0.5 + level / 2))
    key = ("total",) * len(keys[0])
    if bootstrap:
        assert seed is not None
        start = fitted.penalties if isinstance(penalty, str) else None
        procedure = CovariateReplicates(
            layout, method != "main", fitted.pairs, threshold, penalty, start
        )
        flat = counts.reshape(-1)
        reps = intervals.run_replicates(
            procedure, intervals.resample(flat, bootstrap, seed), workers
        )
        jack_tables, weights = intervals.jackknife_tables(flat)
        jack = procedure.many(jack_tables)
        limits = []
        for col, est in [*enumerate(fitted.estimates), (None, fitted.total)]:
            r = reps.sum(axis=1) if col is None else reps[:, col]
            j = jack.sum(axis=1) if col is None else jack[:, col]
            ok = np.isfinite(j)
            iv = intervals.bca(float(est), r, intervals.acceleration(j[ok], weights[ok]), level)
            limits.append((iv.low, iv.high))
        strata = [
            StratumEstimate.judged(k, int(o), float(e), lo, hi, label)
            for k, o, e, (lo, hi) in zip(
                keys, fitted.observed, fitted.estimates, limits[:-1], strict=True
            )
        ]
        total = StratumEstimate.judged(key, int(fitted.observed.sum()), fitted.total, *limits[-1])
        total = _whole(strata, total, warnings)
        return strata, total, warnings, "bca", fitted.penalties
    low, high, t_low, t_high = wald_intervals(fitted, z)
    strata = [
        StratumEstimate.judged(k, int(o), float(e), float(lo), float(hi), label)
        for k, o, e, lo, hi in zip(keys, fitted.observed, fitted.estimates, low, high, strict=True)
    ]
    total = StratumEstimate.judged(key, int(fitted.observed.sum()), fitted.total, t_low, t_high)
    total = _whole(strata, total, warnings)
    how = "wald (log dark figure; total on the log of its dark figure by the delta method)"
    return strata, total, warnings, how, fitted.penalties


def _whole(
    strata: list[StratumEstimate], total: StratumEstimate, warnings: list[Problem]
) -> StratumEstimate:
    """One model over all strata: its total is not estimable when one of its strata is not
    (a stratum too small to publish on its own is still estimated by the model: not counted)."""
    failed = [s for s in strata if s.reason is not None and s.reason.code != "too_small"]
    if not failed or total.reason is not None:
        return total
    names = ", ".join("/".join(s.key) for s in failed)
    warnings.append(
        codes.SMALL_STRATUM(f"strata {names} are not estimable, and so neither is the total")
    )
    return StratumEstimate(
        total.key, total.observed, math.nan, math.nan, math.nan, total.model, REASONS["stratum"]
    )
