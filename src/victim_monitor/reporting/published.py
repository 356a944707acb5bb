"""What the factsheet reads: the published, disclosure-protected output, and nothing else.

:class:`Published` is the factsheet's view of a publication directory (the format of
``docs/methods/publication.md``, read by :func:`victim_monitor.published.load_publication`):
the protected tables as published (:class:`victim_monitor.published.PublishedTable`, the one
model of a table and its cells: a suppressed cell has no value, so it can only be shown as
suppressed), the estimates per year with their intervals and coverage as the factsheet prints
them, and the generated findings. It never holds a true count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from victim_monitor.published import Finding as Finding  # the one model's, also reporting.Finding
from victim_monitor.published import (
    Publication,
    PublicationError,
    PublishedTable,
    load_publication,
)
from victim_monitor.reporting.codes import PUBLISHED_UNUSABLE, FactsheetError
from victim_monitor.vocab import Label

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Estimate:
    """The estimated number of victims in one year (seen or not) and the share registered.

    ``coverage`` is (value, low, high) as fractions, as published (registered / estimate,
    the interval turned round), or ``None`` when the registered count is not published.
    """

    year: str
    point: float
    low: float
    high: float
    registered: int | None = None
    coverage: tuple[float, float, float] | None = None
    model: str = ""  # the model that made it: yearly estimates may come from different ones


@dataclass(frozen=True, slots=True)
class StratumEstimate:
    """A published estimate for a stratum (a form of exploitation, within it an age group).

    ``stratum`` holds the codes in the order form_group, age_group; ``low`` and ``high`` are
    ``None`` when no interval was published (a figure such as "about 3,000").
    """

    year: str
    stratum: tuple[str, ...]
    point: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class PeriodFigure:
    """A published mean per year over a period, of one series of a table (the non-year codes):
    "550 a year in 2014-2017". Only a publication from published figures has them."""

    table: str
    series: tuple[str, ...]
    years: tuple[str, ...]
    value: float
    source: str = ""


SUPPRESSED_NOTE = Label(
    "Niet gepubliceerd (onthullingsbeheersing).", "Not published (disclosure control)."
)


@dataclass(frozen=True)
class Published:
    """A publication as the factsheet sees it."""

    label: Label
    years: tuple[int, ...]
    tables: Mapping[str, PublishedTable]
    estimates: Mapping[str, Estimate] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    not_estimable: Mapping[str, Label] = field(default_factory=dict)  # year: the reason
    threshold: int = 10
    method: str = "suppress"
    rounding_base: int = 5
    level: float = 0.95
    snapshot: str = ""
    software: str = ""
    suppressed_note: Label = SUPPRESSED_NOTE
    # By stratum: (year, form_group[, age_group]) -> the published estimate.
    stratum_estimates: Mapping[Key, StratumEstimate] = field(default_factory=dict)
    # Published period means: (table, series, years) -> the figure (``publish --from-figures``).
    periods: Mapping[tuple[str, Key, Key], PeriodFigure] = field(default_factory=dict)
    source_kind: str = ""  # "published_figures" for a publication made from published figures

    def table(self, name: str) -> PublishedTable:
        return self.tables[name]


def from_publication(pub: Publication) -> Published:
    """The factsheet's view of a loaded publication."""
    estimates: dict[str, Estimate] = {}
    not_estimable: dict[str, Label] = {}
    for e in pub.estimates:
        if e.reason is not None:
            not_estimable[e.year] = Label(e.reason.nl, e.reason.en)
        if e.estimate is None or e.low is None or e.high is None:
            continue  # the year could not be estimated; its reason says why
        coverage = None
        if e.coverage is not None and e.coverage_low is not None and e.coverage_high is not None:
            coverage = (e.coverage, e.coverage_low, e.coverage_high)
        estimates[e.year] = Estimate(
            e.year, e.estimate, e.low, e.high, e.registered, coverage, e.model or ""
        )
    policy = pub.policy
    rounding = policy.get("rounding", {})
    return Published(
        label=pub.title,
        years=tuple(int(y) for y in pub.years),
        tables=pub.tables,
        estimates=estimates,
        findings=pub.findings,
        not_estimable=not_estimable,
        threshold=int(policy.get("threshold", 10)),
        method=str(policy.get("method", "suppress")),
        rounding_base=int(rounding.get("base", 5)) if isinstance(rounding, dict) else 5,
        level=float(pub.estimation.get("level") or 0.95),  # None: published estimates
        stratum_estimates=_strata(pub),
        periods=_periods(pub),
        source_kind=str(pub.source.get("kind", "")),
        snapshot=pub.snapshot,
        software=pub.software,
        suppressed_note=_without_mark(pub.outcomes.get("suppressed", SUPPRESSED_NOTE)),
    )


STRATUM_ORDER = ("form_group", "age_group")


def _strata(pub: Publication) -> dict[Key, StratumEstimate]:
    """The estimates by stratum that have a figure, keyed by year and stratum codes."""
    out: dict[Key, StratumEstimate] = {}
    for e in pub.stratum_estimates:
        if e.estimate is None:
            continue
        where = dict(e.stratum)
        codes = tuple(where[d] for d in STRATUM_ORDER if d in where)
        out[(e.year, *codes)] = StratumEstimate(e.year, codes, e.estimate, e.low, e.high)
    return out


def _periods(pub: Publication) -> dict[tuple[str, Key, Key], PeriodFigure]:
    """Period means that were published as such (a trend with a source), not computed here."""
    out: dict[tuple[str, Key, Key], PeriodFigure] = {}
    for t in pub.trends:
        if not t.source or len(t.from_years) < 2:
            continue
        dims = pub.tables[t.table].dimensions[1:] if t.table in pub.tables else ()
        where = dict(t.key)
        series = tuple(where[d] for d in dims if d in where)
        figure = PeriodFigure(t.table, series, t.from_years, t.from_value, t.source)
        out[(t.table, series, t.from_years)] = figure
    return out


def _without_mark(note: Label) -> Label:
    """The footnote without its own "(x)": the factsheet prints its mark before the note."""
    strip = re.compile(r"\s*\((?:x|×|\.|-)\)\s*$")
    return Label(strip.sub("", note.nl), strip.sub("", note.en))


def load_published(directory: Path) -> Published:
    """Read a publication directory; VM806 when it cannot be read or is incomplete."""
    try:
        pub = load_publication(directory)
    except PublicationError as exc:
        raise FactsheetError(
            [PUBLISHED_UNUSABLE(str(p), file=str(directory)) for p in exc.problems]
        ) from exc
    return from_publication(pub)
