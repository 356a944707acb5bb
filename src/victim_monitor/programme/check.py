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
    """The document the records state; problems (including cross-record ones) go to ``log``.

    Four passes, each reporting every problem it finds before the next: type each record's
    fields; drop repeated records; drop records that refer to what neither the file nor the
    register holds; drop records that contradict themselves or their measure. Problems are
    logged in that order, and within a pass in the order of ``_UNIQUE``.
    """
    typed, broken = _type_all(records, log)
    kept = _drop_duplicates(typed, log)
    refs = _References.of(known or Known(), kept, broken)
    kept = _drop_unknown_references(kept, refs, log)
    kept = _drop_inconsistent(kept, refs, log)
    return _document(kept)


Records = dict[str, list[_Typed]]
"""Typed records by kind."""

_UNIQUE: dict[str, tuple[tuple[str, ...], str]] = {
    # kind: (the fields no two records of the kind may share, the field a duplicate is shown at)
    "programme": (("code",), "code"),
    "action_line": (("programme", "code"), "code"),
    "measure": (("programme", "code"), "code"),
    "measure_status": (("programme", "measure", "date", "status"), "status"),
    "milestone": (("programme", "measure", "code"), "code"),
    "measure_indicator": (("programme", "measure", "indicator"), "indicator"),
    "edition": (("code",), "code"),
    "recommendation": (("edition", "number"), "number"),
    "recommendation_status": (("edition", "recommendation", "date", "status"), "status"),
    "recommendation_indicator": (("edition", "recommendation", "indicator"), "indicator"),
    "indicator": (("code",), "code"),
    "indicator_value": (("indicator", "year"), "year"),
}


def _type_all(records: Iterable[RawRecord], log: ProblemLog) -> tuple[Records, dict[str, set[Any]]]:
    """The records whose every field is typed, by kind; and the keys of those with a bad field.

    References to a broken record are not reported again (VM607): the file is rejected for
    its bad field already.
    """
    typed: Records = {kind: [] for kind in KINDS}
    broken: dict[str, set[Any]] = {kind: set() for kind in KINDS}
    for record in records:
        t = _typed(record, log)
        if t.ok:
            typed[record.kind].append(t)
        else:
            broken[record.kind].add(_key(t))
    return typed, broken


def _drop_duplicates(typed: Records, log: ProblemLog) -> Records:
    """Each kind's records less those repeating an earlier one's key (logged at the repeat,
    naming where the first was given)."""
    kept: Records = {}
    for kind, (names, shown_at) in _UNIQUE.items():
        seen: dict[tuple[Any, ...], _Typed] = {}
        out = kept[kind] = []
        for t in typed[kind]:
            k = tuple(t.v[n] for n in names)
            if k in seen:
                first = seen[k].raw
                at = f"row {first.row}" if first.row is not None else first.path
                message = f"{kind.replace('_', ' ')} already given at {at}"
                log.add(DUPLICATE(message, **t.where(shown_at)))
            else:
                seen[k] = t
                out.append(t)
    return kept


@dataclass(frozen=True, slots=True)
class _References:
    """What a record may refer to: the keys in the file, the register and the broken records."""

    programmes: frozenset[str]
    action_lines: frozenset[tuple[str, str]]
    measure_start: Mapping[tuple[str, str], date | None]
    editions: frozenset[str]
    recommendations: frozenset[tuple[str, int]]
    indicator_kinds: Mapping[str, str | None]  # None: an indicator with a bad field

    @classmethod
    def of(cls, known: Known, kept: Records, broken: dict[str, set[Any]]) -> _References:
        return cls(
            programmes=known.programmes
            | {t.v["code"] for t in kept["programme"]}
            | broken["programme"],
            action_lines=known.action_lines
            | {_key(t) for t in kept["action_line"]}
            | broken["action_line"],
            measure_start=dict.fromkeys(broken["measure"])
            | dict(known.measures)
            | {_key(t): t.v.get("start") for t in kept["measure"]},
            editions=known.editions | {t.v["code"] for t in kept["edition"]} | broken["edition"],
            recommendations=known.recommendations
            | {_key(t) for t in kept["recommendation"]}
            | broken["recommendation"],
            indicator_kinds=dict.fromkeys(broken["indicator"])
            | dict(known.indicators)
            | {t.v["code"]: t.v["kind"] for t in kept["indicator"]},
        )


