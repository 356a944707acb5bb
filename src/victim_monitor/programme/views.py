"""What the pages, their JSON twins and the factsheet show: query functions returning values.

Every view is a frozen dataclass with ``as_dict()`` (JSON-able: labels as ``{"nl", "en"}``,
dates as ISO text). Monitor indicators take their counts from a :class:`SeriesSource`; for
anything public pass the published release, never the unprotected tables. Without a source a
monitor indicator shows no values (and says so), rather than reading person rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from victim_monitor.programme.effect import Comparison, compare
from victim_monitor.programme.series import (
    SERIES,
    Observation,
    SeriesSource,
    external_series,
    monitor_series,
)
from victim_monitor.programme.terms import Expected, FollowUp, IndicatorKind, MeasureStatus
from victim_monitor.programme.terms import label as term
from victim_monitor.storage.schema import (
    indicator_values,
    indicators,
    measure_history,
    measure_indicators,
    measure_milestones,
    monitor_editions,
    programme_action_lines,
    programme_measures,
    programmes,
    recommendation_history,
    recommendation_indicators,
    recommendations,
)
from victim_monitor.vocab import Label


class NotFoundError(LookupError):
    """No programme, measure or edition with that code."""


def _json(value: Any) -> Any:
    """A JSON-able form: labels as {nl, en}, dates as ISO, dataclass views via as_dict()."""
    if isinstance(value, Label):
        return {"nl": value.nl, "en": value.en}
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, (tuple, list)):
        return [_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    return value


class _View:
    __slots__ = ()

    def as_dict(self) -> dict[str, Any]:
        return {name: _json(getattr(self, name)) for name in self.__dataclass_fields__}  # type: ignore[attr-defined]


def _label(row: Any, base: str) -> Label:
    return Label(row[f"{base}_nl"], row[f"{base}_en"])


def _maybe(row: Any, base: str) -> Label | None:
    return None if row[f"{base}_nl"] is None else _label(row, base)


@dataclass(frozen=True, slots=True)
class Change(_View):
    """A dated status change with its evidence and who recorded it when."""

    date: date
    status: str
    status_label: Label
    evidence: Label
    url: str | None
    recorded_at: datetime | None
    recorded_by: str | None


@dataclass(frozen=True, slots=True)
class MeasureRow(_View):
    code: str
    title: Label
    owner: str
    start: date | None
    planned_end: date | None
    status: str
    status_label: Label
    example: bool


@dataclass(frozen=True, slots=True)
class ActionLineView(_View):
    code: str
    number: int
    title: Label
    measures: tuple[MeasureRow, ...]


@dataclass(frozen=True, slots=True)
class ProgrammeView(_View):
    """A programme with its action lines and their measures, and measures per status."""

    code: str
    title: Label
    year: int
    start: date | None
    end: date | None
    owner: Label | None
    source: str | None
    action_lines: tuple[ActionLineView, ...]
    by_status: Mapping[str, int]

    def summary(self) -> str:
        lines = [f"{self.title.en} ({self.year}): {sum(self.by_status.values())} measures"]
        for line in self.action_lines:
            lines.append(f"  {line.number}. {line.title.en}")
            lines += [f"     {m.code} [{m.status}] {m.title.en}" for m in line.measures]
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class IndicatorView(_View):
    """An indicator with its series and, for a measure, the before/after comparison."""

    code: str
    title: Label
    kind: str
    unit: str
    expected: str
    expected_label: Label
    series: str | None
    source: Label | str | None
    observations: tuple[Observation, ...]
    comparison: Comparison | None


@dataclass(frozen=True, slots=True)
class Milestone(_View):
    code: str
    title: Label
    due: date | None
    reached: date | None


@dataclass(frozen=True, slots=True)
class MeasureView(_View):
    """One measure: its fields, status history, milestones and indicators."""

    programme: str
    programme_title: Label
    code: str
    action_line: str
    action_line_title: Label
    title: Label
    description: Label | None
    owner: str
    start: date | None
    planned_end: date | None
    status: str
    status_label: Label
    example: bool
    history: tuple[Change, ...]
    milestones: tuple[Milestone, ...]
    indicators: tuple[IndicatorView, ...]

    def summary(self) -> str:
        lines = [f"{self.code} {self.title.en} [{self.status}]" + (" (example)" * self.example)]
        lines += [f"  {c.date} {c.status}: {c.evidence.en}" for c in self.history]
        for i in self.indicators:
            verdict = "" if i.comparison is None else f": {i.comparison.summary()}"
            lines.append(f"  indicator {i.code}{verdict}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class RecommendationView(_View):
    edition: str
    number: int
    addressee: Label
    text: Label
    response: Label | None
    response_source: str | None
    status: str
    status_label: Label
    history: tuple[Change, ...]
    indicators: tuple[IndicatorView, ...]


@dataclass(frozen=True, slots=True)
class EditionView(_View):
    """A monitor edition's recommendations with their follow-up, and counts per status."""

    code: str
    title: Label
    published: date | None
    source: str | None
    recommendations: tuple[RecommendationView, ...]
    by_status: Mapping[str, int]

    def summary(self) -> str:
        lines = [f"{self.title.en}: {len(self.recommendations)} recommendations"]
        for r in self.recommendations:
            lines.append(f"  {r.number}. [{r.status}] {r.text.en[:80]}")
        return "\n".join(lines)


