"""Small published tables with made-up counts, for the trend and finding tests."""

from __future__ import annotations

from collections.abc import Mapping

from victim_monitor.published import PublishedCell, PublishedTable
from victim_monitor.vocab import Label

YEARS = ("2014", "2015", "2016", "2017", "2018")


def table(name: str, dim: str | None, series: Mapping[str, list[int | None]]) -> PublishedTable:
    """A year (x ``dim``) table; ``series[category]`` are the yearly values (None: hidden)."""
    dims = ("year",) if dim is None else ("year", dim)
    cats = list(series)
    cells = []
    for i, year in enumerate(YEARS):
        for cat in cats:
            value = series[cat][i]
            key = (year,) if dim is None else (year, cat)
            cells.append(PublishedCell(key, value, "suppressed" if value is None else "shown"))
    categories = {"year": YEARS} if dim is None else {"year": YEARS, dim: tuple(cats)}
    return PublishedTable(
        name=name, title=Label(name, name), definition=Label("", ""), measure="persons",
        counting="once", counting_label=Label("", ""), dimensions=dims,
        dimension_labels={d: Label(d, d) for d in dims},
        categories=categories,
        labels={d: {c: Label(c, c) for c in cs} for d, cs in categories.items()},
        margins=dims[1:], overlapping=(), fixed={}, cells=tuple(cells),
    )  # fmt: skip
