"""Check raw records: type every field, then check the records against each other and the register.

Nothing stops at the first problem: every record is checked and every problem located. A
reference may point into the file or into the register (``Known``), so that a small file can
add a status change to a measure registered earlier.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from victim_monitor.problems import ProblemLog
from victim_monitor.programme.codes import (
    BAD_VALUE,
    DUPLICATE,
    HISTORY_BEFORE_START,
    INDICATOR_SOURCE,
    MISSING,
    OUT_OF_ORDER,
    UNKNOWN_REFERENCE,
    UNKNOWN_SERIES,
)
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
from victim_monitor.programme.fields import KINDS, Field, Type
from victim_monitor.programme.read import RawRecord
from victim_monitor.programme.series import SERIES
from victim_monitor.vocab import Label

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = {"true", "yes", "ja", "1"}
_FALSE = {"false", "no", "nee", "0"}


@dataclass(frozen=True, slots=True)
class Known:
    """What the register already holds, for references from a file."""

    programmes: frozenset[str] = frozenset()
    action_lines: frozenset[tuple[str, str]] = frozenset()
    measures: Mapping[tuple[str, str], date | None] = field(default_factory=dict)
    editions: frozenset[str] = frozenset()
    recommendations: frozenset[tuple[str, int]] = frozenset()
    indicators: Mapping[str, str] = field(default_factory=dict)  # code -> kind


class _InvalidError(ValueError):
    pass


def _convert(spec: Field, value: object) -> object:
    """The typed value, or _InvalidError with a message saying what was expected."""
    t = spec.type
    if t in (Type.TEXT, Type.URL, Type.CODE, Type.CHOICE):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _InvalidError("expected text")
        text = str(value).strip()
        if spec.length is not None and len(text) > spec.length:
            raise _InvalidError(f"longer than {spec.length} characters")
        if t is Type.CODE and not _CODE.fullmatch(text):
            raise _InvalidError("a code is letters, digits, '.', '_' or '-'")
        if t is Type.URL and not text.startswith(("https://", "http://")):
            raise _InvalidError("expected a web address starting with https://")
        if t is Type.CHOICE and text not in spec.choices:
            raise _InvalidError(f"expected one of {', '.join(spec.choices)}")
        return text
    if t is Type.DATE:
        if isinstance(value, date) and not hasattr(value, "hour"):
            return value
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise _InvalidError("expected a date YYYY-MM-DD")
    if t in (Type.YEAR, Type.NUMBER):
        number = _integer(value)
        if t is Type.YEAR and not 1900 <= number <= 2100:
            raise _InvalidError("expected a year from 1900 to 2100")
        if t is Type.NUMBER and not 1 <= number <= 32767:
            raise _InvalidError("expected a whole number from 1")
        return number
    if t is Type.FLOAT:
        try:
            real = float(value) if isinstance(value, (int, float, str)) else math.nan
        except ValueError:
            real = math.nan
        if isinstance(value, bool) or not math.isfinite(real):
            raise _InvalidError("expected a number")
        return real
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _InvalidError("expected true or false")


def _integer(value: object) -> int:
    if isinstance(value, bool):
        raise _InvalidError("expected a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise _InvalidError("expected a whole number")


@dataclass(slots=True)
class _Typed:
    raw: RawRecord
    v: dict[str, Any]
    ok: bool = True

    def where(self, name: str | None = None) -> dict[str, Any]:
        return self.raw.where(name)

    def label(self, base: str) -> Label | None:
        nl, en = self.v.get(f"{base}_nl"), self.v.get(f"{base}_en")
        return None if nl is None or en is None else Label(nl, en)


def _typed(record: RawRecord, log: ProblemLog) -> _Typed:
    values: dict[str, Any] = {}
    ok = True
    for spec in KINDS[record.kind]:
        if spec.name in record.reported:
            ok = False
            continue
        value = record.values.get(spec.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.required:
                log.add(
                    MISSING(
                        f"a {record.kind.replace('_', ' ')} needs {spec.name}",
                        **record.where(spec.name),
                    )
                )
                ok = False
            continue
        try:
            values[spec.name] = _convert(spec, value)
        except _InvalidError as exc:
            log.add(BAD_VALUE(str(exc), **record.where(spec.name), value=value))
            ok = False
    pairs = {s.name[:-3] for s in KINDS[record.kind] if s.name.endswith("_nl") and not s.required}
    for base in sorted(pairs):
        if (f"{base}_nl" in values) != (f"{base}_en" in values):
            missing = f"{base}_en" if f"{base}_nl" in values else f"{base}_nl"
            log.add(
                MISSING(
                    "give the text in both Dutch (nl) and English (en)", **record.where(missing)
                )
            )
            ok = False
    return _Typed(record, values, ok)


def check(records: Iterable[RawRecord], log: ProblemLog, known: Known | None = None) -> Document:
    """The document the records state; problems (including cross-record ones) go to ``log``."""
    known = known or Known()
    typed: dict[str, list[_Typed]] = {kind: [] for kind in KINDS}
    # Keys of records with a bad field: references to them are not reported again (VM607),
    # since the file is rejected for the bad field already.
    broken: dict[str, set[Any]] = {kind: set() for kind in KINDS}
    for record in records:
        t = _typed(record, log)
        if t.ok:
            typed[record.kind].append(t)
        else:
            broken[record.kind].add(_key(t))

    def unique(kind: str, key: Callable[[_Typed], object], name: str) -> list[_Typed]:
        seen: dict[object, _Typed] = {}
        out = []
        for t in typed[kind]:
            k = key(t)
            if k in seen:
                first = seen[k].raw
                at = f"row {first.row}" if first.row is not None else first.path
                log.add(
                    DUPLICATE(f"{kind.replace('_', ' ')} already given at {at}", **t.where(name))
                )
            else:
                seen[k] = t
                out.append(t)
        return out

    programmes = unique("programme", lambda t: t.v["code"], "code")
    action_lines = unique("action_line", lambda t: (t.v["programme"], t.v["code"]), "code")
    measures = unique("measure", lambda t: (t.v["programme"], t.v["code"]), "code")
    m_changes = unique(
        "measure_status",
        lambda t: (t.v["programme"], t.v["measure"], t.v["date"], t.v["status"]),
        "status",
    )
    milestones = unique(
        "milestone", lambda t: (t.v["programme"], t.v["measure"], t.v["code"]), "code"
    )
    m_links = unique(
        "measure_indicator",
        lambda t: (t.v["programme"], t.v["measure"], t.v["indicator"]),
        "indicator",
    )
    editions = unique("edition", lambda t: t.v["code"], "code")
    recs = unique("recommendation", lambda t: (t.v["edition"], t.v["number"]), "number")
    r_changes = unique(
        "recommendation_status",
        lambda t: (t.v["edition"], t.v["recommendation"], t.v["date"], t.v["status"]),
        "status",
    )
    r_links = unique(
        "recommendation_indicator",
        lambda t: (t.v["edition"], t.v["recommendation"], t.v["indicator"]),
        "indicator",
    )
    indicators = unique("indicator", lambda t: t.v["code"], "code")
    values = unique("indicator_value", lambda t: (t.v["indicator"], t.v["year"]), "year")

    prog_codes = known.programmes | {t.v["code"] for t in programmes} | broken["programme"]
    line_keys = known.action_lines | {_key(t) for t in action_lines} | broken["action_line"]
    measure_start = (
        dict.fromkeys(broken["measure"])
        | dict(known.measures)
        | {_key(t): t.v.get("start") for t in measures}
    )
    edition_codes = known.editions | {t.v["code"] for t in editions} | broken["edition"]
    rec_keys = known.recommendations | {_key(t) for t in recs} | broken["recommendation"]
    kinds = (
        dict.fromkeys(broken["indicator"])
        | dict(known.indicators)
        | {t.v["code"]: t.v["kind"] for t in indicators}
    )

    def refer(
        items: list[_Typed], name: str, exists: Callable[[_Typed], bool], what: str
    ) -> list[_Typed]:
        out = []
        for t in items:
            if exists(t):
                out.append(t)
            else:
                log.add(
                    UNKNOWN_REFERENCE(
                        f"no {what} {t.v[name]!r} in the file or the register",
                        **t.where(name),
                        value=t.v[name],
                    )
                )
        return out

    def ordered(t: _Typed, first: str, second: str, message: str) -> bool:
        a, b = t.v.get(first), t.v.get(second)
        if a is not None and b is not None and b < a:
            log.add(OUT_OF_ORDER(message, **t.where(second), value=b))
            return False
        return True

    action_lines = refer(
        action_lines, "programme", lambda t: t.v["programme"] in prog_codes, "programme"
    )
    measures = refer(measures, "programme", lambda t: t.v["programme"] in prog_codes, "programme")
    measures = refer(
        measures,
        "action_line",
        lambda t: (t.v["programme"], t.v["action_line"]) in line_keys,
        "action line of this programme",
    )
    in_measures = lambda t: (t.v["programme"], t.v["measure"]) in measure_start  # noqa: E731
    m_changes = refer(m_changes, "measure", in_measures, "measure of this programme")
    milestones = refer(milestones, "measure", in_measures, "measure of this programme")
    m_links = refer(
        refer(m_links, "measure", in_measures, "measure of this programme"),
        "indicator",
        lambda t: t.v["indicator"] in kinds,
        "indicator",
    )
    recs = refer(recs, "edition", lambda t: t.v["edition"] in edition_codes, "edition")
    in_recs = lambda t: (t.v["edition"], t.v["recommendation"]) in rec_keys  # noqa: E731
    r_changes = refer(r_changes, "recommendation", in_recs, "recommendation of this edition")
    r_links = refer(
        refer(r_links, "recommendation", in_recs, "recommendation of this edition"),
        "indicator",
        lambda t: t.v["indicator"] in kinds,
        "indicator",
    )
    values = refer(values, "indicator", lambda t: t.v["indicator"] in kinds, "indicator")

    programmes = [
        t for t in programmes if ordered(t, "start", "end", "the programme ends before it starts")
    ]
    measures = [
        t
        for t in measures
        if ordered(t, "start", "planned_end", "the planned end is before the start")
    ]
    good_values = []
    for t in values:
        if kinds[t.v["indicator"]] is None:
            continue
        if kinds[t.v["indicator"]] != "external":
            log.add(
                INDICATOR_SOURCE(
                    "values can only be entered for an external indicator; a monitor "
                    "indicator takes its values from the tables",
                    **t.where("value"),
                )
            )
        elif ordered(t, "lower", "value", "the value is below its lower bound") and ordered(
            t, "value", "upper", "the value is above its upper bound"
        ):
            good_values.append(t)
    good_indicators = []
    for t in indicators:
        series = t.v.get("series")
        if t.v["kind"] == "monitor" and series is None:
            log.add(
                INDICATOR_SOURCE(
                    "a monitor indicator names the series it follows", **t.where("series")
                )
            )
        elif t.v["kind"] == "external" and series is not None:
            log.add(
                INDICATOR_SOURCE(
                    "an external indicator has values with a source, not a series",
                    **t.where("series"),
                    value=series,
                )
            )
        elif series is not None and series not in SERIES:
            log.add(
                UNKNOWN_SERIES(
                    f"known series: {', '.join(SERIES)}", **t.where("series"), value=series
                )
            )
        elif series is not None and SERIES[series].unit != t.v["unit"]:
            message = f"series {series} is a {SERIES[series].unit}: set unit to match"
            log.add(INDICATOR_SOURCE(message, **t.where("unit"), value=t.v["unit"]))
        else:
            good_indicators.append(t)
    for t in m_changes:
        start = measure_start.get((t.v["programme"], t.v["measure"]))
        if start is not None and t.v["date"] < start and t.v["status"] != "planned":
            log.add(
                HISTORY_BEFORE_START(
                    f"status {t.v['status']} on {t.v['date']}, but the measure starts on {start}",
                    **t.where("date"),
                )
            )

    def change(t: _Typed) -> StatusChange:
        return StatusChange(t.v["date"], t.v["status"], _label(t, "evidence"), t.v.get("url"))

    return Document(
        programmes=tuple(
            Programme(
                t.v["code"],
                _label(t, "title"),
                t.v["year"],
                t.v.get("start"),
                t.v.get("end"),
                t.label("owner"),
                t.v.get("source"),
            )
            for t in programmes
        ),
        action_lines=tuple(
            ActionLine(t.v["programme"], t.v["code"], t.v["number"], _label(t, "title"))
            for t in action_lines
        ),
        measures=tuple(
            Measure(
                t.v["programme"],
                t.v["code"],
                t.v["action_line"],
                _label(t, "title"),
                t.v["owner"],
                t.label("description"),
                t.v.get("start"),
                t.v.get("planned_end"),
                bool(t.v.get("example", False)),
            )
            for t in measures
        ),
        measure_changes=tuple(
            MeasureChange(t.v["programme"], t.v["measure"], change(t)) for t in m_changes
        ),
        milestones=tuple(
            Milestone(
                t.v["programme"],
                t.v["measure"],
                t.v["code"],
                _label(t, "title"),
                t.v.get("due"),
                t.v.get("reached"),
            )
            for t in milestones
        ),
        measure_indicators=tuple(
            MeasureIndicator(t.v["programme"], t.v["measure"], t.v["indicator"]) for t in m_links
        ),
        editions=tuple(
            Edition(t.v["code"], _label(t, "title"), t.v.get("published"), t.v.get("source"))
            for t in editions
        ),
        recommendations=tuple(
            Recommendation(
                t.v["edition"],
                t.v["number"],
                _label(t, "addressee"),
                _label(t, "text"),
                t.label("response"),
                t.v.get("response_source"),
            )
            for t in recs
        ),
        recommendation_changes=tuple(
            RecommendationChange(t.v["edition"], t.v["recommendation"], change(t))
            for t in r_changes
        ),
        recommendation_indicators=tuple(
            RecommendationIndicator(t.v["edition"], t.v["recommendation"], t.v["indicator"])
            for t in r_links
        ),
        indicators=tuple(
            Indicator(
                t.v["code"],
                _label(t, "title"),
                t.v["kind"],
                t.v["unit"],
                t.v["expected"],
                t.v.get("series"),
                t.v.get("source"),
            )
            for t in good_indicators
        ),
        indicator_values=tuple(
            IndicatorValue(
                t.v["indicator"],
                t.v["year"],
                t.v["value"],
                t.v["source"],
                t.v.get("lower"),
                t.v.get("upper"),
            )
            for t in good_values
        ),
    )


_KEYS = {
    "programme": ("code",),
    "action_line": ("programme", "code"),
    "measure": ("programme", "code"),
    "edition": ("code",),
    "recommendation": ("edition", "number"),
    "indicator": ("code",),
}


def _key(t: _Typed) -> Any:
    """The natural key of a record of a kind others refer to (what of it could be typed)."""
    names = _KEYS.get(t.raw.kind, ())
    key = tuple(t.v.get(n) for n in names)
    return key[0] if len(key) == 1 else key


def _label(t: _Typed, base: str) -> Label:
    found = t.label(base)
    assert found is not None  # required pairs are checked in _typed
    return found
