"""The programme register as values: what a file states and what an export writes.

A document is flat, one tuple per kind of record, close to the tables: a file may add a status
change to a measure the register already holds without restating the measure. Children name
their parents by code (programme and measure code; edition and recommendation number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from victim_monitor.vocab import Label


@dataclass(frozen=True, slots=True)
class Programme:
    code: str
    title: Label
    year: int
    start: date | None = None
    end: date | None = None
    owner: Label | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class ActionLine:
    programme: str
    code: str
    number: int
    title: Label


@dataclass(frozen=True, slots=True)
class Measure:
    programme: str
    code: str
    action_line: str
    title: Label
    owner: str
    description: Label | None = None
    start: date | None = None
    planned_end: date | None = None
    example: bool = False


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One dated change of status with the evidence for it (a measure's or a recommendation's)."""

    on: date
    status: str
    evidence: Label
    url: str | None = None


@dataclass(frozen=True, slots=True)
class MeasureChange:
    programme: str
    measure: str
    change: StatusChange


@dataclass(frozen=True, slots=True)
class Milestone:
    programme: str
    measure: str
    code: str
    title: Label
    due: date | None = None
    reached: date | None = None


@dataclass(frozen=True, slots=True)
class MeasureIndicator:
    programme: str
    measure: str
    indicator: str


@dataclass(frozen=True, slots=True)
class Edition:
    """An edition of the monitor, e.g. ``2014-2018``, whose report made recommendations."""

    code: str
    title: Label
    published: date | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Recommendation:
    edition: str
    number: int
    addressee: Label
    text: Label
    response: Label | None = None
    response_source: str | None = None


@dataclass(frozen=True, slots=True)
class RecommendationChange:
    edition: str
    recommendation: int
    change: StatusChange


@dataclass(frozen=True, slots=True)
class RecommendationIndicator:
    edition: str
    recommendation: int
    indicator: str


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    title: Label
    kind: str
    unit: str
    expected: str
    series: str | None = None
    source: str | None = None


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """An external value of an indicator for one year, with its source and optional bounds."""

    indicator: str
    year: int
    value: float
    source: str
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """Everything one file states, or everything the register holds."""

    programmes: tuple[Programme, ...] = ()
    action_lines: tuple[ActionLine, ...] = ()
    measures: tuple[Measure, ...] = ()
    measure_changes: tuple[MeasureChange, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    measure_indicators: tuple[MeasureIndicator, ...] = ()
    editions: tuple[Edition, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    recommendation_changes: tuple[RecommendationChange, ...] = ()
    recommendation_indicators: tuple[RecommendationIndicator, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    indicator_values: tuple[IndicatorValue, ...] = field(default=())

    def records(self) -> int:
        """How many records the document holds, of every kind."""
        return sum(len(getattr(self, name)) for name in self.__dataclass_fields__)
