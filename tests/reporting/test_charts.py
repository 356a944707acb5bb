"""Charts: one per published table, suppressed cells drawn as ×, never as a value."""

from __future__ import annotations

import re

from victim_monitor.reporting import Published
from victim_monitor.reporting.charts import charts


def _marks(svg: str) -> int:
    return len(re.findall(r"<text[^>]*>×</text>", svg))


def test_suppressed_cells_are_crosses_on_the_axis(published: Published) -> None:
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
    assert _marks(by_key["domestic_by_age"].svg) == 0
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
