"""Change between years and periods, from published counts, with an exact Poisson interval.

Counts of a year are taken as Poisson. For periods A and B of ``n_A`` and ``n_B`` years with
totals ``X_A`` and ``X_B``, the rate ratio ``R = (X_B / n_B) / (X_A / n_A)`` has the exact
conditional interval: given ``X_A + X_B``, ``X_B`` is binomial with
``p = n_B R / (n_A + n_B R)``, so the Clopper-Pearson limits of ``p`` give those of ``R``. A
change is a trend (``up``/``down``) only when the whole interval lies on one side of 1: noise
is not called a trend. Method note: ``docs/methods/findings.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from scipy.stats import beta

from victim_monitor.published.model import CellKey, PublishedTable, Trend

LEVEL = 0.95


def rate_ratio_interval(
    a: int, n_a: int, b: int, n_b: int, level: float = LEVEL
) -> tuple[float, float, float]:
    """(ratio, low, high) of the rate in B over the rate in A (exact, conditional)."""
    if a < 0 or b < 0 or n_a <= 0 or n_b <= 0:
        raise ValueError("counts must be >= 0 and periods at least one year")
    total = a + b
    if total == 0:
        return math.nan, 0.0, math.inf
    alpha = 1.0 - level
    p_low = 0.0 if b == 0 else float(beta.ppf(alpha / 2, b, a + 1))
    p_high = 1.0 if a == 0 else float(beta.ppf(1 - alpha / 2, b + 1, a))
    scale = n_a / n_b

    def ratio(p: float) -> float:
        return math.inf if p >= 1.0 else scale * p / (1.0 - p)

    point = math.inf if a == 0 else (b / n_b) / (a / n_a)
    return point, ratio(p_low), ratio(p_high)


def trend(
    table: PublishedTable,
    key: Sequence[tuple[str, str]],
    from_years: Sequence[str],
    to_years: Sequence[str],
    level: float = LEVEL,
) -> Trend | None:
    """The change of one cell (``key``: its non-year categories) between two periods.

    ``None`` when a cell of either period is not shown, or both periods are empty.
    """
    cells = []
    values: dict[str, int] = {}
    for year in [*from_years, *to_years]:
        where = {**dict(key), "year": year}
        cell = table.cell(**where)
        if cell.outcome != "shown" or cell.value is None:
            return None
        values[year] = cell.value
        cells.append(CellKey.of(table.name, where))
    a = sum(values[y] for y in from_years)
    b = sum(values[y] for y in to_years)
    if a == 0:
        return None
    ratio, low, high = rate_ratio_interval(a, len(from_years), b, len(to_years), level)
    direction: Literal["up", "down", "none"] = (
        "down" if high < 1.0 else "up" if low > 1.0 else "none"
    )
    return Trend(
        id=trend_id(table.name, key, from_years, to_years),
        table=table.name,
        key=tuple(sorted(key)),
        from_years=tuple(from_years),
        to_years=tuple(to_years),
        from_value=round(a / len(from_years), 4),
        to_value=round(b / len(to_years), 4),
        ratio=round(ratio, 4),
        low=round(low, 4),
        high=round(high, 4),  # finite: the earlier period is not empty
        direction=direction,
        cells=tuple(cells),
    )


def trend_id(
    table: str, key: Sequence[tuple[str, str]], from_years: Sequence[str], to_years: Sequence[str]
) -> str:
    """``table/dim=code;dim=code/2014+2015/2018``: stable, readable."""
    where = ";".join(f"{d}={c}" for d, c in sorted(key))
    return f"{table}/{where}/{'+'.join(from_years)}/{'+'.join(to_years)}"


def comparisons(years: Sequence[str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The periods compared: first to last year, the year before to the last, the first two
    years to the last, and the average of the earlier years to the last."""
    ys = tuple(years)
    if len(ys) < 2:
        return []
    pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
        ((ys[0],), (ys[-1],)),
        ((ys[-2],), (ys[-1],)),
    ]
    if len(ys) >= 4:
        pairs.append((ys[:2], (ys[-1],)))
    if len(ys) >= 3:
        pairs.append((ys[:-1], (ys[-1],)))
    return list(dict.fromkeys(pairs))


def trends(
    tables: Sequence[PublishedTable], years: Sequence[str], level: float = LEVEL
) -> tuple[Trend, ...]:
    """Every comparison of every shown cell of ``tables`` (margins included)."""
    out: list[Trend] = []
    for table in tables:
        others = [d for d in table.dimensions if d != "year"]
        keys = sorted(
            {tuple((d, c) for d, c in zip(table.dimensions, cell.key, strict=True) if d != "year")
             for cell in table.cells},
            key=lambda k: [table.categories[d].index(c) for d, c in k],
        )  # fmt: skip
        assert all(len(k) == len(others) for k in keys)
        for key in keys:
            for from_years, to_years in comparisons(years):
                found = trend(table, key, from_years, to_years, level)
                if found is not None:
                    out.append(found)
    return tuple(out)
