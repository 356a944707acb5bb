"""Sensitivity to model choice: the best models by BIC (or AIC) with their estimates."""

from __future__ import annotations

from victim_monitor.estimation import rcapture
from victim_monitor.estimation.design import Model, mse_label, term_label
from victim_monitor.estimation.histories import CaptureHistoryTable
from victim_monitor.estimation.result import ModelEstimate
from victim_monitor.estimation.select import (
    Ranking,
    enumerate_models,
    neighbourhood_ranking,
    rank_models,
)

EXHAUSTIVE = 40_000
"""Up to this many two-way models (6 lists: 32,768) are all fitted; beyond, a local search."""


def best_models(
    table: CaptureHistoryTable,
    k: int,
    *,
    ranking: Ranking | None = None,
    selected: Model = (),
    closed: bool = False,
    workers: int | None = None,
) -> tuple[tuple[ModelEstimate, ...], str]:
    """The ``k`` best models and a phrase saying which family they were ranked in.

    An exhaustive ranking already made (methods bic and aic) is reused; Rcapture's methods are
    compared with each other; otherwise all two-way models are ranked by BIC, or for more than
    six lists the models found by a local search from the ``selected`` model.
    """
    if k <= 0:
        return (), ""
    counts, m, lists = table.counts, table.n_lists, table.lists
    if closed:
        fits = sorted(
            (rcapture.fit_closed(counts, m, name) for name in rcapture.MODELS),
            key=lambda f: f.bic(),
        )
        return tuple(
            ModelEstimate((), rcapture.LABELS[f.name], f.estimate, f.bic(), f.aic())
            for f in fits[:k]
        ), "Rcapture's closed-population models by BIC"
    if ranking is not None:
        scope = f"{len(ranking.models)} hierarchical models by {ranking.criterion.upper()}"
    elif 1 << (m * (m - 1) // 2) <= EXHAUSTIVE:
        ranking = rank_models(counts, m, enumerate_models(m, 2), "bic", workers=workers)
        scope = f"all {len(ranking.models)} two-way models with an estimate, by BIC"
    else:
        ranking = neighbourhood_ranking(counts, m, selected, "bic")
        scope = (
            f"{len(ranking.models)} two-way models around the selected one (local search), by BIC"
        )
    return tuple(
        ModelEstimate(
            terms=tuple(term_label(t, lists) for t in r.model),
            label=mse_label(r.model, m),
            estimate=r.estimate,
            bic=r.bic,
            aic=r.aic,
            neg_inf_terms=tuple(term_label(t, lists) for t in r.neg_inf),
        )
        for r in ranking.models[:k]
    ), scope
