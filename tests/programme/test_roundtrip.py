"""Hypothesis: any valid register written as YAML or CSV reads back as the same register."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from victim_monitor.problems import ProblemLog
from victim_monitor.programme.check import check
from victim_monitor.programme.document import (
    ActionLine,
    Document,
    Edition,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureChange,
    MeasureIndicator,
    Milestone,
    Programme,
    Recommendation,
    RecommendationChange,
    RecommendationIndicator,
    StatusChange,
)
from victim_monitor.programme.export import to_csv, to_yaml
from victim_monitor.programme.read import read_file
from victim_monitor.vocab import Label

codes = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,9}", fullmatch=True)
chars = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff")
texts = (
    st.text(chars | st.just("\n") | st.sampled_from(',";:#-'), min_size=1, max_size=40)
    .map(str.strip)
    .filter(bool)
)
labels = st.builds(Label, texts, texts)
dates = st.dates(date(2000, 1, 1), date(2030, 12, 31))
numbers = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
MONITOR_UNITS = (("registered_victims", "count"), ("coverage", "share"))
MEASURE = ("planned", "running", "implemented", "delayed", "stopped")
FOLLOW = ("open", "in_progress", "implemented", "partly_implemented", "not_implemented")


def _links(draw: Any, ind_codes: list[str]) -> list[str]:
    return draw(st.lists(st.sampled_from(ind_codes), unique=True)) if ind_codes else []


def _changes(draw: Any, statuses: tuple[str, ...]) -> list[StatusChange]:
    keys = draw(st.lists(st.tuples(dates, st.sampled_from(statuses)), max_size=3, unique=True))
    urls = st.none() | st.just("https://example.org/a?b=c")
    return [StatusChange(d, s, draw(labels), draw(urls)) for d, s in keys]


@st.composite
def documents(draw: Any) -> Document:
    ind_codes = draw(st.lists(codes, max_size=3, unique=True))
    indicators, values = [], []
    for code in ind_codes:
        external = draw(st.booleans())
        pairs = [(None, "count"), (None, "share")] if external else list(MONITOR_UNITS)
        series, unit = draw(st.sampled_from(pairs))
        kind = "external" if external else "monitor"
        expected = draw(st.sampled_from(["up", "down", "none"]))
        indicators.append(
            Indicator(code, draw(labels), kind, unit, expected, series, draw(st.none() | texts))
        )
        if external:
            for year in draw(st.lists(st.integers(2000, 2030), max_size=3, unique=True)):
                v = draw(numbers)
                low, high = draw(st.none() | st.just(v - 1)), draw(st.none() | st.just(v + 2.5))
                values.append(IndicatorValue(code, year, v, draw(texts), low, high))
    programmes, lines, measures, m_changes, stones, m_links = [], [], [], [], [], []
    for p in draw(st.lists(codes, min_size=1, max_size=2, unique=True)):
        start = draw(st.none() | dates)
        programmes.append(
            Programme(
                p,
                draw(labels),
                draw(st.integers(1990, 2030)),
                start,
                None if start is None else draw(st.none() | st.just(start)),
                draw(st.none() | labels),
                draw(st.none() | texts),
            )
        )
        line_codes = draw(st.lists(codes, min_size=1, max_size=3, unique=True))
        lines += [ActionLine(p, c, n + 1, draw(labels)) for n, c in enumerate(line_codes)]
        for m in draw(st.lists(codes, max_size=3, unique=True)):
            measures.append(
                Measure(
                    p,
                    m,
                    draw(st.sampled_from(line_codes)),
                    draw(labels),
                    draw(texts),
                    draw(st.none() | labels),
                    None,
                    draw(st.none() | dates),
                    draw(st.booleans()),
                )
            )
            m_changes += [MeasureChange(p, m, c) for c in _changes(draw, MEASURE)]
            for s in draw(st.lists(codes, max_size=2, unique=True)):
                stones.append(
                    Milestone(
                        p, m, s, draw(labels), draw(st.none() | dates), draw(st.none() | dates)
                    )
                )
            m_links += [MeasureIndicator(p, m, i) for i in _links(draw, ind_codes)]
    editions, recs, r_changes, r_links = [], [], [], []
    for e in draw(
        st.lists(st.from_regex(r"[0-9]{4}-[0-9]{4}", fullmatch=True), max_size=2, unique=True)
    ):
        editions.append(Edition(e, draw(labels), draw(st.none() | dates), draw(st.none() | texts)))
        for n in draw(st.lists(st.integers(1, 40), max_size=3, unique=True)):
            recs.append(
                Recommendation(
                    e,
                    n,
                    draw(labels),
                    draw(labels),
                    draw(st.none() | labels),
                    draw(st.none() | texts),
                )
            )
            r_changes += [RecommendationChange(e, n, c) for c in _changes(draw, FOLLOW)]
            r_links += [RecommendationIndicator(e, n, i) for i in _links(draw, ind_codes)]
    return Document(
        tuple(programmes),
        tuple(lines),
        tuple(measures),
        tuple(m_changes),
        tuple(stones),
        tuple(m_links),
        tuple(editions),
        tuple(recs),
        tuple(r_changes),
        tuple(r_links),
        tuple(indicators),
        tuple(values),
    )


def _normal(doc: Document) -> dict[str, list[str]]:
    return {name: sorted(map(repr, getattr(doc, name))) for name in doc.__dataclass_fields__}


def _read(path: Path) -> tuple[Document, list[str]]:
    log = ProblemLog()
    doc = check(read_file(path, log), log)
    return doc, [str(p) for p in log if p.code != "VM611"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(documents())
def test_yaml_and_csv_round_trip(tmp_path: Path, doc: Document) -> None:
    for name, text in (("r.yaml", to_yaml(doc)), ("r.csv", to_csv(doc))):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        back, problems = _read(path)
        assert problems == [], (name, problems)
        assert _normal(back) == _normal(doc), name
