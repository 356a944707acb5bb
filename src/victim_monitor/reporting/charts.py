"""The factsheet's charts: Altair specifications rendered to SVG by vl-convert, offline.

Each chart comes with its data table (the same cells, each tagged with the figure it shows), a
source line and an alt text written from the data. Charts are drawn at their printed size (one
SVG unit is one point in the PDF's column), so the 8 pt of their labels is 8 pt on paper.

A suppressed cell is never drawn as a value: a bar or point is left out (a line breaks there) and
a grey cross sits *below* the axis, in the series' slot, with its own legend entry; the data
table prints ×. Colours: :mod:`victim_monitor.reporting.palette` (3:1 against white, apart
for colour-blind readers); line charts add a marker shape per series. Every text in the SVG is
in the chart's language: Vega's English ARIA descriptions are switched off and numbers use the
language's notation (``1.200`` in Dutch).
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

from victim_monitor.published import PublishedCell, PublishedTable
from victim_monitor.reporting.figures import (
    Lang,
    format_int,
    format_percent,
    format_percent_range,
    round_significant,
)
from victim_monitor.reporting.labels import HIDDEN_MARK, SHORT, WORDS, category
from victim_monitor.reporting.palette import HIDDEN_COLOUR, PALETTE, SHAPES
from victim_monitor.reporting.published import Estimate, Published
from victim_monitor.vocab import Label

FONT = "DejaVu Sans"
FONT_SIZE = 8  # points on paper: the factsheet's minimum
WIDTH = 242  # points: one column of the PDF (A4, 16 mm margins, 7 mm gutter)
HEIGHT = 80  # points: three bands of charts and the text fit three pages of the demo
TEXT_COLOUR = "#333333"
# The cross of a suppressed cell, as an SVG path in Vega's unit square.
CROSS = "M-0.75,-0.75L0.75,0.75M0.75,-0.75L-0.75,0.75"
# Vertical bar: the legend symbol of an interval.
BAR = "M0,-1L0,1"
# d3-format locales: Dutch groups thousands with a point and writes a decimal comma.
LOCALES: dict[str, Literal["nl-NL", "en-GB"]] = {"nl": "nl-NL", "en": "en-GB"}

CHART_WORDS: dict[str, Label] = {
    "suppressed": Label("niet gepubliceerd", "not published"),
    "victims": Label("Geregistreerde slachtoffers", "Registered victims"),
    "police": Label("Door de politie gemelde slachtoffers", "Victims reported by the police"),
    "source": Label(
        "Bron: {publication}, tabel ‘{table}’.", "Source: {publication}, table ‘{table}’."
    ),
    "source_estimates": Label(
        "Bron: {publication}, schattingen en tabel ‘{table}’.",
        "Source: {publication}, estimates and table ‘{table}’.",
    ),
    "share": Label("Aandeel in beeld", "Share registered"),
    "interval_legend": Label("{level} interval", "{level} interval"),
    "overlap": Label(
        "Een slachtoffer dat door beide soorten melders is gemeld, telt in beide rijen: de rijen "
        "tellen op tot meer dan het totaal.",
        "A victim reported by both kinds of reporter counts in both rows: the rows add up to "
        "more than the total.",
    ),
}


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """A chart of one published table: years on the x axis, one series per category."""

    key: str
    table: str
    series: str
    mark: Literal["line", "bar"]
    title: Label
    y_title: Label
    exclude: tuple[str, ...] = ("Total", "unknown")
    overlapping: bool = False  # a victim may be in more than one series: rows exceed the total
    # Drawn when no category has figures for two years but the total has (a publication
    # rebuilt from published figures often has only totals); None: then no chart.
    total_title: Label | None = None


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
        CHART_WORDS["victims"],
        total_title=Label("Geregistreerde slachtoffers per jaar", "Registered victims per year"),
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
        CHART_WORDS["victims"],
    ),
    ChartSpec(
        "police_by_group",
        "police_reports_by_form",
        "form_group",
        "line",
        Label("Politiemeldingen naar slachtoffergroep", "Police reports by victim group"),
        CHART_WORDS["police"],
        total_title=Label("Door de politie gemelde slachtoffers", "Victims reported by the police"),
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
        CHART_WORDS["victims"],
        overlapping=True,  # publication.md: counted under every type of reporter
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
    source: str = ""
    lang: Lang = "en"


def _name(table: PublishedTable, dimension: str, code: str, lang: Lang) -> str:
    """Short legend names for the form groups, else the publication's own label."""
    if code in SHORT:
        return SHORT[code](lang)
    published = table.labels.get(dimension, {}).get(code)
    return (published or category(dimension, code))(lang)


