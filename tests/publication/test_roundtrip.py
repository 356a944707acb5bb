"""Hypothesis: any table of published cells round-trips through the files unchanged."""

from __future__ import annotations

import dataclasses
import itertools
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.publication.sample import sample
from victim_monitor.published import PublishedCell, load_publication, write_publication
from victim_monitor.published.model import OUTCOMES
from victim_monitor.vocab import Label

CODES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_ÄéÖ,\"'", min_size=1, max_size=8)


@st.composite
def cells(draw: st.DrawFn) -> tuple[dict[str, tuple[str, ...]], tuple[PublishedCell, ...]]:
    years = tuple(sorted(draw(st.sets(st.integers(2000, 2030).map(str), min_size=1, max_size=3))))
    other = (*draw(st.lists(CODES, min_size=1, max_size=4, unique=True)), "Total")
    out = []
    for key in itertools.product(years, other):
        outcome = draw(st.sampled_from(OUTCOMES))
        value = None if outcome == "suppressed" else draw(st.integers(0, 10**6))
        out.append(PublishedCell(key, value, outcome))
    return {"year": years, "sex": other}, tuple(out)


@given(cells(), st.text(max_size=40))
@settings(max_examples=40, deadline=None)
def test_any_table_round_trips(
    made: tuple[dict[str, tuple[str, ...]], tuple[PublishedCell, ...]], title: str
) -> None:
    categories, published = made
    base = sample()
    table = dataclasses.replace(
        base.tables["victims_by_sex"],
        title=Label(title, title),
        categories=categories,
        labels={d: {c: Label(c, c.upper()) for c in cs} for d, cs in categories.items()},
        cells=published,
    )
    pub = dataclasses.replace(base, tables={"victims_by_sex": table})
    with tempfile.TemporaryDirectory() as tmp:
        write_publication(pub, Path(tmp) / "pub")
        back = load_publication(Path(tmp) / "pub")
    assert back.tables == pub.tables
    assert back == pub
