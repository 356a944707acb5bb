"""The factsheet's charts: Altair specifications rendered to SVG by vl-convert, offline.

Each chart comes with its data table (the same cells, each tagged with the figure it shows) and
an alt text written from the data. A hidden cell is drawn as a × on the axis and printed as ×
in the table, never as zero. The same SVG goes into the HTML and the PDF.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Literal

import altair as alt
import pandas as pd
import vl_convert as vlc

from victim_monitor.reporting.figures import (
    Lang,
    format_int,
    format_percent,
    format_percent_range,
    round_significant,
)
from victim_monitor.reporting.labels import HIDDEN_MARK, SHORT, WORDS, category
from victim_monitor.reporting.published import Cell, Estimate, Published, PublishedTable
from victim_monitor.vocab import Label

FONT = "DejaVu Sans"
# The Dutch government's house colours: ribbon blue, sky blue, orange, green, violet.
PALETTE = ("#154273", "#8fcae7", "#e17000", "#39870c", "#a90061", "#777777")
WIDTH = 300
HEIGHT = 130


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A chart of one published table: years on the x axis, one series per category."""

    key: str
    table: str
    series: str
    mark: Literal["line", "bar"]
    title: Label
    exclude: tuple[str, ...] = ("Total", "unknown")


SPECS: tuple[ChartSpec, ...] = (
    ChartSpec(
        "victims_by_form",
        "victims_by_form",
        "form_group",
        "line",
        Label(
            "Geregistreerde slachtoffers per jaar, naar uitbuitingsvorm",
            "Registered victims per year, by form of exploitation",
        ),
    ),
    ChartSpec(
        "domestic_by_age",
        "domestic_sexual_by_age",
        "age_group",
        "bar",
        Label(
            "Binnenlandse seksuele uitbuiting: geregistreerde slachtoffers naar leeftijd",
            "Domestic sexual exploitation: registered victims by age group",
        ),
    ),
    ChartSpec(
        "police_by_group",
        "police_reports_by_group",
        "form_group",
        "line",
        Label("Politiemeldingen naar slachtoffergroep", "Police reports by victim group"),
    ),
    ChartSpec(
        "reporter_type",
        "victims_by_reporter_type",
        "reporter_type",
        "bar",
        Label(
            "Slachtoffers gemeld door opsporings- en niet-opsporingsinstanties",
            "Victims reported by investigative and non-investigative organisations",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Value:
    """One number of a data table: as printed, and the figure it is (``ref``)."""

    text: str
    ref: str
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class DataTable:
    """The numbers behind a chart: a header row and labelled rows."""

    corner: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Value, ...]], ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart: title, alt text, SVG (or, before rendering, the Vega-Lite spec), data, notes."""

    key: str
    title: str
    alt: str
    svg: str
    table: DataTable
    notes: tuple[str, ...]


def _name(table: PublishedTable, dimension: str, code: str, lang: Lang) -> str:
    """Short legend names for the form groups, else the publication's own label."""
    if code in SHORT:
        return SHORT[code](lang)
    published = table.label(dimension, code)
    return (published or category(dimension, code))(lang)


# CBS's sign for figures that are missing; a suppressed cell is ×, a zero is 0.
NOT_AVAILABLE_MARK = "."
NOT_AVAILABLE_NOTE = Label(
    "niet beschikbaar: hiervoor is geen cijfer gepubliceerd",
    "not available: no figure was published",
)


def _cell_text(cell: Cell, lang: Lang) -> str:
    if cell.status == "not_available":  # a publication from published figures has none
        return NOT_AVAILABLE_MARK
    return HIDDEN_MARK if cell.value is None else format_int(cell.value, lang)


def _series(spec: ChartSpec, table: PublishedTable) -> list[str]:
    return [c for c in table.categories(spec.series) if c not in spec.exclude]


def _years(published: Published) -> list[str]:
    return [str(y) for y in published.years]


def _theme(chart: alt.LayerChart) -> alt.LayerChart:
    themed: alt.LayerChart = (
        chart.configure(font=FONT)
        .configure_axis(
            labelFontSize=9, titleFontSize=9, gridColor="#e6e6e6", domainColor="#888888"
        )
        .configure_legend(labelFontSize=9, symbolSize=60)
        .configure_view(stroke=None)
    )
    return themed


def _spec(chart: alt.LayerChart) -> str:
    """The Vega-Lite JSON of a chart, themed (rendered later, all charts at once)."""
    return json.dumps(_theme(chart).to_dict(validate=False))


def _render(spec: str, key: str) -> str:
    svg: str = vlc.vegalite_to_svg(spec)
    # Several charts sit in one HTML page: keep any ids they define apart.
    svg = re.sub(r'id="([^"]+)"', rf'id="{key}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", svg)


def table_chart(spec: ChartSpec, published: Published, lang: Lang) -> Chart:
    """A line or grouped-bar chart of one published table, with its data table."""
    table = published.table(spec.table)
    years = _years(published)
    series = _series(spec, table)
    position = {d: i for i, d in enumerate(table.dimensions)}

    def key_of(year: str, code: str) -> tuple[str, ...]:
        key = ["", ""]
        key[position["year"]] = year
        key[position[spec.series]] = code
        return tuple(key)

    names = [_name(table, spec.series, c, lang) for c in series]
    rows: list[dict[str, Any]] = []
    for code, name in zip(series, names, strict=True):
        for year in years:
            cell = table.cells[key_of(year, code)]
            rows.append({"year": year, "series": name, "value": cell.value, "hidden": cell.hidden})
    frame = pd.DataFrame(rows)
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(domain=names, range=list(PALETTE[: len(names)])),
        legend=alt.Legend(orient="bottom", columns=1, title=None, labelLimit=WIDTH),
    )
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    y = alt.Y("value:Q", title=None, scale=alt.Scale(zero=True))
    shown = frame[~frame["hidden"]]
    hidden = frame[frame["hidden"]].assign(zero=0)
    layers: list[alt.Chart] = []
    if spec.mark == "line":
        base = alt.Chart(frame).encode(x=x, y=y, color=colour)
        layers.append(base.mark_line(strokeWidth=2, invalid="break-paths-show-domains"))
        layers.append(
            alt.Chart(shown).mark_point(filled=True, size=30).encode(x=x, y=y, color=colour)
        )
        marks = alt.Chart(hidden).mark_text(text=HIDDEN_MARK, fontSize=13, fontWeight="bold", dy=-5)
        layers.append(marks.encode(x=x, y=alt.Y("zero:Q"), color=colour))
    else:
        offset = alt.XOffset("series:N", sort=names)
        layers.append(alt.Chart(shown).mark_bar().encode(x=x, xOffset=offset, y=y, color=colour))
        marks = alt.Chart(hidden).mark_text(text=HIDDEN_MARK, fontSize=13, fontWeight="bold", dy=-5)
        layers.append(marks.encode(x=x, xOffset=offset, y=alt.Y("zero:Q"), color=colour))
    chart = _sized(alt.layer(*layers))

    table_rows: list[tuple[str, tuple[Value, ...]]] = []
    # The data table has every published category (unknown too); the chart leaves unknown out.
    categories = table.categories(spec.series)
    row_codes = [c for c in categories if c != "Total"] + [c for c in categories if c == "Total"]
    for code in row_codes:
        values = tuple(
            Value(
                _cell_text(table.cells[key_of(year, code)], lang),
                f"{spec.table}[{', '.join(key_of(year, code))}]",
                table.cells[key_of(year, code)].hidden,
            )
            for year in years
        )
        table_rows.append((_name(table, spec.series, code, lang), values))
    data = DataTable(WORDS["year"](lang), tuple(years), tuple(table_rows))
    kind = WORDS["line_chart" if spec.mark == "line" else "bar_chart"](lang)
    any_hidden = any(v.hidden for _, vs in table_rows for v in vs)
    notes = [f"{HIDDEN_MARK} = {published.suppressed_note(lang)}"] if any_hidden else []
    if any(c.status == "not_available" for c in table.cells.values()):
        notes.append(f"{NOT_AVAILABLE_MARK} = {NOT_AVAILABLE_NOTE(lang)}")
    if any(c.status == "rounded" for c in table.cells.values()):
        notes.append(WORDS["rounded_note"](lang).format(base=published.rounding_base))
    return Chart(
        spec.key,
        spec.title(lang),
        _alt_text(
            kind,
            spec.title(lang),
            years,
            [r for r, c in zip(table_rows, row_codes, strict=True) if c in series],
            lang,
        ),
        _spec(chart),
        data,
        tuple(notes),
    )


def _alt_text(
    kind: str,
    title: str,
    years: Sequence[str],
    rows: Sequence[tuple[str, tuple[Value, ...]]],
    lang: Lang,
) -> str:
    first, last = years[0], years[-1]
    word = WORDS["in_year"](lang)
    hidden = WORDS["hidden"](lang)
    parts = [f"{kind}: {title}, {first}-{last}."]
    for name, values in rows:
        a = hidden if values[0].hidden else values[0].text
        b = hidden if values[-1].hidden else values[-1].text
        parts.append(f"{name}: {a} {word} {first}, {b} {word} {last}.")
    return " ".join(parts)


def coverage_chart(published: Published, lang: Lang) -> Chart:
    """The share registered (registered / estimate) per year, with its interval."""
    rows: list[dict[str, Any]] = []
    table_rows: list[tuple[str, tuple[Value, ...]]] = []
    for year, estimate in published.estimates.items():
        if estimate.coverage is None or estimate.registered is None:
            continue
        value, low, high = estimate.coverage
        rows.append({"year": year, "value": value * 100, "low": low * 100, "high": high * 100})
        table_rows.append(
            (
                year,
                (
                    Value(format_int(estimate.registered, lang), f"victims_by_year[{year}]"),
                    Value(_estimate_range(estimate, lang), f"estimates[{year}].low-high"),
                    Value(format_percent(value, lang), f"coverage[{year}]"),
                    Value(format_percent_range(low, high, lang), f"coverage[{year}].low-high"),
                ),
            )
        )
    frame = pd.DataFrame(rows, columns=["year", "value", "low", "high"])
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    y_title = WORDS["coverage"](lang) + " (%)"
    rule = (
        alt.Chart(frame)
        .mark_rule(strokeWidth=3, color=PALETTE[1])
        .encode(x=x, y=alt.Y("low:Q", title=y_title, scale=alt.Scale(zero=True)), y2="high:Q")
    )
    point = alt.Chart(frame).mark_point(filled=True, size=70, color=PALETTE[0], opacity=1)
    chart = alt.layer(rule, point.encode(x=x, y="value:Q"))
    title = Label(
        "Aandeel slachtoffers in beeld (geregistreerd / geschat), met interval",
        "Share of victims registered (registered / estimated), with interval",
    )(lang)
    header = (
        WORDS["registered"](lang),
        WORDS["estimate"](lang),
        WORDS["coverage_short"](lang),
        WORDS["interval"](lang),
    )
    alt_parts = [f"{WORDS['interval_chart'](lang)}: {title}."]
    for name, values in table_rows:
        alt_parts.append(f"{name}: {values[2].text} ({values[3].text}).")
    note = WORDS["coverage_note"](lang).format(level=f"{published.level:.0%}")
    return Chart(
        "coverage",
        title,
        " ".join(alt_parts),
        _spec(_sized(chart)),
        DataTable(WORDS["year"](lang), header, tuple(table_rows)),
        (note,),
    )


def _sized(chart: alt.LayerChart | alt.FacetChart) -> alt.LayerChart:
    """Every chart the same outer width, so that all are printed at one scale."""
    assert isinstance(chart, alt.LayerChart)
    return chart.properties(
        width=WIDTH, height=HEIGHT, autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )


def _estimate_range(estimate: Estimate, lang: Lang) -> str:
    low = format_int(round_significant(estimate.low, direction="down"), lang)
    high = format_int(round_significant(estimate.high, direction="up"), lang)
    return f"{low}-{high}"


def charts(published: Published, lang: Lang) -> tuple[Chart, ...]:
    """Every chart of the factsheet whose table is published, in reading order."""
    out = [table_chart(s, published, lang) for s in SPECS if s.table in published.tables]
    if any(e.coverage is not None for e in published.estimates.values()):
        out.append(coverage_chart(published, lang))
    return render(out)


def render(specified: Sequence[Chart]) -> tuple[Chart, ...]:
    """Render every chart's spec to SVG; vl-convert runs outside the GIL, so in threads."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        svgs = list(pool.map(lambda c: _render(c.svg, c.key), specified))
    return tuple(replace(c, svg=svg) for c, svg in zip(specified, svgs, strict=True))
