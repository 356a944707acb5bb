"""Write the register (a document) as YAML or CSV, in the forms ``programme import`` reads.

Export then import is a round trip: importing an export into the same register changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import yaml

from victim_monitor.csvfile import to_text
from victim_monitor.programme.document import Document, StatusChange
from victim_monitor.programme.fields import COLUMNS
from victim_monitor.programme.read import FORMAT
from victim_monitor.vocab import Label


def _label(label: Label | None) -> dict[str, str] | None:
    return None if label is None else {"nl": label.nl, "en": label.en}


def _flat(label: Label | None, base: str) -> dict[str, str | None]:
    return {
        f"{base}_nl": None if label is None else label.nl,
        f"{base}_en": None if label is None else label.en,
    }


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v != [] and v is not False}


def _change(c: StatusChange) -> dict[str, Any]:
    return _clean({"date": c.on, "status": c.status, "evidence": _label(c.evidence), "url": c.url})


def to_yaml(doc: Document) -> str:
    """The nested YAML form."""
    history: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for mc in doc.measure_changes:
        history[(mc.programme, mc.measure)].append(_change(mc.change))
    stones: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in doc.milestones:
        stones[(s.programme, s.measure)].append(
            _clean({"code": s.code, "title": _label(s.title), "due": s.due, "reached": s.reached})
        )
    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for i in doc.measure_indicators:
        links[(i.programme, i.measure)].append(i.indicator)
    programmes = []
    for p in doc.programmes:
        lines = [
            {"code": a.code, "number": a.number, "title": _label(a.title)}
            for a in doc.action_lines
            if a.programme == p.code
        ]
        measures = [
            _clean(
                {
                    "code": m.code,
                    "example": m.example,
                    "action_line": m.action_line,
                    "title": _label(m.title),
                    "description": _label(m.description),
                    "owner": m.owner,
                    "start": m.start,
                    "planned_end": m.planned_end,
                    "history": history[(p.code, m.code)],
                    "milestones": stones[(p.code, m.code)],
                    "indicators": links[(p.code, m.code)],
                }
            )
            for m in doc.measures
            if m.programme == p.code
        ]
        programmes.append(
            _clean(
                {
                    "code": p.code,
                    "title": _label(p.title),
                    "year": p.year,
                    "start": p.start,
                    "end": p.end,
                    "owner": _label(p.owner),
                    "source": p.source,
                    "action_lines": lines,
                    "measures": measures,
                }
            )
        )
    r_history: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for rc in doc.recommendation_changes:
        r_history[(rc.edition, rc.recommendation)].append(_change(rc.change))
    r_links: dict[tuple[str, int], list[str]] = defaultdict(list)
    for ri in doc.recommendation_indicators:
        r_links[(ri.edition, ri.recommendation)].append(ri.indicator)
    editions = [
        _clean(
            {
                "code": e.code,
                "title": _label(e.title),
                "published": e.published,
                "source": e.source,
                "recommendations": [
                    _clean(
                        {
                            "number": r.number,
                            "addressee": _label(r.addressee),
                            "text": _label(r.text),
                            "response": _label(r.response),
                            "response_source": r.response_source,
                            "history": r_history[(e.code, r.number)],
                            "indicators": r_links[(e.code, r.number)],
                        }
                    )
                    for r in doc.recommendations
                    if r.edition == e.code
                ],
            }
        )
        for e in doc.editions
    ]
    values: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in doc.indicator_values:
        values[v.indicator].append(
            _clean(
                {
                    "year": v.year,
                    "value": v.value,
                    "lower": v.lower,
                    "upper": v.upper,
                    "source": v.source,
                }
            )
        )
    indicators = [
        _clean(
            {
                "code": i.code,
                "title": _label(i.title),
                "kind": i.kind,
                "series": i.series,
                "unit": i.unit,
                "expected": i.expected,
                "source": i.source,
                "values": values[i.code],
            }
        )
        for i in doc.indicators
    ]
    data = _clean(
        {"format": FORMAT, "programmes": programmes, "editions": editions, "indicators": indicators}
    )
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _rows(doc: Document) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    add = rows.append
    for p in doc.programmes:
        add(
            {
                "record": "programme",
                "code": p.code,
                **_flat(p.title, "title"),
                "year": p.year,
                "start": p.start,
                "end": p.end,
                **_flat(p.owner, "owner"),
                "source": p.source,
            }
        )
    for a in doc.action_lines:
        add(
            {
                "record": "action_line",
                "programme": a.programme,
                "code": a.code,
                "number": a.number,
                **_flat(a.title, "title"),
            }
        )
    for m in doc.measures:
        add(
            {
                "record": "measure",
                "programme": m.programme,
                "code": m.code,
                "action_line": m.action_line,
                **_flat(m.title, "title"),
                **_flat(m.description, "description"),
                "owner": m.owner,
                "start": m.start,
                "planned_end": m.planned_end,
                "example": "true" if m.example else None,
            }
        )
    for mc in doc.measure_changes:
        c = mc.change
        add(
            {
                "record": "measure_status",
                "programme": mc.programme,
                "measure": mc.measure,
                "date": c.on,
                "status": c.status,
                **_flat(c.evidence, "evidence"),
                "url": c.url,
            }
        )
    for s in doc.milestones:
        add(
            {
                "record": "milestone",
                "programme": s.programme,
                "measure": s.measure,
                "code": s.code,
                **_flat(s.title, "title"),
                "due": s.due,
                "reached": s.reached,
            }
        )
    for i in doc.measure_indicators:
        add(
            {
                "record": "measure_indicator",
                "programme": i.programme,
                "measure": i.measure,
                "indicator": i.indicator,
            }
        )
    for i2 in doc.indicators:
        add(
            {
                "record": "indicator",
                "code": i2.code,
                **_flat(i2.title, "title"),
                "kind": i2.kind,
                "series": i2.series,
                "unit": i2.unit,
                "expected": i2.expected,
                "source": i2.source,
            }
        )
    for v in doc.indicator_values:
        add(
            {
                "record": "indicator_value",
                "indicator": v.indicator,
                "year": v.year,
                "value": v.value,
                "lower": v.lower,
                "upper": v.upper,
                "source": v.source,
            }
        )
    for e in doc.editions:
        add(
            {
                "record": "edition",
                "code": e.code,
                **_flat(e.title, "title"),
                "published": e.published,
                "source": e.source,
            }
        )
    for r in doc.recommendations:
        add(
            {
                "record": "recommendation",
                "edition": r.edition,
                "number": r.number,
                **_flat(r.addressee, "addressee"),
                **_flat(r.text, "text"),
                **_flat(r.response, "response"),
                "response_source": r.response_source,
            }
        )
    for rc in doc.recommendation_changes:
        c = rc.change
        add(
            {
                "record": "recommendation_status",
                "edition": rc.edition,
                "recommendation": rc.recommendation,
                "date": c.on,
                "status": c.status,
                **_flat(c.evidence, "evidence"),
                "url": c.url,
            }
        )
    for ri in doc.recommendation_indicators:
        add(
            {
                "record": "recommendation_indicator",
                "edition": ri.edition,
                "recommendation": ri.recommendation,
                "indicator": ri.indicator,
            }
        )
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_csv(doc: Document) -> str:
    """The CSV form: one row per record, parents before children."""
    # Evidence and titles are free text: one starting with "=" is quoted for spreadsheets, and
    # ``programme import`` takes the quote off again (csvfile.unquote), so the round trip holds.
    return to_text(COLUMNS, ([_cell(row.get(c)) for c in COLUMNS] for row in _rows(doc)))
