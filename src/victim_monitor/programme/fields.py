"""The record kinds of a programme file and their fields: one table that YAML, CSV and export share.

Field names are flat (``title_nl``); in YAML a bilingual field is written ``title: {nl, en}``
and a child list (``history``, ``milestones``, ``indicators``, ``values``) sits under its
parent. The CSV form has one row per record, its kind in the ``record`` column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from victim_monitor.programme.terms import Expected, FollowUp, IndicatorKind, MeasureStatus, Unit


class Type(StrEnum):
    CODE = "code"  # letters, digits, '.', '_' and '-'
    TEXT = "text"
    DATE = "date"  # ISO 8601, YYYY-MM-DD
    YEAR = "year"
    NUMBER = "number"  # a whole number >= 1
    FLOAT = "float"
    BOOL = "bool"
    URL = "url"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: Type
    required: bool = False
    length: int | None = None
    choices: tuple[str, ...] = ()


def _f(
    name: str, type: Type = Type.TEXT, required: bool = False, length: int | None = None
) -> Field:
    return Field(name, type, required, length)


def _choice(name: str, enum: type[StrEnum], required: bool = True) -> Field:
    return Field(name, Type.CHOICE, required, None, tuple(str(v) for v in enum))


def _pair(base: str, required: bool, length: int | None = None) -> tuple[Field, Field]:
    return _f(f"{base}_nl", Type.TEXT, required, length), _f(
        f"{base}_en", Type.TEXT, required, length
    )


_HISTORY = (
    _f("date", Type.DATE, True),
    *_pair("evidence", True),
    _f("url", Type.URL, length=500),
)

KINDS: dict[str, tuple[Field, ...]] = {
    "programme": (
        _f("code", Type.CODE, True, 32),
        *_pair("title", True, 200),
        _f("year", Type.YEAR, True),
        _f("start", Type.DATE),
        _f("end", Type.DATE),
        *_pair("owner", False, 200),
        _f("source"),
    ),
    "action_line": (
        _f("programme", Type.CODE, True, 32),
        _f("code", Type.CODE, True, 32),
        _f("number", Type.NUMBER, True),
        *_pair("title", True, 200),
    ),
    "measure": (
        _f("programme", Type.CODE, True, 32),
        _f("code", Type.CODE, True, 32),
        _f("action_line", Type.CODE, True, 32),
        *_pair("title", True, 300),
        *_pair("description", False),
        _f("owner", Type.TEXT, True, 200),
        _f("start", Type.DATE),
        _f("planned_end", Type.DATE),
        _f("example", Type.BOOL),
    ),
    "measure_status": (
        _f("programme", Type.CODE, True, 32),
        _f("measure", Type.CODE, True, 32),
        _choice("status", MeasureStatus),
        *_HISTORY,
    ),
    "milestone": (
        _f("programme", Type.CODE, True, 32),
        _f("measure", Type.CODE, True, 32),
        _f("code", Type.CODE, True, 32),
        *_pair("title", True, 300),
        _f("due", Type.DATE),
        _f("reached", Type.DATE),
    ),
    "measure_indicator": (
        _f("programme", Type.CODE, True, 32),
        _f("measure", Type.CODE, True, 32),
        _f("indicator", Type.CODE, True, 64),
    ),
    "edition": (
        _f("code", Type.CODE, True, 16),
        *_pair("title", True, 300),
        _f("published", Type.DATE),
        _f("source"),
    ),
    "recommendation": (
        _f("edition", Type.CODE, True, 16),
        _f("number", Type.NUMBER, True),
        *_pair("addressee", True, 300),
        *_pair("text", True),
        *_pair("response", False),
        _f("response_source"),
    ),
    "recommendation_status": (
        _f("edition", Type.CODE, True, 16),
        _f("recommendation", Type.NUMBER, True),
        _choice("status", FollowUp),
        *_HISTORY,
    ),
    "recommendation_indicator": (
        _f("edition", Type.CODE, True, 16),
        _f("recommendation", Type.NUMBER, True),
        _f("indicator", Type.CODE, True, 64),
    ),
    "indicator": (
        _f("code", Type.CODE, True, 64),
        *_pair("title", True, 300),
        _choice("kind", IndicatorKind),
        _f("series", Type.CODE, length=64),
        _choice("unit", Unit),
        _choice("expected", Expected),
        _f("source"),
    ),
    "indicator_value": (
        _f("indicator", Type.CODE, True, 64),
        _f("year", Type.YEAR, True),
        _f("value", Type.FLOAT, True),
        _f("lower", Type.FLOAT),
        _f("upper", Type.FLOAT),
        _f("source", Type.TEXT, True),
    ),
}

# Every column of the CSV form, in a stable order: ``record`` first, then first use.
COLUMNS: tuple[str, ...] = (
    "record",
    *dict.fromkeys(f.name for fields in KINDS.values() for f in fields),
)

# Bilingual fields (written ``name: {nl, en}`` in YAML), per kind.
BILINGUAL: dict[str, frozenset[str]] = {
    kind: frozenset(f.name[:-3] for f in fields if f.name.endswith("_nl"))
    for kind, fields in KINDS.items()
}
