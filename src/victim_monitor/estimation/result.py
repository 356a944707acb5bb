"""The result of an estimate: a frozen value with a text summary and a JSON twin."""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

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
        iv = self.interval
        value, c_low, c_high = self.coverage
        lines = [
            f"Population estimate ({self.method}): {self.estimate:,.0f}",
            f"  {iv.level:.0%} interval ({iv.method}): {iv.low:,.0f} to {iv.high:,.0f}",
            f"  observed on {len(self.lists)} lists ({', '.join(self.lists)}): {self.observed:,}",
            f"  dark figure: {self.dark_figure:,.0f}; coverage {value:.1%} "
            f"({c_low:.1%} to {c_high:.1%})",
            f"  model: {self.model.label} {' '.join(self.model.terms) or '(main effects)'}",
        ]
        if self.model.neg_inf_terms:
            lines.append(f"  at minus infinity: {' '.join(self.model.neg_inf_terms)}")
        if self.sensitivity:
            lines.append(f"  best models ({self.sensitivity_scope}):")
            for alt in self.sensitivity:
                crit = f"BIC {alt.bic:.2f}" if alt.bic is not None else ""
                lines.append(f"    {alt.estimate:>12,.0f}  {crit:<12} {alt.label}")
        lines.extend(f"  {w}" for w in self.warnings)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain values only (non-finite numbers become null), ready for ``json.dumps``."""
        iv = self.interval
        value, c_low, c_high = self.coverage
        out: dict[str, Any] = _clean(
            {
                "observed": self.observed,
                "estimate": self.estimate,
                "dark_figure": self.dark_figure,
                "interval": {
                    "low": iv.low,
                    "high": iv.high,
                    "level": iv.level,
                    "method": iv.method,
                    "details": dict(iv.details),
                },
                "coverage": {"value": value, "low": c_low, "high": c_high},
                "model": self.model.to_dict(),
                "method": self.method,
                "lists": list(self.lists),
                "sensitivity": {
                    "scope": self.sensitivity_scope,
                    "models": [m.to_dict() for m in self.sensitivity],
                },
                "diagnostics": dict(self.diagnostics),
                "warnings": [w.as_dict() for w in self.warnings],
                "settings": dict(self.settings),
            }
        )
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """The result as JSON text (the CLI's ``--json`` output)."""
        return json.dumps(self.to_dict(), indent=indent)


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