# CBS's sign for figures that are missing; a suppressed cell is ×, a zero is 0.
NOT_AVAILABLE_MARK = "."
NOT_AVAILABLE_NOTE = Label(
    "niet beschikbaar: hiervoor is geen cijfer gepubliceerd",
    "not available: no figure was published",
)


def _cell_text(cell: PublishedCell, lang: Lang) -> str:
    if cell.not_available:  # a publication from published figures has none
        return NOT_AVAILABLE_MARK
    return HIDDEN_MARK if cell.value is None else format_int(cell.value, lang)


MIN_YEARS = 2  # a series is drawn when it has a figure (shown or suppressed) for two years


def _key(spec: ChartSpec, table: PublishedTable, year: str, code: str) -> tuple[str, ...]:
    key = ["", ""]
    key[table.dimensions.index("year")] = year
    key[table.dimensions.index(spec.series)] = code
    return tuple(key)


def _series(spec: ChartSpec, table: PublishedTable, years: Sequence[str]) -> list[str]:
    """The categories drawn: those with figures for two years or more; failing that, the total
    (if the spec allows it); else none. The data table keeps every category."""

    def known(code: str) -> int:
        cells = [table.by_key.get(_key(spec, table, y, code)) for y in years]
        return sum(c is not None and not c.not_available for c in cells)

    drawn = [c for c in table.categories[spec.series] if c not in spec.exclude]
    drawn = [c for c in drawn if known(c) >= MIN_YEARS]
    if not drawn and spec.total_title is not None and known("Total") >= MIN_YEARS:
        drawn = ["Total"]
    return drawn


def _years(published: Published) -> list[str]:
    return [str(y) for y in published.years]


def _theme(chart: alt.LayerChart) -> alt.LayerChart:
    """House style; ``aria=False``: Vega's own descriptions are English ("line mark", ...)."""
    themed: alt.LayerChart = (
        chart.configure(font=FONT, aria=False)
        .configure_axis(
            labelFontSize=FONT_SIZE,
            titleFontSize=FONT_SIZE,
            titleFontWeight="normal",
            labelColor=TEXT_COLOUR,
            titleColor=TEXT_COLOUR,
            gridColor="#e3e3e3",
            domainColor="#666666",
            tickColor="#666666",
        )
        .configure_legend(
            labelFontSize=FONT_SIZE,
            labelColor=TEXT_COLOUR,
            symbolSize=40,
            offset=6,
            symbolStrokeWidth=1.8,
            labelLimit=0,
            rowPadding=2,
            columnPadding=10,
        )
        .configure_view(stroke=None)
    )
    return themed


def _spec(chart: alt.LayerChart) -> str:
    """The Vega-Lite JSON of a chart, themed (rendered later, all charts at once)."""
    return json.dumps(_theme(chart).to_dict(validate=False))


# Vega leaves some ARIA attributes (its English role descriptions) even with aria switched off.
_ARIA = re.compile(r'\s(?:aria-roledescription|aria-label|role)="[^"]*"')