def _refer(
    items: list[_Typed], name: str, exists: Callable[[_Typed], bool], what: str, log: ProblemLog
) -> list[_Typed]:
    """``items`` whose field ``name`` refers to something that ``exists``; the others logged."""
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


def _drop_unknown_references(kept: Records, refs: _References, log: ProblemLog) -> Records:
    """The records less those referring to what neither the file nor the register holds.

    A record is checked against the records kept so far only through ``refs``, which holds
    every key given (a measure of an unknown programme still lets its status changes refer to
    it: one unknown reference is reported once, at its source).
    """

    out = dict(kept)

    def refer(kind: str, name: str, exists: Callable[[_Typed], bool], what: str) -> None:
        out[kind] = _refer(out[kind], name, exists, what, log)

    def in_programmes(t: _Typed) -> bool:
        return t.v["programme"] in refs.programmes

    def in_measures(t: _Typed) -> bool:
        return (t.v["programme"], t.v["measure"]) in refs.measure_start

    def in_recommendations(t: _Typed) -> bool:
        return (t.v["edition"], t.v["recommendation"]) in refs.recommendations

    def in_indicators(t: _Typed) -> bool:
        return t.v["indicator"] in refs.indicator_kinds

    measure, recommendation = "measure of this programme", "recommendation of this edition"
    refer("action_line", "programme", in_programmes, "programme")
    refer("measure", "programme", in_programmes, "programme")
    refer(
        "measure",
        "action_line",
        lambda t: (t.v["programme"], t.v["action_line"]) in refs.action_lines,
        "action line of this programme",
    )
    refer("measure_status", "measure", in_measures, measure)
    refer("milestone", "measure", in_measures, measure)
    refer("measure_indicator", "measure", in_measures, measure)
    refer("measure_indicator", "indicator", in_indicators, "indicator")
    refer("recommendation", "edition", lambda t: t.v["edition"] in refs.editions, "edition")
    refer("recommendation_status", "recommendation", in_recommendations, recommendation)
    refer("recommendation_indicator", "recommendation", in_recommendations, recommendation)
    refer("recommendation_indicator", "indicator", in_indicators, "indicator")
    refer("indicator_value", "indicator", in_indicators, "indicator")
    return out


def _drop_inconsistent(kept: Records, refs: _References, log: ProblemLog) -> Records:
    """The records less those that contradict themselves: ranges out of order, an indicator's
    values or series at odds with its kind. A status change dated before its measure's start
    is kept, with a warning (VM611)."""
    kept = dict(kept)
    kept["programme"] = [
        t
        for t in kept["programme"]
        if _ordered(t, "start", "end", "the programme ends before it starts", log)
    ]
    kept["measure"] = [
        t
        for t in kept["measure"]
        if _ordered(t, "start", "planned_end", "the planned end is before the start", log)
    ]
    kept["indicator_value"] = _indicator_values(kept["indicator_value"], refs, log)
    kept["indicator"] = [t for t in kept["indicator"] if _indicator_source(t, log)]
    _history_after_start(kept["measure_status"], refs, log)
    return kept


def _ordered(t: _Typed, first: str, second: str, message: str, log: ProblemLog) -> bool:
    """False (and logged) if both fields are given and ``second`` comes before ``first``."""
    a, b = t.v.get(first), t.v.get(second)
    if a is not None and b is not None and b < a:
        log.add(OUT_OF_ORDER(message, **t.where(second), value=b))
        return False
    return True


def _indicator_values(values: list[_Typed], refs: _References, log: ProblemLog) -> list[_Typed]:
    """The values of external indicators that lie within their own bounds.

    A monitor indicator takes its values from the tables; a value of a broken indicator is
    dropped without a word (the indicator's own problem is reported).
    """
    good = []
    for t in values:
        kind = refs.indicator_kinds[t.v["indicator"]]
        if kind is None:
            continue
        if kind != "external":
            log.add(
                INDICATOR_SOURCE(
                    "values can only be entered for an external indicator; a monitor "
                    "indicator takes its values from the tables",
                    **t.where("value"),
                )
            )
        elif _ordered(t, "lower", "value", "the value is below its lower bound", log) and _ordered(
            t, "value", "upper", "the value is above its upper bound", log
        ):
            good.append(t)
    return good