def _rows(conn: Connection, query: Any) -> list[Any]:
    return list(conn.execute(query).mappings())


def _changes(
    conn: Connection, table: Any, owner: str, owner_id: int, kind: type[Any]
) -> tuple[Change, ...]:
    q = select(table).where(table.c[owner] == owner_id).order_by(table.c.changed_on, table.c.id)
    return tuple(
        Change(
            r["changed_on"],
            r["status"],
            term(kind(r["status"])),
            _label(r, "evidence"),
            r["evidence_url"],
            r["recorded_at"],
            r["recorded_by"],
        )
        for r in _rows(conn, q)
    )


def _count(statuses: list[str], kind: type[Any]) -> dict[str, int]:
    return {str(s): statuses.count(str(s)) for s in kind}


def programme_overview(engine: Engine, code: str | None = None) -> tuple[ProgrammeView, ...]:
    """Every programme (or the one with ``code``) with its action lines and measures."""
    p, a, m = programmes, programme_action_lines, programme_measures
    with engine.connect() as conn:
        query = select(p).order_by(p.c.year, p.c.code)
        if code is not None:
            query = query.where(p.c.code == code)
        found = _rows(conn, query)
        if code is not None and not found:
            raise NotFoundError(f"no programme {code!r}")
        out = []
        for prog in found:
            lines = []
            statuses: list[str] = []
            for line in _rows(
                conn, select(a).where(a.c.programme_code == prog["code"]).order_by(a.c.number)
            ):
                measures = tuple(
                    MeasureRow(
                        r["code"],
                        _label(r, "title"),
                        r["owner"],
                        r["start_date"],
                        r["planned_end"],
                        r["status"],
                        term(MeasureStatus(r["status"])),
                        bool(r["is_example"]),
                    )
                    for r in _rows(
                        conn, select(m).where(m.c.action_line_id == line["id"]).order_by(m.c.code)
                    )
                )
                statuses += [x.status for x in measures]
                lines.append(
                    ActionLineView(line["code"], line["number"], _label(line, "title"), measures)
                )
            out.append(
                ProgrammeView(
                    prog["code"],
                    _label(prog, "title"),
                    prog["year"],
                    prog["start_date"],
                    prog["end_date"],
                    _maybe(prog, "owner"),
                    prog["source"],
                    tuple(lines),
                    _count(statuses, MeasureStatus),
                )
            )
        return tuple(out)


def _indicator(
    conn: Connection, code: str, source: SeriesSource | None, start_year: int | None
) -> IndicatorView:
    row = _rows(conn, select(indicators).where(indicators.c.code == code))[0]
    kind, unit, expected = row["kind"], row["unit"], row["expected"]
    shown_source: Label | str | None = row["source"]
    if kind == IndicatorKind.MONITOR:
        spec = SERIES.get(row["series"])
        observations = () if spec is None or source is None else monitor_series(spec, source)
        shown_source = None if source is None else source.description
    else:
        q = select(indicator_values).where(indicator_values.c.indicator_code == code)
        observations = external_series(
            [(r["year"], r["value"], r["lower"], r["upper"]) for r in _rows(conn, q)], unit
        )
    unknown = start_year is None or (kind == IndicatorKind.MONITOR and source is None)
    comparison = None if unknown else compare(observations, start_year, expected, unit)
    return IndicatorView(
        code,
        _label(row, "title"),
        kind,
        unit,
        expected,
        term(Expected(expected)),
        row["series"],
        shown_source,
        observations,
        comparison,
    )


