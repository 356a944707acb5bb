"""Charts: one per published table, suppressed cells drawn as crosses under the axis."""

from __future__ import annotations

import re

from victim_monitor.reporting import Published
from victim_monitor.reporting.charts import charts
from victim_monitor.reporting.palette import HIDDEN_COLOUR

CROSS = re.compile(
    r'<path transform="translate\(([\d.]+),([\d.]+)\)" d="M-([\d.]+),-\3L\3,\3M\3,-\3L-\3,\3"'
    rf'[^>]*stroke="{HIDDEN_COLOUR}"'
)


def _plot_height(svg: str) -> float:
    match = re.search(r'<path class="background"[^>]*d="M0,0h[\d.]+v([\d.]+)h', svg)
    assert match, "no plot area"
    return float(match[1])


def _marks(svg: str) -> int:
    """Crosses *below* the x axis (the legend's own cross sits in the legend, above it)."""
    return sum(float(m[2]) > _plot_height(svg) for m in CROSS.finditer(svg))


def test_suppressed_cells_are_crosses_under_the_axis(published: Published) -> None:
    by_key = {c.key: c for c in charts(published, "en")}
    assert list(by_key) == [
        "victims_by_form", "domestic_by_age", "police_by_group", "reporter_type", "coverage",
    ]  # fmt: skip
    # The fixture hides criminal police reports in 2014 and 2017 (and the unknowns, which the
    # charts leave out): two crosses, and the data table marks the same two cells.
    police = by_key["police_by_group"]
    assert _marks(police.svg) == 2
    criminal = dict(police.table.rows)["Criminal"]
    assert [v.text for v in criminal] == ["×", "30", "25", "×", "20"]
    assert "Criminal: not published in 2014, 20 in 2018." in police.alt
    assert ">not published</text>" in police.svg  # the legend says what the cross is
    assert _marks(by_key["domestic_by_age"].svg) == 0
    assert ">not published</text>" not in by_key["domestic_by_age"].svg
    # Unknown stays in the table (with its suppressed cells), not in the chart.
    form = by_key["victims_by_form"]
    assert [v.text for v in dict(form.table.rows)["Unknown"]] == ["×", "12", "×", "10", "×"]
    assert _marks(form.svg) == 0
    assert "Unknown" not in form.alt


def test_same_width_for_every_chart(published: Published) -> None:
    widths = {re.search(r'<svg[^>]* width="([\d.]+)"', c.svg)[1] for c in charts(published, "nl")}  # type: ignore[index]
    assert len(widths) == 1


def test_only_published_tables_are_charted(published: Published) -> None:
    from dataclasses import replace

    fewer = replace(published, tables={k: v for k, v in published.tables.items()
                                       if k != "domestic_sexual_by_age"}, estimates={})  # fmt: skip
    assert [c.key for c in charts(fewer, "en")] == [
        "victims_by_form", "police_by_group", "reporter_type",
    ]  # fmt: skip


def _texts(svg: str) -> list[str]:
    """Every text a reader (or a screen reader) gets from the SVG: text nodes and attributes."""
    nodes = re.findall(r">([^<>]+)</(?:text|tspan|title|desc)>", svg)
    attributes = re.findall(r'(?:aria-[a-z]+|title|alt)="([^"]*)"', svg)
    return [t.strip() for t in nodes + attributes if t.strip()]


def test_no_english_in_the_dutch_charts(published: Published) -> None:
    """Every text in a Dutch SVG is Dutch: no Vega defaults ("line mark", "X-axis"), no field
    names, no English label; every number in Dutch notation."""
    dutch = charts(published, "nl")
    english = charts(published, "en")
    for nl, en in zip(dutch, english, strict=True):
        allowed = {name for name, _ in nl.table.rows} | set(nl.table.header)
        english_only = set(_texts(en.svg)) - set(_texts(nl.svg))
        assert english_only, en.key  # the two languages differ somewhere
        for text in _texts(nl.svg):
            assert text not in english_only, (nl.key, text)
            assert not re.search(r"\b(mark|axis|legend|titled|series|value|year)\b", text), text
            if re.fullmatch(r"(19|20)\d\d", text):
                continue  # a year
            if re.fullmatch(r"[\d.,%]+", text):
                assert re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d+)?%?", text), (nl.key, text)
            else:
                assert re.search(r"[a-z]", text, re.I), text
        assert {t for t in _texts(nl.svg) if t in allowed}, nl.key  # the legend names


def test_thousands_are_grouped_the_dutch_way(published: Published) -> None:
    """Axis labels of a chart with thousands: 1.000 in Dutch, 1,000 in English."""
    from dataclasses import replace

    table = published.tables["victims_by_form"]
    big = replace(table, cells=tuple(c if c.value is None else replace(c, value=c.value * 100)
                                     for c in table.cells))  # fmt: skip
    larger = replace(published, tables={**published.tables, "victims_by_form": big})
    nl = _texts(charts(larger, "nl")[0].svg)
    en = _texts(charts(larger, "en")[0].svg)
    assert any(re.fullmatch(r"\d{1,3}\.\d{3}", t) for t in nl), nl
    assert not any(re.fullmatch(r"\d{1,3},\d{3}", t) for t in nl), nl
    assert any(re.fullmatch(r"\d{1,3},\d{3}", t) for t in en), en


def test_overlapping_rows_are_explained_beside_the_table(published: Published) -> None:
    """A victim reported by both kinds of reporter is in both rows: the rows exceed the total."""
    by_key = {c.key: c for c in charts(published, "en")}
    reporters = dict(by_key["reporter_type"].table.rows)
    total = [int(v.text.replace(",", "")) for v in reporters.pop("Total")]
    sums = [sum(int(v.text.replace(",", "")) for v in column if not v.hidden)
            for column in zip(*reporters.values(), strict=True)]  # fmt: skip
    assert any(s > t for s, t in zip(sums, total, strict=True))  # the fixture does overlap
    assert any("more than the total" in n for n in by_key["reporter_type"].notes)
    assert not any("more than the total" in n for n in by_key["victims_by_form"].notes)
    assert all(c.source.startswith("Source: ") for c in by_key.values())


def test_a_series_needs_two_years_and_the_total_stands_in(published: Published) -> None:
    """A publication rebuilt from published figures may have only totals, or one year: the
    total is drawn when no category has two years; a table with one year gets no chart."""
    from dataclasses import replace

    from victim_monitor.published import PublishedCell, PublishedTable

    def keep(name: str, wanted: str) -> PublishedTable:
        """The table with only the cells whose key has ``wanted``; the rest not available."""
        table = published.tables[name]
        cells = tuple(c if wanted in c.key else PublishedCell(c.key, None, "not_available")
                      for c in table.cells)  # fmt: skip
        return replace(table, cells=cells)

    tables = {**published.tables,
              "victims_by_form": keep("victims_by_form", "Total"),
              "domestic_sexual_by_age": keep("domestic_sexual_by_age", "2018")}  # fmt: skip
    by_key = {c.key: c for c in charts(replace(published, tables=tables), "en")}
    assert "domestic_by_age" not in by_key
    form = by_key["victims_by_form"]
    assert form.title == "Registered victims per year"
    assert ">Total</text>" in form.svg
    # The data table keeps every category, with "." for the figures not available.
    assert len(form.table.rows) == len(published.tables["victims_by_form"].categories["form_group"])
