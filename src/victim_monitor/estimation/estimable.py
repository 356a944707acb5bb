"""Whether an estimate may be shown as a number: it exists, is bounded and lies in its interval.

Every estimate that leaves the estimation code for a reader (the command's summary and JSON,
the published estimates, strata) passes :func:`judge`. One that fails is *not estimable*: it
is shown with its reason, never as a figure. A lower limit below the registered count is
raised to it (the population holds at least the persons registered), which is not a failure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from victim_monitor.problems import Problem

# The Dutch estimates put the registered share at 9-15% (668 of 5,000-7,500 in 2018); an
# estimate above 20 times its registered count (under 5% registered) rests on the overlap of a
# handful of persons and is not published as a figure.
MAX_RATIO = 20.0
MIN_OBSERVED = 10


@dataclass(frozen=True)
class Reason:
    """Why an estimate is not shown, as a code and in both languages."""

    code: str
    en: str
    nl: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "en": self.en, "nl": self.nl}


REASONS: dict[str, Reason] = {
    r.code: r
    for r in (
        Reason(
            "too_small",
            f"fewer than {MIN_OBSERVED} registered, or no one on two lists",
            f"minder dan {MIN_OBSERVED} geregistreerd, of niemand op twee lijsten",
        ),
        Reason(
            "no_mle",
            "the model's estimate does not exist on these data (it is infinite or not "
            "identifiable)",
            "de schatting van het model bestaat niet bij deze gegevens (oneindig of niet "
            "identificeerbaar)",
        ),
        Reason("no_estimate", "no finite estimate", "geen eindige schatting"),
        Reason(
            "unbounded",
            "the interval has no upper limit",
            "het interval heeft geen bovengrens",
        ),
        Reason(
            "outside_interval",
            "the estimate lies outside its own interval",
            "de schatting ligt buiten haar eigen interval",
        ),
        Reason(
            "runaway",
            f"more than {MAX_RATIO:g} times the registered count: the lists hardly overlap",
            f"meer dan {MAX_RATIO:g} keer het geregistreerde aantal: de lijsten overlappen "
            "nauwelijks",
        ),
        Reason(
            "linkage",
            "not estimable at every link threshold of the review band",
            "niet te schatten bij elke koppeldrempel van de twijfelzone",
        ),
        Reason(
            "stratum",
            "one of the groups it is made of is not estimable",
            "een van de groepen waaruit het bestaat is niet te schatten",
        ),
    )
}


@dataclass(frozen=True)
class Judged:
    """An estimate and its interval as they may be shown, or the reason they may not (then
    all three are NaN)."""

    estimate: float
    low: float
    high: float
    reason: Reason | None = None
    raised_low: bool = False

    @property
    def estimable(self) -> bool:
        return self.reason is None


def judge(
    observed: int,
    estimate: float,
    low: float,
    high: float,
    *,
    exists: bool = True,
    too_small: bool = False,
    linkage: bool = True,
) -> Judged:
    """The estimate as it may be shown: checks in the order of :data:`REASONS`.

    ``linkage=False``: not estimable at some link threshold of the review band."""
    code = "linkage" if not linkage else None
    code = code or _failure(observed, estimate, low, high, exists=exists, too_small=too_small)
    if code is not None:
        return Judged(math.nan, math.nan, math.nan, REASONS[code])
    shown_low = max(low, float(observed))
    return Judged(estimate, shown_low, high, None, raised_low=shown_low > low)


def _failure(
    observed: int, estimate: float, low: float, high: float, *, exists: bool, too_small: bool
) -> str | None:
    if too_small or observed < MIN_OBSERVED:
        return "too_small"
    if not exists:
        return "no_mle"
    if not math.isfinite(estimate) or estimate < observed:
        return "no_estimate"
    if not math.isfinite(high) or math.isnan(low):
        return "unbounded"
    if not low - 0.5 <= estimate <= high + 0.5:
        return "outside_interval"
    if estimate > MAX_RATIO * observed:
        return "runaway"
    return None


def selected_model_exists(warnings: tuple[Problem, ...], method: str) -> bool:
    """False when the estimate's own model was flagged as not existing: VM537 by any method
    (the data do not fix the dark figure), VM530/VM531 by a fixed model.

    Selection methods flag with VM530/VM531 the models they left out, not the one they chose;
    a fixed model (``main``, ``fixed``, ``all-pairs``) has no other to fall back on.
    """
    if any(w.code == "VM537" for w in warnings):
        return False
    if method not in ("main", "fixed", "all-pairs"):
        return True
    return not any(w.code in ("VM530", "VM531") for w in warnings)