def _indicator_source(t: _Typed, log: ProblemLog) -> bool:
    """Whether an indicator's source fits its kind: a monitor indicator follows a known series
    in the same unit, an external one has none (False: logged)."""
    series = t.v.get("series")
    if t.v["kind"] == "monitor" and series is None:
        log.add(
            INDICATOR_SOURCE("a monitor indicator names the series it follows", **t.where("series"))
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
            UNKNOWN_SERIES(f"known series: {', '.join(SERIES)}", **t.where("series"), value=series)
        )
    elif series is not None and SERIES[series].unit != t.v["unit"]:
        message = f"series {series} is a {SERIES[series].unit}: set unit to match"
        log.add(INDICATOR_SOURCE(message, **t.where("unit"), value=t.v["unit"]))
    else:
        return True
    return False


def _history_after_start(changes: list[_Typed], refs: _References, log: ProblemLog) -> None:
    """Log a measure's status change dated before its start (other than ``planned``)."""
    for t in changes:
        start = refs.measure_start.get((t.v["programme"], t.v["measure"]))
        if start is not None and t.v["date"] < start and t.v["status"] != "planned":
            log.add(
                HISTORY_BEFORE_START(
                    f"status {t.v['status']} on {t.v['date']}, but the measure starts on {start}",
                    **t.where("date"),
                )
            )


def _document(kept: Records) -> Document:
    """The document of the records that passed every check."""
    return Document(
        programmes=tuple(map(_programme, kept["programme"])),
        action_lines=tuple(
            ActionLine(t.v["programme"], t.v["code"], t.v["number"], _label(t, "title"))
            for t in kept["action_line"]
        ),
        measures=tuple(map(_measure, kept["measure"])),
        measure_changes=tuple(
            MeasureChange(t.v["programme"], t.v["measure"], _change(t))
            for t in kept["measure_status"]
        ),
        milestones=tuple(map(_milestone, kept["milestone"])),
        measure_indicators=tuple(
            MeasureIndicator(t.v["programme"], t.v["measure"], t.v["indicator"])
            for t in kept["measure_indicator"]
        ),
        editions=tuple(
            Edition(t.v["code"], _label(t, "title"), t.v.get("published"), t.v.get("source"))
            for t in kept["edition"]
        ),
        recommendations=tuple(map(_recommendation, kept["recommendation"])),
        recommendation_changes=tuple(
            RecommendationChange(t.v["edition"], t.v["recommendation"], _change(t))
            for t in kept["recommendation_status"]
        ),
        recommendation_indicators=tuple(
            RecommendationIndicator(t.v["edition"], t.v["recommendation"], t.v["indicator"])
            for t in kept["recommendation_indicator"]
        ),
        indicators=tuple(map(_indicator, kept["indicator"])),
        indicator_values=tuple(map(_indicator_value, kept["indicator_value"])),
    )


def _change(t: _Typed) -> StatusChange:
    return StatusChange(t.v["date"], t.v["status"], _label(t, "evidence"), t.v.get("url"))


def _programme(t: _Typed) -> Programme:
    return Programme(
        t.v["code"],
        _label(t, "title"),
        t.v["year"],
        t.v.get("start"),
        t.v.get("end"),
        t.label("owner"),
        t.v.get("source"),
    )


def _measure(t: _Typed) -> Measure:
    return Measure(
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


def _milestone(t: _Typed) -> Milestone:
    return Milestone(
        t.v["programme"],
        t.v["measure"],
        t.v["code"],
        _label(t, "title"),
        t.v.get("due"),
        t.v.get("reached"),
    )


def _recommendation(t: _Typed) -> Recommendation:
    return Recommendation(
        t.v["edition"],
        t.v["number"],
        _label(t, "addressee"),
        _label(t, "text"),
        t.label("response"),
        t.v.get("response_source"),
    )


def _indicator(t: _Typed) -> Indicator:
    return Indicator(
        t.v["code"],
        _label(t, "title"),
        t.v["kind"],
        t.v["unit"],
        t.v["expected"],
        t.v.get("series"),
        t.v.get("source"),
    )


def _indicator_value(t: _Typed) -> IndicatorValue:
    return IndicatorValue(
        t.v["indicator"],
        t.v["year"],
        t.v["value"],
        t.v["source"],
        t.v.get("lower"),
        t.v.get("upper"),
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
