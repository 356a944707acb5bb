"""The factsheet's key figure: the last year's estimated range, or why there is none."""

from __future__ import annotations

import dataclasses

from victim_monitor.reporting.content import _key_figure
from victim_monitor.reporting.figures import Lang
from victim_monitor.reporting.published import Published
from victim_monitor.vocab import Label


def test_the_key_figure_is_the_last_year_s_range(published: Published) -> None:
    last = str(published.years[-1])
    found = _key_figure(published, "en")
    assert found is not None
    assert found.estimate_ref == f"estimates[{last}].low-high"
    assert "–" in found.estimate


def test_a_last_year_that_is_not_estimable_says_why_and_shows_no_number(
    published: Published,
) -> None:
    last = str(published.years[-1])
    estimates = {y: e for y, e in published.estimates.items() if y != last}
    reason = Label("de schatting ligt buiten haar eigen interval", "the estimate lies outside")
    without = dataclasses.replace(published, estimates=estimates, not_estimable={last: reason})
    cases: tuple[tuple[Lang, str, str], ...] = (
        ("nl", "niet te schatten", reason.nl),
        ("en", "not estimable", reason.en),
    )
    for lang, shown, why in cases:
        found = _key_figure(without, lang)
        assert found is not None
        assert found.estimate == shown
        assert why in found.estimate_label
        assert found.estimate_ref == ""  # no figure to trace
        assert not any(ch.isdigit() for ch in found.estimate)
