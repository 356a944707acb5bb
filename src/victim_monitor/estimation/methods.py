"""Each method fitted on a table: the estimate, the selected model, and how to bootstrap it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from victim_monitor.estimation import codes, existence, rcapture
from victim_monitor.estimation.codes import EstimationError
from victim_monitor.estimation.design import Model, mse_label, pair_terms, parse_terms, term_label
from victim_monitor.estimation.histories import CaptureHistoryTable
from victim_monitor.estimation.model import FittedModel, fit_model
from victim_monitor.estimation.procedures import Closed, Fixed, Procedure, Stepwise, TopModels
from victim_monitor.estimation.result import ModelEstimate
from victim_monitor.estimation.select import (
    Ranking,
    default_max_order,
    enumerate_models,
    rank_models,
)
from victim_monitor.estimation.stepwise import stepwise
from victim_monitor.problems import Problem

METHODS: dict[str, str] = {
    "stepwise": "SparseMSE stepwise: add two-list terms by Poisson p-value below the threshold",
    "bic": "MultipleSystemsEstimation: best hierarchical model by BIC over all models",
    "aic": "best hierarchical model by AIC over all models",
    "auto": "MultipleSystemsEstimation's choice: bic for up to 5 lists, stepwise for more",
    "main": "main effects only (lists independent)",
    "fixed": "the model given by `model` (terms such as 'A:B')",
    "all-pairs": "main effects and every two-list interaction",
    **{
        f"rcapture-{name}": f"Rcapture closedp.t {label}" for name, label in rcapture.LABELS.items()
    },
    "latent-class": "LCMCR: Bayesian latent classes (Dirichlet process), posterior median",
}


@dataclass
class Prepared:
    """A method fitted on a table: what the intervals and the result are made from."""

    estimate: float
    selected: ModelEstimate
    procedure: Procedure
    fitted: FittedModel | rcapture.ClosedFit
    ranking: Ranking | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def _describe(fitted: FittedModel, lists: Sequence[str], bic: bool = True) -> ModelEstimate:
    m = len(lists)
    return ModelEstimate(
        terms=tuple(term_label(t, lists) for t in fitted.model),
        label=mse_label(fitted.model, m),
        estimate=fitted.estimate,
        bic=fitted.bic() if bic else None,
        aic=fitted.aic() if bic else None,
        neg_inf_terms=tuple(
            term_label(t, lists) for t in fitted.reduced.neg_inf if t.bit_count() > 1
        ),
    )


def _fit_diagnostics(fitted: FittedModel) -> dict[str, Any]:
    fit = fitted.fit
    return {
        "loglik": fit.loglik,
        "deviance": fit.deviance,
        "n_params": fitted.n_params,
        "df": int(fitted.reduced.x.shape[0] - fitted.reduced.x.shape[1]),
        "aic": fitted.aic(),
        "bic": fitted.bic(),
        "converged": fit.converged,
        "iterations": fit.iterations,
    }


def prepare(
    table: CaptureHistoryTable,
    method: str,
    threshold: float,
    max_order: int | None,
    top_models: int | None,
    model: Sequence[str] | None,
    workers: int | None,
) -> Prepared:
    counts, m, lists = table.counts, table.n_lists, table.lists
    if method == "latent-class":  # a posterior, not a fitted model: estimate() runs it
        raise EstimationError(
            codes.UNKNOWN_METHOD("latent-class runs through estimate() only", file=table.source)
        )
    if method.startswith("rcapture-"):
        return _fit_closed(table, method.removeprefix("rcapture-"))
    if method == "stepwise":
        found = stepwise(counts, m, threshold)
        work = Prepared(
            found.final.estimate, _describe(found.final, lists), Stepwise(m, threshold), found.final
        )
        work.diagnostics["steps"] = [
            {"term": term_label(s.term, lists), "p_value": s.p_value, "estimate": s.estimate}
            for s in found.steps
        ]
        for term, code in found.rejected:
            kind = codes.NO_MLE if code & existence.NO_ESTIMATE else codes.NOT_IDENTIFIABLE
            work.warnings.append(
                kind(
                    f"{term_label(term, lists)} was significant but left out: "
                    "with it the estimate is infinite or not identifiable"
                )
            )
    elif method in ("bic", "aic"):
        order = max_order or default_max_order(m)
        try:
            models = enumerate_models(m, order)
        except ValueError as exc:
            raise EstimationError(codes.TOO_MANY_LISTS(str(exc), file=table.source)) from None
        ranking = rank_models(counts, m, models, method, workers=workers)
        if not ranking.models:
            raise EstimationError(codes.NO_MLE("no model has a finite estimate", file=table.source))
        best = fit_model(counts, m, ranking.best.model)
        retained = top_models or _default_top(m)
        kept = tuple(r.model for r in ranking.models[:retained])
        work = Prepared(
            ranking.best.estimate, _describe(best, lists), TopModels(m, kept, method), best, ranking
        )
        work.diagnostics.update(
            max_order=order,
            models_considered=len(models),
            models_ranked=len(ranking.models),
            retained_for_bootstrap=len(kept),
        )
        for n, kind, what in (
            (ranking.no_estimate, codes.NO_MLE, "no finite estimate"),
            (ranking.not_identifiable, codes.NOT_IDENTIFIABLE, "no identifiable estimate"),
        ):
            if n:
                work.warnings.append(
                    kind(
                        f"{n} of {len(models)} models have {what} on these "
                        "data and were left out of the ranking"
                    )
                )
    else:
        terms = _fixed_terms(table, method, model)
        fitted = fit_model(counts, m, terms)
        work = Prepared(fitted.estimate, _describe(fitted, lists), Fixed(m, terms), fitted)
        code = existence.check_with_fit(fitted.reduced, fitted.fit)
        if code:
            kind = codes.NO_MLE if code & existence.NO_ESTIMATE else codes.NOT_IDENTIFIABLE
            work.warnings.append(
                kind(
                    "the estimate of this model is infinite or not "
                    "identifiable on these data; treat it with suspicion"
                )
            )
            work.warnings.extend(
                existence.not_estimable(fitted.reduced, table.observed, fitted.estimate)
            )
    assert isinstance(work.fitted, FittedModel)
    work.diagnostics.update(_fit_diagnostics(work.fitted))
    work.diagnostics["mse_label"] = work.selected.label
    if work.selected.neg_inf_terms:
        work.warnings.append(
            codes.NEG_INF_TERMS(
                f"nobody is on both lists of {', '.join(work.selected.neg_inf_terms)}: these terms "
                "are at minus infinity and the cells under them are left out of the fit"
            )
        )
    if not work.fitted.fit.converged:
        work.warnings.append(codes.NOT_CONVERGED("the fit did not converge"))
    return work


def _fixed_terms(table: CaptureHistoryTable, method: str, model: Sequence[str] | None) -> Model:
    if method == "main":
        return ()
    if method == "all-pairs":
        return tuple(pair_terms(table.n_lists))
    if model is None:
        raise EstimationError(
            codes.UNKNOWN_METHOD(
                "method 'fixed' needs model terms ([] for main effects)", file=table.source
            )
        )
    try:
        return parse_terms(model, table.lists)
    except ValueError as exc:
        raise EstimationError(codes.UNKNOWN_METHOD(str(exc), file=table.source)) from None


def _default_top(m: int) -> int:
    """MultipleSystemsEstimation's ``ntopmodels``: all for 2-3 lists, 20 for 4, 100 for 5-6."""
    return {2: 10**9, 3: 10**9, 4: 20}.get(m, 100)


def _fit_closed(table: CaptureHistoryTable, name: str) -> Prepared:
    if name.startswith(("mh-", "mth-")) and table.n_lists < 3:
        raise EstimationError(
            codes.TOO_FEW_LISTS(
                "Rcapture's heterogeneity models need at least three lists", file=table.source
            )
        )
    fitted = rcapture.fit_closed(table.counts, table.n_lists, name)
    selected = ModelEstimate((), rcapture.LABELS[name], fitted.estimate, fitted.bic(), fitted.aic())
    work = Prepared(fitted.estimate, selected, Closed(table.n_lists, name), fitted)
    work.diagnostics.update(
        loglik=fitted.fit.loglik,
        deviance=fitted.fit.deviance,
        n_params=fitted.n_params,
        df=int(fitted.x.shape[0] - fitted.n_params),
        aic=fitted.aic(),
        bic=fitted.bic(),
        stderr=fitted.stderr,
        converged=fitted.fit.converged,
        iterations=fitted.fit.iterations,
        chao_terms_dropped=fitted.dropped_eta,
    )
    if not fitted.fit.converged:
        work.warnings.append(codes.NOT_CONVERGED("the fit did not converge (R's glm rule)"))
    work.warnings.extend(rcapture.warnings(fitted))
    return work
