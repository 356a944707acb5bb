"""The end-to-end report: per method and setting, bias, RMSE and coverage against the truth.

Every measure is over population-years (one population, one year). ``ratio`` is the estimate
over the true number; ``bias`` the median of ``ratio - 1`` and ``RMSE`` the root mean square of
``ratio - 1``, over the estimable population-years; ``coverage`` the share of those whose
published interval holds the true number (``narrow``: the interval before the linkage
widening). Not-estimable years count in ``not estimable`` only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import altair as alt
import numpy as np
import pandas as pd
import vl_convert as vlc

from benchmarks.endtoend import METHODS, SOURCES, Population
from victim_monitor.estimation.estimable import MAX_RATIO
from victim_monitor.publication.run import PUBLISHED_METHOD as PUBLISHED

FONT = "DejaVu Sans"
COLOURS = ("#154273", "#e17000")  # linked, true: the factsheet's ribbon blue and orange


def frame(populations: Iterable[Population]) -> pd.DataFrame:
    """One row per population, year, method and source (linked or true histories)."""
    rows = []
    for p in populations:
        s = p.setting
        for y in p.years:
            for e in y.estimates:
                rows.append(
                    {
                        "seed": s.seed,
                        "scale": s.scale,
                        "heterogeneity": s.heterogeneity,
                        "difficulty": s.difficulty,
                        "year": y.year,
                        "true_n": y.true_n,
                        "registered": y.persons("true"),
                        "linked": y.persons("linked"),
                        "method": e.method,
                        "source": e.source,
                        "observed": e.observed,
                        "estimate": e.estimate,
                        "low": e.low,
                        "high": e.high,
                        "reason": e.reason,
                        "narrow_low": e.narrow_low if e.narrow_low is not None else e.low,
                        "narrow_high": e.narrow_high if e.narrow_high is not None else e.high,
                        "seconds": e.seconds,
                    }
                )
    data = pd.DataFrame(rows)
    if data.empty:
        return data
    numbers = ["estimate", "low", "high", "narrow_low", "narrow_high"]
    data[numbers] = data[numbers].astype(float)
    data["estimable"] = data["estimate"].notna()
    data["ratio"] = data["estimate"] / data["true_n"]
    data["covered"] = (data["low"] <= data["true_n"]) & (data["true_n"] <= data["high"])
    data["narrow_covered"] = (data["narrow_low"] <= data["true_n"]) & (
        data["true_n"] <= data["narrow_high"]
    )
    data["width"] = (data["high"] - data["low"]) / data["true_n"]
    data["runaway"] = data["estimate"] > MAX_RATIO * data["observed"]
    return data


def measures(rows: pd.DataFrame) -> dict[str, float]:
    """The measures of a set of population-years (one method and source)."""
    shown = rows[rows["estimable"]]
    error = shown["ratio"] - 1
    return {
        "n": float(len(rows)),
        "bias": float(error.median()) if len(shown) else np.nan,
        "rmse": float(np.sqrt((error**2).mean())) if len(shown) else np.nan,
        "coverage": float(shown["covered"].mean()) if len(shown) else np.nan,
        "narrow": float(shown["narrow_covered"].mean()) if len(shown) else np.nan,
        "width": float(shown["width"].median()) if len(shown) else np.nan,
        "not_estimable": float((~rows["estimable"]).mean()) if len(rows) else np.nan,
        "runaway": float(rows["runaway"].sum()),
    }


def _methods(data: pd.DataFrame) -> list[str]:
    found = set(data["method"])
    return [m for m in METHODS if m in found] + sorted(found - set(METHODS))


def _pct(value: float, sign: bool = False) -> str:
    if np.isnan(value):
        return ""
    return f"{value:+.1%}" if sign else f"{value:.0%}"


def overall(data: pd.DataFrame) -> str:
    """Per method, linked and true histories side by side."""
    lines = [
        "| method | histories | population-years | median bias | RMSE | coverage "
        "| coverage before widening | median width / N | not estimable | above 20x |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for method in _methods(data):
        for source in SOURCES:
            rows = data[(data["method"] == method) & (data["source"] == source)]
            if rows.empty:
                continue
            m = measures(rows)
            narrow = _pct(m["narrow"]) if source == "linked" else ""
            name = f"**{method} (published)**" if method == PUBLISHED else method
            lines.append(
                f"| {name} | {source} | {m['n']:.0f} | {_pct(m['bias'], True)} "
                f"| {m['rmse']:.1%} | {_pct(m['coverage'])} | {narrow} | {m['width']:.2f} "
                f"| {_pct(m['not_estimable'])} | {m['runaway']:.0f} |"
            )
    return "\n".join(lines)


def by_setting(data: pd.DataFrame, by: Sequence[str] = ("heterogeneity", "difficulty")) -> str:
    """Per setting and method: bias, coverage and not estimable, linked / true."""
    head = " | ".join(by)
    lines = [
        f"| {head} | method | bias linked / true | RMSE linked / true "
        "| coverage linked / true | not estimable linked / true |",
        "|" + "---|" * len(by) + "---|---:|---:|---:|---:|",
    ]
    for key, rows in data.groupby(list(by), sort=True):
        values = key if isinstance(key, tuple) else (key,)
        cells = " | ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)
        for method in _methods(rows):
            here = rows[rows["method"] == method]
            a, b = (measures(here[here["source"] == s]) for s in SOURCES)
            lines.append(
                f"| {cells} | {method} | {_pct(a['bias'], True)} / {_pct(b['bias'], True)} "
                f"| {a['rmse']:.0%} / {b['rmse']:.0%} "
                f"| {_pct(a['coverage'])} / {_pct(b['coverage'])} "
                f"| {_pct(a['not_estimable'])} / {_pct(b['not_estimable'])} |"
            )
    return "\n".join(lines)


def errors(data: pd.DataFrame, method: str = PUBLISHED) -> str:
    """Where the error comes from, for one method: linkage (linked against true histories of
    the same population-year) and model (true histories against the true number)."""
    keys = ["seed", "scale", "heterogeneity", "difficulty", "year"]
    mine = data[data["method"] == method]
    both = mine[mine["source"] == "linked"].merge(
        mine[mine["source"] == "true"], on=keys, suffixes=("", "_true")
    )
    both = both[both["estimable"] & both["estimable_true"]]
    both["linkage"] = both["estimate"] / both["estimate_true"] - 1
    both["model"] = both["ratio_true"] - 1
    both["persons"] = both["linked"] / both["registered"] - 1
    lines = [
        "| heterogeneity | difficulty | population-years | persons linked / true "
        "| linkage error: median, median absolute | model error: median, median absolute |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for (h, d), rows in both.groupby(["heterogeneity", "difficulty"], sort=True):
        lines.append(
            f"| {h:g} | {d} | {len(rows)} | {rows['persons'].median():+.1%} "
            f"| {rows['linkage'].median():+.1%}, {rows['linkage'].abs().median():.1%} "
            f"| {rows['model'].median():+.1%}, {rows['model'].abs().median():.1%} |"
        )
    return "\n".join(lines)


def reasons(data: pd.DataFrame) -> str:
    """Why estimates were not estimable, per method and source."""
    missing = data[~data["estimable"]]
    if missing.empty:
        return "Every estimate was estimable."
    counts = missing.groupby(["method", "source", "reason"]).size().reset_index(name="n")
    parts = [f"{r.method} {r.source}: {r.reason} {r.n}" for r in counts.itertuples()]
    return "Not estimable, by reason: " + "; ".join(parts) + "."


def chart(data: pd.DataFrame) -> alt.VConcatChart:
    """Above: estimate / true number per population-year; below: coverage of the 95% interval.
    By method and heterogeneity (columns) and difficulty (rows), linked and true histories
    side by side."""
    shown = data[data["estimable"]].copy()
    shown["heterogeneity"] = shown["heterogeneity"].map(lambda h: f"heterogeneity {h:g}")
    keys = ["method", "source", "heterogeneity", "difficulty"]
    x = alt.X("method:N", sort=_methods(data), title=None, axis=alt.Axis(labelAngle=0))
    offset = alt.XOffset("source:N", sort=list(SOURCES))
    colour = alt.Color(
        "source:N", sort=list(SOURCES), scale=alt.Scale(range=list(COLOURS)), title="histories"
    )
    points = (
        alt.Chart()
        .mark_point(size=12, opacity=0.5, filled=True)
        .encode(
            x=x,
            xOffset=offset,
            y=alt.Y(
                "ratio:Q",
                scale=alt.Scale(type="log", domain=[0.25, 4], clamp=True, nice=False),
                axis=alt.Axis(values=[0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4]),
                title="estimate / true number",
            ),
            color=colour,
        )
    )
    one = alt.Chart().mark_rule(color="#444444").encode(y=alt.datum(1))
    covered = shown.groupby(keys, as_index=False)["covered"].mean()
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=x,
            xOffset=offset,
            y=alt.Y(
                "covered:Q", scale=alt.Scale(domain=[0, 1]), title="coverage of the 95% interval"
            ),
            color=colour,
        )
    )
    aim = alt.Chart().mark_rule(color="#444444", strokeDash=[4, 3]).encode(y=alt.datum(0.95))
    column = alt.Column("heterogeneity:N", title=None)
    row = alt.Row("difficulty:N", title=None)
    spread = alt.layer(points, one, data=shown[[*keys, "ratio"]]).properties(width=220, height=170)
    coverage = alt.layer(bars, aim, data=covered).properties(width=220, height=170)
    both: alt.VConcatChart = alt.vconcat(
        spread.facet(column=column, row=row), coverage.facet(column=column, row=row)
    ).configure(font=FONT)
    return both


def svg(figure: alt.VConcatChart) -> str:
    """The chart as SVG, rendered offline by vl-convert."""
    rendered: str = vlc.vegalite_to_svg(json.dumps(figure.to_dict(validate=False)))
    return rendered