def measure_detail(
    engine: Engine, programme: str, code: str, source: SeriesSource | None = None
) -> MeasureView:
    """One measure with its history, milestones and indicators (compared before/after its start)."""
    m, a, p = programme_measures, programme_action_lines, programmes
    with engine.connect() as conn:
        found = _rows(conn, select(m).where(m.c.programme_code == programme, m.c.code == code))
        if not found:
            raise NotFoundError(f"no measure {code!r} in programme {programme!r}")
        r = found[0]
        line = _rows(conn, select(a).where(a.c.id == r["action_line_id"]))[0]
        prog = _rows(conn, select(p).where(p.c.code == programme))[0]
        stones = tuple(
            Milestone(s["code"], _label(s, "title"), s["due"], s["reached"])
            for s in _rows(
                conn,
                select(measure_milestones)
                .where(measure_milestones.c.measure_id == r["id"])
                .order_by(measure_milestones.c.due, measure_milestones.c.code),
            )
        )
        start_year = None if r["start_date"] is None else r["start_date"].year
        codes = conn.scalars(
            select(measure_indicators.c.indicator_code)
            .where(measure_indicators.c.measure_id == r["id"])
            .order_by(measure_indicators.c.indicator_code)
        )
        return MeasureView(
            programme,
            _label(prog, "title"),
            r["code"],
            line["code"],
            _label(line, "title"),
            _label(r, "title"),
            _maybe(r, "description"),
            r["owner"],
            r["start_date"],
            r["planned_end"],
            r["status"],
            term(MeasureStatus(r["status"])),
            bool(r["is_example"]),
            _changes(conn, measure_history, "measure_id", r["id"], MeasureStatus),
            stones,
            tuple(_indicator(conn, c, source, start_year) for c in list(codes)),
        )


def editions(engine: Engine, source: SeriesSource | None = None) -> tuple[EditionView, ...]:
    """Every edition's recommendations with their follow-up, oldest edition first."""
    with engine.connect() as conn:
        codes = list(
            conn.scalars(
                select(monitor_editions.c.code).order_by(
                    monitor_editions.c.published_on, monitor_editions.c.code
                )
            )
        )
    return tuple(followup(engine, c, source) for c in codes)


def followup(engine: Engine, edition: str, source: SeriesSource | None = None) -> EditionView:
    """The follow-up of the recommendations made in ``edition`` (e.g. ``"2014-2018"``).

    The factsheet of a new edition calls this with the previous edition's code.
    """
    r, h = recommendations, recommendation_history
    with engine.connect() as conn:
        found = _rows(conn, select(monitor_editions).where(monitor_editions.c.code == edition))
        if not found:
            raise NotFoundError(f"no monitor edition {edition!r}")
        e = found[0]
        recs = []
        for row in _rows(conn, select(r).where(r.c.edition_code == edition).order_by(r.c.number)):
            codes = list(
                conn.scalars(
                    select(recommendation_indicators.c.indicator_code)
                    .where(recommendation_indicators.c.recommendation_id == row["id"])
                    .order_by(recommendation_indicators.c.indicator_code)
                )
            )
            recs.append(
                RecommendationView(
                    edition,
                    int(row["number"]),
                    _label(row, "addressee"),
                    _label(row, "text"),
                    _maybe(row, "response"),
                    row["response_source"],
                    row["status"],
                    term(FollowUp(row["status"])),
                    _changes(conn, h, "recommendation_id", row["id"], FollowUp),
                    tuple(_indicator(conn, c, source, None) for c in codes),
                )
            )
        return EditionView(
            e["code"],
            _label(e, "title"),
            e["published_on"],
            e["source"],
            tuple(recs),
            _count([x.status for x in recs], FollowUp),
        )


__all__ = [
    "ActionLineView",
    "Change",
    "EditionView",
    "IndicatorView",
    "MeasureRow",
    "MeasureView",
    "NotFoundError",
    "ProgrammeView",
    "RecommendationView",
    "editions",
    "followup",
    "measure_detail",
    "programme_overview",
]
