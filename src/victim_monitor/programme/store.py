"""Write a checked document into the register and read the register back as a document.

A file states the current register for everything it names: a named programme, measure,
recommendation or indicator takes the file's fields, milestones, indicator links and values
(those the file leaves out are removed). Status histories are append-only: an import adds the
changes it does not have (or corrects their evidence) and never removes one. The current status
of a measure or recommendation is always its latest change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, delete, func, insert, select, update

from victim_monitor.programme.check import Known
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

Counts = dict[str, dict[str, int]]


def known(conn: Connection) -> Known:
    """The keys the register holds, for checking a file's references."""
    lines = select(programme_action_lines.c.programme_code, programme_action_lines.c.code)
    measures = select(
        programme_measures.c.programme_code,
        programme_measures.c.code,
        programme_measures.c.start_date,
    )
    recs = select(recommendations.c.edition_code, recommendations.c.number)
    return Known(
        programmes=frozenset(conn.scalars(select(programmes.c.code))),
        action_lines=frozenset((r[0], r[1]) for r in conn.execute(lines)),
        measures={(r[0], r[1]): r[2] for r in conn.execute(measures)},
        editions=frozenset(conn.scalars(select(monitor_editions.c.code))),
        recommendations=frozenset((r[0], int(r[1])) for r in conn.execute(recs)),
        indicators={r[0]: r[1] for r in conn.execute(select(indicators.c.code, indicators.c.kind))},
    )


@dataclass(frozen=True, slots=True)
class Recorded:
    """A change the register's history already holds (same record, date and status)."""

    record: str  # "measure programme/code" or "recommendation edition/number"
    on: date
    status: str
    evidence: Label
    recorded_by: str | None
    recorded_at: datetime | None


def recorded(conn: Connection, doc: Document) -> tuple[Recorded, ...]:
    """The status changes in ``doc`` whose date and status the histories already hold.

    Run inside the writing transaction, so that a refusal is decided on what is committed when
    this transaction writes (see :func:`victim_monitor.programme.intake.apply`).
    """
    found: list[Recorded] = []
    m, mh = programme_measures, measure_history
    for mc in doc.measure_changes:
        # Lock the measure's row first (PostgreSQL; SQLite holds its write lock already): a
        # second writer waits here for the first to commit, then reads what it wrote.
        conn.execute(
            select(m.c.id)
            .where(m.c.programme_code == mc.programme, m.c.code == mc.measure)
            .with_for_update()
        )
        query = (
            select(mh)
            .join(m, mh.c.measure_id == m.c.id)
            .where(
                m.c.programme_code == mc.programme,
                m.c.code == mc.measure,
                mh.c.changed_on == mc.change.on,
                mh.c.status == mc.change.status,
            )
        )
        found += [_recorded(f"measure {mc.programme}/{mc.measure}", r) for r in _all(conn, query)]
    r, rh = recommendations, recommendation_history
    for rc in doc.recommendation_changes:
        conn.execute(
            select(r.c.id)
            .where(r.c.edition_code == rc.edition, r.c.number == rc.recommendation)
            .with_for_update()
        )
        query = (
            select(rh)
            .join(r, rh.c.recommendation_id == r.c.id)
            .where(
                r.c.edition_code == rc.edition,
                r.c.number == rc.recommendation,
                rh.c.changed_on == rc.change.on,
                rh.c.status == rc.change.status,
            )
        )
        where = f"recommendation {rc.edition}/{rc.recommendation}"
        found += [_recorded(where, row) for row in _all(conn, query)]
    return tuple(found)


def _all(conn: Connection, query: Any) -> list[Any]:
    return list(conn.execute(query).mappings())


def _recorded(record: str, row: Any) -> Recorded:
    return Recorded(
        record,
        row["changed_on"],
        row["status"],
        Label(row["evidence_nl"], row["evidence_en"]),
        row["recorded_by"],
        row["recorded_at"],
    )


