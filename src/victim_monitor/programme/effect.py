"""Before and after a measure started: what the series shows, and what it cannot show.

The rule (docs/methods/programme.md) compares the mean yearly count after the start year with
the mean before it, using the exact conditional test for two Poisson rates, and claims a
change only when the 95% interval of the rate ratio excludes 1, there are at least
``MIN_YEARS`` shown years on each side, and the years before show no trend of their own. Even
then it says the series changed, never that the measure caused the change: a before/after
comparison of one series cannot separate a measure from everything else that changed (in the
Dutch monitor, for one, the GDPR cut reports by non-investigative organisations in 2018).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.stats import beta, norm

from victim_monitor.programme.series import LEVEL, Observation
from victim_monitor.vocab import Label

MIN_YEARS = 2


class Verdict(StrEnum):
    TOO_EARLY = "too_early"  # no start date, or no year after the start year yet
    INSUFFICIENT = "insufficient"  # too few shown years, or no uncertainty known
    NO_CHANGE_SHOWN = "no_change_shown"
    TREND_BEFORE = "trend_before"  # the series was already moving before the start
    CHANGE_AS_EXPECTED = "change_as_expected"
    CHANGE_AGAINST_EXPECTED = "change_against_expected"
    CHANGE = "change"  # a change where no direction was expected


VERDICTS: dict[Verdict, Label] = {
    Verdict.TOO_EARLY: Label(
        "Te vroeg: nog geen jaren na de start (of geen startdatum).",
        "Too early: no years after the start yet (or no start date).",
    ),
    Verdict.INSUFFICIENT: Label(
        "Onvoldoende gegevens om een verandering te kunnen laten zien.",
        "Not enough data to show a change.",
    ),
    Verdict.NO_CHANGE_SHOWN: Label(
        "Geen verandering aantoonbaar: het verschil valt binnen de onzekerheid.",
        "No change shown: the difference is within the uncertainty.",
    ),
    Verdict.TREND_BEFORE: Label(
        "De reeks veranderde al vóór de start; een effect is niet te scheiden van die trend.",
        "The series was already changing before the start; an effect cannot be separated "
        "from that trend.",
    ),
    Verdict.CHANGE_AS_EXPECTED: Label(
        "Na de start veranderde de reeks in de verwachte richting. Dit laat niet zien dat de "
        "maatregel de oorzaak is.",
        "After the start the series changed in the expected direction. This does not show "
        "that the measure caused it.",
    ),
    Verdict.CHANGE_AGAINST_EXPECTED: Label(
        "Na de start veranderde de reeks tegen de verwachte richting in.",
        "After the start the series changed against the expected direction.",
    ),
    Verdict.CHANGE: Label(
        "Na de start veranderde de reeks; er was geen richting verwacht.",
        "After the start the series changed; no direction was expected.",
    ),
}


@dataclass(frozen=True, slots=True)
class Comparison:
    """The series split at the start year, the rate ratio with its interval, and the verdict."""

    start_year: int | None
    before: tuple[Observation, ...]
    after: tuple[Observation, ...]
    verdict: Verdict
    ratio: float | None = None
    lower: float | None = None
    upper: float | None = None
    trend_p: float | None = None

    @property
    def claim(self) -> Label:
        return VERDICTS[self.verdict]

    def summary(self) -> str:
        ratio = "" if self.ratio is None else f" (after/before {self.ratio:.2f}, "
        ratio += "" if self.lower is None else f"{self.lower:.2f}-{self.upper:.2f})"
        return f"{self.claim.en}{ratio}"

    def as_dict(self) -> dict[str, object]:
        return {
            "start_year": self.start_year,
            "before": [o.as_dict() for o in self.before],
            "after": [o.as_dict() for o in self.after],
            "verdict": str(self.verdict),
            "claim": {"nl": self.claim.nl, "en": self.claim.en},
            "ratio": self.ratio,
            "lower": self.lower,
            "upper": self.upper,
            "trend_p": self.trend_p,
        }


def compare(
    series: Sequence[Observation], start_year: int | None, expected: str, unit: str = "count"
) -> Comparison:
    """Apply the rule to ``series`` for a measure that started in ``start_year``.

    The start year itself is left out: a measure starting in it touches only part of it.
    """
    if start_year is None:
        return Comparison(None, (), (), Verdict.TOO_EARLY)
    if not series:
        return Comparison(start_year, (), (), Verdict.INSUFFICIENT)
    before = tuple(o for o in series if o.year < start_year)
    after = tuple(o for o in series if o.year > start_year)
    shown_before = [o for o in before if o.value is not None]
    shown_after = [o for o in after if o.value is not None]
    if not after:
        return Comparison(start_year, before, after, Verdict.TOO_EARLY)
    if len(shown_before) < MIN_YEARS or len(shown_after) < MIN_YEARS:
        return Comparison(start_year, before, after, Verdict.INSUFFICIENT)
    if unit == "count" and all(_count(o) for o in shown_before + shown_after):
        return _counts(start_year, before, after, shown_before, shown_after, expected)
    return _bounded(start_year, before, after, shown_before, shown_after, expected)


def _count(o: Observation) -> bool:
    return o.value is not None and o.value >= 0 and float(o.value).is_integer()


def _counts(
    start: int,
    before: tuple[Observation, ...],
    after: tuple[Observation, ...],
    shown_before: list[Observation],
    shown_after: list[Observation],
    expected: str,
) -> Comparison:
    b = int(sum(o.value or 0 for o in shown_before))
    a = int(sum(o.value or 0 for o in shown_after))
    nb, na = len(shown_before), len(shown_after)
    trend_p = _trend_p(shown_before)
    if a + b == 0:
        return Comparison(start, before, after, Verdict.NO_CHANGE_SHOWN, trend_p=trend_p)
    # Given a + b, a is binomial with p = na / (na + nb) when the yearly rates are equal;
    # the Clopper-Pearson interval for p gives one for the rate ratio (after / before).
    alpha = 1 - LEVEL
    p_low = 0.0 if a == 0 else float(beta.ppf(alpha / 2, a, b + 1))
    p_high = 1.0 if b == 0 else float(beta.ppf(1 - alpha / 2, a + 1, b))
    scale = nb / na
    ratio = (a / na) / (b / nb) if b else float("inf")
    lower = p_low / (1 - p_low) * scale
    upper = float("inf") if p_high >= 1 else p_high / (1 - p_high) * scale
    direction = "up" if lower > 1 else "down" if upper < 1 else None
    verdict = _verdict(direction, expected, trend_p)
    return Comparison(start, before, after, verdict, ratio, lower, upper, trend_p)


def _trend_p(shown: list[Observation]) -> float | None:
    """Two-sided p-value of the score test for a log-linear trend in Poisson counts over the
    years before (None under 3 years): U = sum((t - mean t) y), Var U = mean(y) sum((t - mean t)^2)
    under a constant rate. Unlike a fitted slope it needs no iteration and stays defined when
    some years are zero."""
    if len(shown) < 3:
        return None
    years = np.array([o.year for o in shown], dtype=float)
    counts = np.array([o.value for o in shown], dtype=float)
    mean = counts.mean()
    if mean == 0:
        return 1.0
    centred = years - years.mean()
    z = float(centred @ counts) / math.sqrt(mean * float(centred @ centred))
    return float(2 * norm.sf(abs(z)))


def _verdict(direction: str | None, expected: str, trend_p: float | None) -> Verdict:
    if direction is None:
        return Verdict.NO_CHANGE_SHOWN
    if trend_p is not None and trend_p < 1 - LEVEL:
        return Verdict.TREND_BEFORE
    if expected == "none":
        return Verdict.CHANGE
    return Verdict.CHANGE_AS_EXPECTED if direction == expected else Verdict.CHANGE_AGAINST_EXPECTED


def _bounded(
    start: int,
    before: tuple[Observation, ...],
    after: tuple[Observation, ...],
    shown_before: list[Observation],
    shown_after: list[Observation],
    expected: str,
) -> Comparison:
    """Shares and entered values: a change only when every interval after lies wholly above
    (or below) every interval before; without bounds nothing can be shown."""
    if any(o.lower is None or o.upper is None for o in shown_before + shown_after):
        return Comparison(start, before, after, Verdict.INSUFFICIENT)
    high_before = max(o.upper or 0.0 for o in shown_before)
    low_before = min(o.lower or 0.0 for o in shown_before)
    low_after = min(o.lower or 0.0 for o in shown_after)
    high_after = max(o.upper or 0.0 for o in shown_after)
    direction = "up" if low_after > high_before else "down" if high_after < low_before else None
    return Comparison(start, before, after, _verdict(direction, expected, None))
