"""The result of an estimate: a frozen value with a text summary and a JSON twin."""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from victim_monitor.estimation.estimable import MAX_RATIO, Judged, judge, selected_model_exists
from victim_monitor.estimation.intervals import Interval
from victim_monitor.problems import Problem


@dataclass(frozen=True)
class ModelEstimate:
    """A model and the estimate it gives: the selected one, or one of the runners-up."""

    terms: tuple[str, ...]
    label: str
    estimate: float
    bic: float | None = None
    aic: float | None = None
    neg_inf_terms: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "terms": list(self.terms),
            "label": self.label,
            "estimate": _num(self.estimate),
            "bic": _num(self.bic),
            "aic": _num(self.aic),
            "neg_inf_terms": list(self.neg_inf_terms),
        }


@dataclass(frozen=True)
class PopulationEstimate:
    """Estimated population size (observed plus dark figure), its interval, model and checks.

    ``sensitivity`` lists the best models by the ranking criterion with their estimates, so the
    spread due to model choice is always in view; ``warnings`` holds coded diagnostics (VM53x).
    """

    observed: int
    estimate: float
    interval: Interval
    method: str
    lists: tuple[str, ...]
    model: ModelEstimate
    diagnostics: Mapping[str, Any] = field(default_factory=dict)
    sensitivity: tuple[ModelEstimate, ...] = ()
    sensitivity_scope: str = ""
    warnings: tuple[Problem, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def judged(self) -> Judged:
        """The estimate and interval as they may be shown, or why they may not
        (:mod:`~victim_monitor.estimation.estimable`)."""
        exists = selected_model_exists(self.warnings, self.method)
        iv = self.interval
        return judge(self.observed, self.estimate, iv.low, iv.high, exists=exists)

    @property
    def dark_figure(self) -> float:
        """Persons estimated never to have been registered on any list."""
        return self.estimate - self.observed

    @property
    def coverage(self) -> tuple[float, float, float]:
        """Registered / estimated, with the interval turned round: (value, low, high)."""
        low = self.observed / self.interval.high if self.interval.high > 0 else math.nan
        high = self.observed / self.interval.low if self.interval.low > 0 else math.nan
        return self.observed / self.estimate, low, high

    def summary(self) -> str:
        iv, shown = self.interval, self.judged
        head = f"Population estimate ({self.method}): "
        observed = f"  observed on {len(self.lists)} lists ({', '.join(self.lists)}): "
        if shown.reason is not None:
            lines = [
                f"{head}not estimable: {shown.reason.en} ({shown.reason.code})",
                f"{observed}{self.observed:,}",
            ]
        else:
            raised = " (lower limit raised to the registered count)" if shown.raised_low else ""
            lines = [
                f"{head}{shown.estimate:,.0f}",
                f"  {iv.level:.0%} interval ({iv.method}): {shown.low:,.0f} to "
                f"{shown.high:,.0f}{raised}",
                f"{observed}{self.observed:,}",
                f"  dark figure: {shown.estimate - self.observed:,.0f}; coverage "
                f"{self.observed / shown.estimate:.1%} ({self.observed / shown.high:.1%} to "
                f"{self.observed / shown.low:.1%})",
            ]
        lines.append(f"  model: {self._model_line()}")
        if self.model.neg_inf_terms:
            lines.append(f"  at minus infinity: {' '.join(self.model.neg_inf_terms)}")
        if self.sensitivity:
            lines.append(f"  best models ({self.sensitivity_scope}):")
            for alt in self.sensitivity:
                crit = f"BIC {alt.bic:.2f}" if alt.bic is not None else ""
                value = _plausible(alt.estimate, self.observed)
                shown_alt = "not estimable" if value is None else f"{value:,.0f}"
                lines.append(f"    {shown_alt:>13}  {crit:<12} {alt.label}")
        lines.extend(f"  {w}" for w in self.warnings)
        return "\n".join(lines)

    def _model_line(self) -> str:
        if self.method != "latent-class":
            return f"{self.model.label} {' '.join(self.model.terms) or '(main effects)'}"
        # a posterior from a chain, not a log-linear model: say how much the chain saw
        d, chain = self.diagnostics, self.diagnostics.get("chain", {})
        return (
            f"{self.model.label}; {d.get('classes_used_mean', 0):.1f} classes used, "
            f"{d.get('effective_sample_size', 0):,.0f} effective of {chain.get('samples')} draws "
            f"(burnin {chain.get('burnin')}, thinning {chain.get('thinning')})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain values only (non-finite numbers become null), ready for ``json.dumps``.

        A result that is not estimable has null estimate, interval, dark figure and coverage,
        and says why under ``not_estimable``.
        """
        iv, shown = self.interval, self.judged

        def share(d: float) -> float:
            return self.observed / d if d > 0 else math.nan

        def plausible(m: ModelEstimate) -> dict[str, Any]:
            return {**m.to_dict(), "estimate": _plausible(m.estimate, self.observed)}

        out: dict[str, Any] = _clean(
            {
                "observed": self.observed,
                "estimable": shown.estimable,
                "not_estimable": None if shown.reason is None else shown.reason.to_dict(),
                "estimate": shown.estimate,
                "dark_figure": shown.estimate - self.observed,
                "interval": {
                    "low": shown.low,
                    "high": shown.high,
                    "low_raised_to_observed": shown.raised_low,
                    "level": iv.level,
                    "method": iv.method,
                    "details": dict(iv.details) if shown.estimable else {},
                },
                "coverage": {
                    "value": share(shown.estimate),
                    "low": share(shown.high),
                    "high": share(shown.low),
                },
                "model": {**self.model.to_dict(), "estimate": shown.estimate},
                "method": self.method,
                "lists": list(self.lists),
                "sensitivity": {
                    "scope": self.sensitivity_scope,
                    "models": [plausible(m) for m in self.sensitivity],
                },
                "diagnostics": {
                    k: v
                    for k, v in self.diagnostics.items()
                    if shown.estimable or k != "model_conditional_intervals"
                },
                "warnings": [w.as_dict() for w in self.warnings],
                "settings": dict(self.settings),
            }
        )
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """The result as JSON text (the CLI's ``--json`` output)."""
        return json.dumps(self.to_dict(), indent=indent)


def _plausible(estimate: float, observed: int) -> float | None:
    """A model's estimate where it is finite and not a run-away; else None (not estimable)."""
    ok = math.isfinite(estimate) and observed <= estimate <= MAX_RATIO * max(observed, 1)
    return estimate if ok else None


def _num(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _clean(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else None