class _Writer:
    def __init__(self, conn: Connection, recorded_by: str) -> None:
        self.conn = conn
        self.recorded_by = recorded_by
        self.now = datetime.now(UTC)
        self.counts: Counts = defaultdict(lambda: {"added": 0, "changed": 0, "removed": 0})

    def upsert(
        self,
        kind: str,
        table: Table,
        key: Mapping[str, Any],
        values: Mapping[str, Any],
        defaults: Mapping[str, Any] | None = None,
    ) -> Any:
        """Insert or update one row by its natural key (``defaults`` only when inserting);
        the row's primary key."""
        where = and_(*(table.c[k] == v for k, v in key.items()))
        row = self.conn.execute(select(table).where(where)).mappings().first()
        if row is None:
            result = self.conn.execute(insert(table).values({**key, **values, **(defaults or {})}))
            self.counts[kind]["added"] += 1
            pk = result.inserted_primary_key
            return pk[0] if pk is not None and len(pk) == 1 else None
        changed = {k: v for k, v in values.items() if row[k] != v}
        if changed:
            self.conn.execute(update(table).where(where).values(changed))
            self.counts[kind]["changed"] += 1
        return row[table.primary_key.columns.values()[0].name]

    def prune(
        self, kind: str, table: Table, parent: Any, parent_id: Any, keep: set[Any], key: str
    ) -> None:
        """Remove the parent's rows whose ``key`` the file does not state."""
        rows = self.conn.execute(select(table.c[key]).where(parent == parent_id)).scalars()
        gone = set(rows) - keep
        if gone:
            self.conn.execute(
                delete(table).where(and_(parent == parent_id, table.c[key].in_(gone)))
            )
            self.counts[kind]["removed"] += len(gone)

    def change(self, kind: str, table: Table, owner: str, owner_id: int, c: StatusChange) -> None:
        key = {owner: owner_id, "changed_on": c.on, "status": c.status}
        values: dict[str, Any] = {
            "evidence_nl": c.evidence.nl,
            "evidence_en": c.evidence.en,
            "evidence_url": c.url,
        }
        where = and_(*(table.c[k] == v for k, v in key.items()))
        if self.conn.execute(select(table.c.id).where(where)).first() is None:
            values |= {"recorded_at": self.now, "recorded_by": self.recorded_by}
        self.upsert(kind, table, key, values)

    def restatus(
        self, table: Table, history: Table, owner: str, ids: Iterable[int], default: str
    ) -> None:
        """Set each row's current status to its latest change (``default`` with no history)."""
        for row_id in set(ids):
            latest = self.conn.execute(
                select(history.c.status)
                .where(history.c[owner] == row_id)
                .order_by(history.c.changed_on.desc(), history.c.id.desc())
                .limit(1)
            ).scalar()
            status = latest or default
            self.conn.execute(
                update(table)
                .where(table.c.id == row_id, table.c.status != status)
                .values(status=status)
            )


def _pair(label: Label | None, base: str) -> dict[str, str | None]:
    return {
        f"{base}_nl": None if label is None else label.nl,
        f"{base}_en": None if label is None else label.en,
    }


def save(conn: Connection, doc: Document, recorded_by: str = "import") -> Counts:
    """Write ``doc`` (already checked) into the register; counts per kind of what changed."""
    w = _Writer(conn, recorded_by)
    _indicators(w, doc)  # first: measures and recommendations link to them
    _programmes(w, doc)
    _editions(w, doc)
    return {kind: dict(c) for kind, c in sorted(w.counts.items())}


def _indicators(w: _Writer, doc: Document) -> None:
    for i in doc.indicators:
        w.upsert(
            "indicators",
            indicators,
            {"code": i.code},
            {
                **_pair(i.title, "title"),
                "kind": i.kind,
                "series": i.series,
                "unit": i.unit,
                "expected": i.expected,
                "source": i.source,
            },
        )
    for i in doc.indicators:
        keep = {v.year for v in doc.indicator_values if v.indicator == i.code}
        w.prune(
            "indicator values",
            indicator_values,
            indicator_values.c.indicator_code,
            i.code,
            keep,
            "year",
        )
    for v in doc.indicator_values:
        w.upsert(
            "indicator values",
            indicator_values,
            {"indicator_code": v.indicator, "year": v.year},
            {"value": v.value, "lower": v.lower, "upper": v.upper, "source": v.source},
        )