def _render(spec: str, key: str, lang: Lang) -> str:
    svg: str = vlc.vegalite_to_svg(spec, format_locale=LOCALES[lang])
    svg = _ARIA.sub("", svg)
    # Several charts sit in one HTML page: keep any ids they define apart.
    svg = re.sub(r'id="([^"]+)"', rf'id="{key}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", svg)


def _legend(names: Sequence[str]) -> alt.Legend:
    """Below the plot; two columns when every name fits in half the width."""
    columns = 2 if max(len(n) for n in names) * FONT_SIZE * 0.6 + 20 < WIDTH / 2 else 1
    return alt.Legend(orient="bottom", title=None, columns=columns, direction="vertical")


def _x(lang: Lang) -> alt.X:
    # Room under the axis for the crosses of suppressed cells, above the years.
    axis = alt.Axis(labelAngle=0, labelPadding=13, tickSize=0, domain=True)
    return alt.X("year:O", title=WORDS["year"](lang), axis=axis)


def table_chart(spec: ChartSpec, published: Published, lang: Lang) -> Chart | None:
    """A line or grouped-bar chart of one published table, with its data table; ``None`` when
    no series has figures for two years (a chart of one point says nothing the text does not).
    """
    table = published.table(spec.table)
    years = _years(published)
    series = _series(spec, table, years)
    if not series:
        return None
    title = spec.total_title if series == ["Total"] and spec.total_title else spec.title

    def key_of(year: str, code: str) -> tuple[str, ...]:
        return _key(spec, table, year, code)

    names = [_name(table, spec.series, c, lang) for c in series]
    rows: list[dict[str, Any]] = []
    for code, name in zip(series, names, strict=True):
        for year in years:
            cell = table.by_key[key_of(year, code)]
            rows.append(
                {"year": year, "series": name, "slot": name, "value": cell.value,
                 "hidden": cell.suppressed}
            )  # fmt: skip
    frame = pd.DataFrame(rows)
    chart = _sized(_layers(spec, frame, names, lang))

    table_rows: list[tuple[str, tuple[Value, ...]]] = []
    # The data table has every published category (unknown too); the chart leaves unknown out.
    categories = table.categories[spec.series]
    row_codes = [c for c in categories if c != "Total"] + [c for c in categories if c == "Total"]
    for code in row_codes:
        values = tuple(
            Value(
                _cell_text(table.by_key[key_of(year, code)], lang),
                f"{spec.table}[{', '.join(key_of(year, code))}]",
                table.by_key[key_of(year, code)].suppressed,
            )
            for year in years
        )
        table_rows.append((_name(table, spec.series, code, lang), values))
    data = DataTable(WORDS["year"](lang), tuple(years), tuple(table_rows))
    kind = WORDS["line_chart" if spec.mark == "line" else "bar_chart"](lang)
    any_hidden = any(v.hidden for _, vs in table_rows for v in vs)
    notes = [f"{HIDDEN_MARK} = {published.suppressed_note(lang)}"] if any_hidden else []
    if any(c.not_available for c in table.cells):
        notes.append(f"{NOT_AVAILABLE_MARK} = {NOT_AVAILABLE_NOTE(lang)}")
    if any(c.outcome == "rounded" for c in table.cells):
        notes.append(WORDS["rounded_note"](lang).format(base=published.rounding_base))
    if spec.overlapping and "Total" in categories:
        notes.append(CHART_WORDS["overlap"](lang))
    source = CHART_WORDS["source"](lang).format(
        publication=published.label(lang), table=table.title(lang)
    )
    return Chart(
        spec.key,
        title(lang),
        _alt_text(
            kind,
            title(lang),
            years,
            [r for r, c in zip(table_rows, row_codes, strict=True) if c in series],
            lang,
        ),
        _spec(chart),
        data,
        tuple(notes),
        source,
        lang,
    )


def _layers(spec: ChartSpec, frame: pd.DataFrame, names: list[str], lang: Lang) -> alt.LayerChart:
    """Bars or lines with markers, and a cross under the axis for each suppressed cell."""
    hidden_word = CHART_WORDS["suppressed"](lang)
    hidden = frame[frame["hidden"]].assign(zero=0, series=hidden_word)
    shown = frame[~frame["hidden"]]
    domain = names + ([hidden_word] if len(hidden) else [])
    legend = _legend(domain)
    colours = [*PALETTE[: len(names)], HIDDEN_COLOUR]
    shapes = [*(SHAPES[: len(names)] if spec.mark == "line" else ["square"] * len(names)), CROSS]
    colour = alt.Color(
        "series:N", scale=alt.Scale(domain=domain, range=colours[: len(domain)]), legend=legend
    )
    shape = alt.Shape(
        "series:N", scale=alt.Scale(domain=domain, range=shapes[: len(domain)]), legend=legend
    )
    x = _x(lang)
    y = alt.Y("value:Q", title=spec.y_title(lang), scale=alt.Scale(zero=True),
              axis=alt.Axis(tickCount=5, format=",d"))  # fmt: skip
    zero = alt.Y("zero:Q")
    cross = alt.Chart(hidden).mark_point(size=36, strokeWidth=1.6, opacity=1, yOffset=7)
    layers: list[alt.Chart] = []
    if spec.mark == "line":
        line = alt.Chart(frame).mark_line(strokeWidth=1.8)
        layers.append(line.encode(x=x, y=y, color=colour, detail="slot:N"))
        points = alt.Chart(shown).mark_point(filled=True, size=30, opacity=1)
        layers.append(points.encode(x=x, y=y, color=colour, shape=shape))
        if len(hidden):
            layers.append(cross.encode(x=x, y=zero, color=colour, shape=shape))
    else:
        offset = alt.XOffset("slot:N", sort=names)
        bars = alt.Chart(shown).mark_bar()
        layers.append(bars.encode(x=x, xOffset=offset, y=y, color=colour, shape=shape))
        if len(hidden):
            layers.append(cross.encode(x=x, xOffset=offset, y=zero, color=colour, shape=shape))
    layered = alt.layer(*layers)
    assert isinstance(layered, alt.LayerChart)
    return layered


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
    level = f"{published.level:.0%}"
    share_word = CHART_WORDS["share"](lang)
    interval_word = CHART_WORDS["interval_legend"](lang).format(level=level)
    for year, estimate in published.estimates.items():
        if estimate.coverage is None or estimate.registered is None:
            continue
        value, low, high = estimate.coverage
        rows.append({"year": year, "value": value * 100, "low": low * 100, "high": high * 100,
                     "point": share_word, "range": interval_word})  # fmt: skip
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
    frame = pd.DataFrame(rows, columns=["year", "value", "low", "high", "point", "range"])
    x = _x(lang)
    y_title = WORDS["coverage"](lang) + " (%)"
    kinds = [share_word, interval_word]
    legend = alt.Legend(orient="bottom", title=None, direction="horizontal")
    scale = alt.Scale(domain=kinds, range=[PALETTE[0], PALETTE[2]])
    rule = (
        alt.Chart(frame)
        .mark_rule(strokeWidth=3)
        .encode(
            x=x,
            y=alt.Y("low:Q", title=y_title, scale=alt.Scale(zero=True), axis=alt.Axis(tickCount=5)),
            y2="high:Q",
            color=alt.Color("range:N", scale=scale, legend=legend),
            shape=alt.Shape("range:N", scale=alt.Scale(domain=kinds, range=["circle", BAR]),
                            legend=legend),
        )
    )  # fmt: skip
    point = alt.Chart(frame).mark_point(filled=True, size=60, opacity=1)
    chart = alt.layer(
        rule,
        point.encode(
            x=x,
            y="value:Q",
            color=alt.Color("point:N", scale=scale, legend=legend),
            shape=alt.Shape("point:N", scale=alt.Scale(domain=kinds, range=["circle", BAR]),
                            legend=legend),
        ),
    )  # fmt: skip
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
    note = WORDS["coverage_note"](lang).format(level=level)
    registered = published.tables.get("victims_by_year")
    source = CHART_WORDS["source_estimates"](lang).format(
        publication=published.label(lang),
        table=registered.title(lang) if registered is not None else "",
    )
    return Chart(
        "coverage",
        title,
        " ".join(alt_parts),
        _spec(_sized(chart)),
        DataTable(WORDS["year"](lang), header, tuple(table_rows)),
        (note,),
        source,
        lang,
    )


def _sized(chart: alt.LayerChart | alt.FacetChart) -> alt.LayerChart:
    """Every chart one column wide, so that all are printed at one scale (1 unit = 1 pt)."""
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
    drawn = (table_chart(s, published, lang) for s in SPECS if s.table in published.tables)
    out = [c for c in drawn if c is not None]
    if any(e.coverage is not None for e in published.estimates.values()):
        out.append(coverage_chart(published, lang))
    return render(out)


def render(specified: Sequence[Chart]) -> tuple[Chart, ...]:
    """Render every chart's spec to SVG; vl-convert runs outside the GIL, so in threads."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        svgs = list(pool.map(lambda c: _render(c.svg, c.key, c.lang), specified))
    return tuple(replace(c, svg=svg) for c, svg in zip(specified, svgs, strict=True))
