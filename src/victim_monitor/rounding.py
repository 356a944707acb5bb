"""The one rounding rule for printed figures, shared by the findings and the factsheet.

A fact is printed the same way wherever it appears (text, findings, key figure, tables):
estimates at two significant digits (7,480 -> 7,500) with the ends of an interval rounded
outwards; percentages whole, with one decimal below 10% (a coverage of 2.4% is not "2%"), the
ends of a percentage interval also outwards. Method note: ``docs/methods/factsheet.md``.
"""

from __future__ import annotations

import math
from typing import Literal

Direction = Literal["nearest", "down", "up"]


def _rounded(scaled: float, direction: Direction) -> int:
    if direction == "down":
        return math.floor(scaled + 1e-9)
    if direction == "up":
        return math.ceil(scaled - 1e-9)
    return round(scaled)


def round_significant(value: float, digits: int = 2, direction: Direction = "nearest") -> int:
    """Round to ``digits`` significant digits (7,480 -> 7,500), as estimates are published.

    Interval ends are rounded outwards (``direction`` "down" for the lower, "up" for the
    upper end), so that a printed interval never claims more precision than the estimate.
    """
    if value == 0 or not math.isfinite(value):
        return 0
    magnitude = math.floor(math.log10(abs(value)))
    step = 10 ** max(magnitude - digits + 1, 0)
    return int(_rounded(value / step, direction) * step)


def percent_decimals(fraction: float) -> int:
    """Whole percentages, one decimal below 10% (a coverage of 2.4% is not "2%")."""
    return 1 if abs(fraction) < 0.1 else 0


def round_percent(
    fraction: float, direction: Direction = "nearest", decimals: int | None = None
) -> float:
    """A fraction as the percentage printed: 0.632 -> 63.0, 0.024 -> 2.4."""
    places = percent_decimals(fraction) if decimals is None else decimals
    scale = 10.0**places
    return _rounded(fraction * 100 * scale, direction) / scale