def _programmes(w: _Writer, doc: Document) -> None:
    conn = w.conn
    for p in doc.programmes:
        w.upsert(
            "programmes",
            programmes,
            {"code": p.code},
            {
                **_pair(p.title, "title"),
                "year": p.year,
                "start_date": p.start,
                "end_date": p.end,
                **_pair(p.owner, "owner"),
                "source": p.source,
            },
        )
    for a in doc.action_lines:
        w.upsert(
            "action lines",
            programme_action_lines,
            {"programme_code": a.programme, "code": a.code},
            {"number": a.number, **_pair(a.title, "title")},
        )
    line_ids = {
        (r[0], r[1]): r[2]
        for r in conn.execute(
            select(
                programme_action_lines.c.programme_code,
                programme_action_lines.c.code,
                programme_action_lines.c.id,
            )
        )
    }
    for m in doc.measures:
        w.upsert(
            "measures",
            programme_measures,
            {"programme_code": m.programme, "code": m.code},
            {
                "action_line_id": line_ids[(m.programme, m.action_line)],
                **_pair(m.title, "title"),
                **_pair(m.description, "description"),
                "owner": m.owner,
                "start_date": m.start,
                "planned_end": m.planned_end,
                "is_example": m.example,
            },
            {"status": "planned"},
        )
    measure_ids = {
        (r[0], r[1]): r[2]
        for r in conn.execute(
            select(
                programme_measures.c.programme_code,
                programme_measures.c.code,
                programme_measures.c.id,
            )
        )
    }
    for mc in doc.measure_changes:
        w.change(
            "status changes",
            measure_history,
            "measure_id",
            measure_ids[(mc.programme, mc.measure)],
            mc.change,
        )
    _children(w, doc.measures, doc.milestones, doc.measure_indicators, measure_ids)
    w.restatus(
        programme_measures,
        measure_history,
        "measure_id",
        [measure_ids[(m.programme, m.code)] for m in doc.measures]
        + [measure_ids[(c.programme, c.measure)] for c in doc.measure_changes],
        "planned",
    )


def _editions(w: _Writer, doc: Document) -> None:
    conn = w.conn
    for e in doc.editions:
        w.upsert(
            "editions",
            monitor_editions,
            {"code": e.code},
            {**_pair(e.title, "title"), "published_on": e.published, "source": e.source},
        )
    for r in doc.recommendations:
        w.upsert(
            "recommendations",
            recommendations,
            {"edition_code": r.edition, "number": r.number},
            {
                **_pair(r.addressee, "addressee"),
                **_pair(r.text, "text"),
                **_pair(r.response, "response"),
                "response_source": r.response_source,
            },
            {"status": "open"},
        )
    rec_ids = {
        (r[0], int(r[1])): r[2]
        for r in conn.execute(
            select(recommendations.c.edition_code, recommendations.c.number, recommendations.c.id)
        )
    }
    for rc in doc.recommendation_changes:
        w.change(
            "follow-up changes",
            recommendation_history,
            "recommendation_id",
            rec_ids[(rc.edition, rc.recommendation)],
            rc.change,
        )
    named = {(r.edition, r.number) for r in doc.recommendations}
    for key in named:
        linked = {
            link.indicator
            for link in doc.recommendation_indicators
            if (link.edition, link.recommendation) == key
        }
        w.prune(
            "recommendation indicators",
            recommendation_indicators,
            recommendation_indicators.c.recommendation_id,
            rec_ids[key],
            linked,
            "indicator_code",
        )
    for link in doc.recommendation_indicators:
        w.upsert(
            "recommendation indicators",
            recommendation_indicators,
            {
                "recommendation_id": rec_ids[(link.edition, link.recommendation)],
                "indicator_code": link.indicator,
            },
            {},
        )
    w.restatus(
        recommendations,
        recommendation_history,
        "recommendation_id",
        [rec_ids[(r.edition, r.number)] for r in doc.recommendations]
        + [rec_ids[(c.edition, c.recommendation)] for c in doc.recommendation_changes],
        "open",
    )


def _children(
    w: _Writer,
    measures: tuple[Measure, ...],
    milestones: tuple[Milestone, ...],
    links: tuple[MeasureIndicator, ...],
    ids: Mapping[tuple[str, str], int],
) -> None:
    for m in measures:
        key = (m.programme, m.code)
        w.prune(
            "milestones",
            measure_milestones,
            measure_milestones.c.measure_id,
            ids[key],
            {s.code for s in milestones if (s.programme, s.measure) == key},
            "code",
        )
        w.prune(
            "measure indicators",
            measure_indicators,
            measure_indicators.c.measure_id,
            ids[key],
            {i.indicator for i in links if (i.programme, i.measure) == key},
            "indicator_code",
        )
    for s in milestones:
        w.upsert(
            "milestones",
            measure_milestones,
            {"measure_id": ids[(s.programme, s.measure)], "code": s.code},
            {**_pair(s.title, "title"), "due": s.due, "reached": s.reached},
        )
    for i in links:
        w.upsert(
            "measure indicators",
            measure_indicators,
            {"measure_id": ids[(i.programme, i.measure)], "indicator_code": i.indicator},
            {},
        )


def measure_change_counts(engine: Engine) -> dict[tuple[str, str], int]:
    """Recorded status changes per (programme, measure), in one query."""
    m, h = programme_measures, measure_history
    query = (
        select(m.c.programme_code, m.c.code, func.count(h.c.id))
        .join(h, h.c.measure_id == m.c.id)
        .group_by(m.c.programme_code, m.c.code)
    )
    with engine.connect() as conn:
        return {(r[0], r[1]): int(r[2]) for r in conn.execute(query)}


