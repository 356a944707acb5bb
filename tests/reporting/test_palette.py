"""Chart colours: 3:1 against the page (WCAG 1.4.11) and apart for colour-blind readers."""

from __future__ import annotations

import itertools
import re

import pytest

from victim_monitor.reporting import Published
from victim_monitor.reporting.charts import charts
from victim_monitor.reporting.palette import (
    DEFICIENCIES,
    HIDDEN_COLOUR,
    MIN_CONTRAST,
    PALETTE,
    contrast,
    distance,
)

# Not data: the page, the grid lines and the plot background.
FURNITURE = {"#ffffff", "white", "#e3e3e3", "none", "transparent"}


def test_the_contrast_formula_matches_wcag() -> None:
    """Known values: black on white 21:1, white on white 1:1, #767676 the 4.5:1 grey."""
    assert contrast("#000000") == pytest.approx(21.0)
    assert contrast("#ffffff") == pytest.approx(1.0)
    assert contrast("#767676") == pytest.approx(4.54, abs=0.01)


def test_every_series_colour_stands_out_from_the_page() -> None:
    for colour in (*PALETTE, HIDDEN_COLOUR):
        assert contrast(colour) >= MIN_CONTRAST, (colour, round(contrast(colour), 2))
    # The old sky-blue series did not: the test would have caught it.
    assert contrast("#8fcae7") < MIN_CONTRAST


def test_series_stay_apart_for_colour_blind_readers() -> None:
    """CIE76 distance of at least 12 between any two series, with and without a deficiency."""
    for a, b in itertools.combinations(PALETTE, 2):
        for deficiency in (None, *DEFICIENCIES):
            assert distance(a, b, deficiency) >= 12, (a, b, deficiency)
    # The old pair orange/green merged for a protanope.
    assert distance("#e17000", "#39870c", "protanopia") < 12


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_colour_drawn_in_a_chart_has_contrast(published: Published, lang: str) -> None:
    for chart in charts(published, lang):  # type: ignore[arg-type]
        colours = set(re.findall(r'(?:fill|stroke)="([^"]+)"', chart.svg)) - FURNITURE
        assert colours, chart.key
        for colour in colours:
            assert colour.startswith("#"), (chart.key, colour)
            assert contrast(colour) >= MIN_CONTRAST, (chart.key, colour)
