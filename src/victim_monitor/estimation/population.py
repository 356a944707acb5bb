"""The entry point: estimate the population behind a capture-history table, by any method."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from victim_monitor.estimation import codes, intervals, rcapture
from victim_monitor.estimation.bootstrap import bca_bootstrap, fresh_seed
from victim_monitor.estimation.codes import EstimationError
from victim_monitor.estimation.histories import CaptureHistoryTable
from victim_monitor.estimation.intervals import Interval
from victim_monitor.estimation.methods import METHODS, Prepared, prepare
from victim_monitor.estimation.model import FittedModel
from victim_monitor.estimation.result import PopulationEstimate
from victim_monitor.estimation.sensitivity import best_models

if TYPE_CHECKING:
    from victim_monitor.estimation.latent import Chain

INTERVALS = ("profile", "wald", "bca")


def estimate(
    table: CaptureHistoryTable,
    *,
    method: str = "stepwise",
    bootstrap: int = 0,
    seed: int | None = None,
    threshold: float = 0.02,
    level: float = 0.95,
    interval: str | None = None,
    max_order: int | None = None,
    top_models: int | None = None,
    model: Sequence[str] | None = None,
    sensitivity: int = 5,
    workers: int | None = None,
    resampling: str = "observed",
    chain: Chain | None = None,
) -> PopulationEstimate:
    """Estimate the total population (observed plus never registered) from a table.

    Methods: ``stepwise`` (SparseMSE, p-value ``threshold``), ``bic`` and ``aic`` (exhaustive
    over hierarchical models up to ``max_order``, as MultipleSystemsEstimation), ``auto`` (bic
    for up to 5 lists, else stepwise), ``main``, ``fixed`` (terms in ``model``), ``all-pairs``,
    and Rcapture's ``rcapture-m0``, ``-mt``, ``-mh-chao|poisson|darroch|gamma``,
    ``-mth-chao|poisson|darroch|gamma``.

    Intervals: ``profile`` likelihood (default without bootstrap), ``wald``, or ``bca`` (default
    when ``bootstrap`` > 0: that many seeded resamples, each repeating the model selection;
    for bic/aic over the ``top_models`` best models of the original data). ``sensitivity`` is
    how many of the best models by BIC to report with their estimates. ``resampling``:
    "observed" persons (SparseMSE's bootstrap) or the "fitted" model (parametric). Raises
    :class:`EstimationError` (a coded problem) on impossible requests.

    ``latent-class`` is LCMCR's Bayesian latent-class model: posterior median and interval
    from one seeded chain with the settings in ``chain`` (LCMCR's defaults when None).
    """
    _validate(table, method, bootstrap, level, interval, threshold)
    if method == "latent-class":
        return _latent_class(table, bootstrap, interval, seed, level, chain)
    if resampling not in ("observed", "fitted"):
        raise EstimationError(
            codes.UNKNOWN_METHOD(f"unknown resampling {resampling!r}; observed or fitted")
        )
    chosen = ("bic" if table.n_lists <= 5 else "stepwise") if method == "auto" else method
    interval = interval or ("bca" if bootstrap > 0 else "profile")
    work = prepare(table, chosen, threshold, max_order, top_models, model, workers)
    settings: dict[str, Any] = {
        "method": method,
        "threshold": threshold,
        "level": level,
        "bootstrap": bootstrap,
        "seed": seed,
        "interval": interval,
        "resampling": resampling,
        "max_order": work.diagnostics.get("max_order"),
    }
    conditional = conditional_intervals(work, table.observed, level)
    work.diagnostics["model_conditional_intervals"] = {
        k: [v.low, v.high] for k, v in conditional.items()
    }
    if conditional["profile"].high == float("inf"):
        work.warnings.append(
            codes.UNBOUNDED_INTERVAL(
                "the profile likelihood does not fall far enough below its maximum within 3 times "
                "the estimate: the upper limit is unbounded"
            )
        )
    if interval == "bca":
        if seed is None:
            seed = settings["seed"] = fresh_seed()
        fitted = _expected_cells(work) if resampling == "fitted" else None
        result_interval, boot, boot_warnings = bca_bootstrap(
            table, work.estimate, work.procedure, bootstrap, seed, level, workers, fitted
        )
        work.diagnostics["bootstrap"] = boot
        work.warnings.extend(boot_warnings)
    else:
        result_interval = conditional[interval]
    sens, scope = best_models(
        table,
        sensitivity,
        ranking=work.ranking,
        selected=work.fitted.model if isinstance(work.fitted, FittedModel) else (),
        closed=isinstance(work.fitted, rcapture.ClosedFit),
        workers=workers,
    )
    return PopulationEstimate(
        observed=table.observed,
        estimate=work.estimate,
        interval=result_interval,
        method=chosen,
        lists=table.lists,
        model=work.selected,
        diagnostics=work.diagnostics,
        sensitivity=sens,
        sensitivity_scope=scope,
        warnings=tuple(table.warnings)
        + tuple(replace(w, file=w.file or table.source) for w in work.warnings),
        settings=settings,
    )


def _latent_class(
    table: CaptureHistoryTable,
    bootstrap: int,
    interval: str | None,
    seed: int | None,
    level: float,
    chain: Chain | None,
) -> PopulationEstimate:
    # Imported here: the sampler needs Numba, which the other methods should not pay for.
    from victim_monitor.estimation import latent

    if bootstrap or interval is not None:
        raise EstimationError(
            codes.UNKNOWN_METHOD(
                "the latent-class model's interval is its posterior's: a bootstrap or another "
                "interval does not apply",
                file=table.source,
            )
        )
    return latent.estimate_latent(
        table, chain or latent.Chain(), fresh_seed() if seed is None else seed, level
    )


def _validate(
    table: CaptureHistoryTable,
    method: str,
    bootstrap: int,
    level: float,
    interval: str | None,
    threshold: float,
) -> None:
    def fail(message: str) -> EstimationError:
        return EstimationError(codes.UNKNOWN_METHOD(message, file=table.source))

    if method not in METHODS:
        raise fail(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    if interval is not None and interval not in INTERVALS:
        raise fail(f"unknown interval {interval!r}; one of {', '.join(INTERVALS)}")
    if interval == "bca" and bootstrap <= 0:
        raise fail("a BCa interval needs bootstrap replicates (bootstrap > 0)")
    if bootstrap < 0 or not 0 < level < 1 or not 0 <= threshold <= 1:
        raise fail("bootstrap must be >= 0, level in (0, 1), threshold in [0, 1]")
    if table.n_lists < 2:
        raise EstimationError(
            codes.TOO_FEW_LISTS("estimation needs two lists or more", file=table.source)
        )
    if table.observed == 0:
        raise EstimationError(codes.NOBODY_OBSERVED("the table counts nobody", file=table.source))


def conditional_intervals(work: Prepared, observed: int, level: float) -> dict[str, Interval]:
    """Wald and profile-likelihood intervals, both conditional on the selected model."""
    fitted = work.fitted
    if isinstance(fitted, rcapture.ClosedFit):
        low, high = fitted.wald(level)
        refit = None
        if fitted.name.endswith("chao"):
            refit = rcapture.profile_refit(fitted.name, fitted.m)
        return {
            "wald": Interval(low, high, level, "wald", {"stderr": fitted.stderr}),
            "profile": intervals.profile(
                fitted.x, fitted.y, observed, work.estimate, level, refit=refit
            ),
        }
    reduced = fitted.reduced
    return {
        "wald": intervals.wald_log(fitted.fit, observed, level),
        "profile": intervals.profile(reduced.x, reduced.y, observed, work.estimate, level),
    }


def _expected_cells(work: Prepared) -> tuple[NDArray[np.float64], float]:
    """The selected model's expected count in every observable cell, and its dark figure."""
    fitted = work.fitted
    if isinstance(fitted, rcapture.ClosedFit):
        return np.asarray(fitted.fit.mu, dtype=np.float64), work.estimate - fitted.observed
    cells = np.zeros(fitted.reduced.keep.size)
    cells[fitted.reduced.keep] = fitted.fit.mu
    return cells, work.estimate - fitted.observed