def load(engine: Engine | Connection) -> Document:
    """Everything the register holds, as a document (what ``programme export`` writes)."""
    if isinstance(engine, Engine):
        with engine.connect() as conn:
            return load(conn)
    conn = engine

    def rows(query: Any) -> list[Any]:
        return list(conn.execute(query).mappings())

    def label(row: Any, base: str) -> Label:
        return Label(row[f"{base}_nl"], row[f"{base}_en"])

    def maybe(row: Any, base: str) -> Label | None:
        return None if row[f"{base}_nl"] is None else label(row, base)

    def change(row: Any) -> StatusChange:
        return StatusChange(
            row["changed_on"], row["status"], label(row, "evidence"), row["evidence_url"]
        )

    p, a, m = programmes, programme_action_lines, programme_measures
    lines = {r["id"]: r["code"] for r in rows(select(a.c.id, a.c.code))}
    measures = {
        r["id"]: (r["programme_code"], r["code"])
        for r in rows(select(m.c.id, m.c.programme_code, m.c.code))
    }
    recs = {
        r["id"]: (r["edition_code"], int(r["number"]))
        for r in rows(
            select(recommendations.c.id, recommendations.c.edition_code, recommendations.c.number)
        )
    }
    mh, rh, ms = measure_history, recommendation_history, measure_milestones
    return Document(
        programmes=tuple(
            Programme(
                r["code"],
                label(r, "title"),
                r["year"],
                r["start_date"],
                r["end_date"],
                maybe(r, "owner"),
                r["source"],
            )
            for r in rows(select(p).order_by(p.c.code))
        ),
        action_lines=tuple(
            ActionLine(r["programme_code"], r["code"], r["number"], label(r, "title"))
            for r in rows(select(a).order_by(a.c.programme_code, a.c.number, a.c.code))
        ),
        measures=tuple(
            Measure(
                r["programme_code"],
                r["code"],
                lines[r["action_line_id"]],
                label(r, "title"),
                r["owner"],
                maybe(r, "description"),
                r["start_date"],
                r["planned_end"],
                bool(r["is_example"]),
            )
            for r in rows(select(m).order_by(m.c.programme_code, m.c.code))
        ),
        measure_changes=tuple(
            MeasureChange(*measures[r["measure_id"]], change(r))
            for r in rows(select(mh).order_by(mh.c.measure_id, mh.c.changed_on, mh.c.id))
        ),
        milestones=tuple(
            Milestone(
                *measures[r["measure_id"]], r["code"], label(r, "title"), r["due"], r["reached"]
            )
            for r in rows(select(ms).order_by(ms.c.measure_id, ms.c.code))
        ),
        measure_indicators=tuple(
            MeasureIndicator(*measures[r["measure_id"]], r["indicator_code"])
            for r in rows(
                select(measure_indicators).order_by(
                    measure_indicators.c.measure_id, measure_indicators.c.indicator_code
                )
            )
        ),
        editions=tuple(
            Edition(r["code"], label(r, "title"), r["published_on"], r["source"])
            for r in rows(select(monitor_editions).order_by(monitor_editions.c.code))
        ),
        recommendations=tuple(
            Recommendation(
                r["edition_code"],
                int(r["number"]),
                label(r, "addressee"),
                label(r, "text"),
                maybe(r, "response"),
                r["response_source"],
            )
            for r in rows(
                select(recommendations).order_by(
                    recommendations.c.edition_code, recommendations.c.number
                )
            )
        ),
        recommendation_changes=tuple(
            RecommendationChange(*recs[r["recommendation_id"]], change(r))
            for r in rows(select(rh).order_by(rh.c.recommendation_id, rh.c.changed_on, rh.c.id))
        ),
        recommendation_indicators=tuple(
            RecommendationIndicator(*recs[r["recommendation_id"]], r["indicator_code"])
            for r in rows(
                select(recommendation_indicators).order_by(
                    recommendation_indicators.c.recommendation_id,
                    recommendation_indicators.c.indicator_code,
                )
            )
        ),
        indicators=tuple(
            Indicator(
                r["code"],
                label(r, "title"),
                r["kind"],
                r["unit"],
                r["expected"],
                r["series"],
                r["source"],
            )
            for r in rows(select(indicators).order_by(indicators.c.code))
        ),
        indicator_values=tuple(
            IndicatorValue(
                r["indicator_code"], r["year"], r["value"], r["source"], r["lower"], r["upper"]
            )
            for r in rows(
                select(indicator_values).order_by(
                    indicator_values.c.indicator_code, indicator_values.c.year
                )
            )
        ),
    )
