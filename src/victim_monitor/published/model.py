"""The published directory as typed values: what the factsheet, the web app and open data read.

The format is described in ``docs/methods/publication.md``. These values hold only published
numbers: a suppressed cell has ``value=None`` and nothing says why it was hidden.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import pandas as pd

from victim_monitor.estimation.estimable import REASONS, Reason
from victim_monitor.vocab import Label

FORMAT = "victim-monitor-publication/1"
TABLE_FORMAT = "victim-monitor-table/1"
ESTIMATES_FORMAT = "victim-monitor-estimates/1"
TRENDS_FORMAT = "victim-monitor-trends/1"
FINDINGS_FORMAT = "victim-monitor-findings/1"
TOTAL = "Total"

PublicOutcome = Literal["shown", "suppressed", "rounded", "not_available"]
# "not_available": a publication made from published figures (``publish --from-figures``) has
# no figure for the cell; never written by ``publish`` from the register.
OUTCOMES: tuple[PublicOutcome, ...] = ("shown", "suppressed", "rounded", "not_available")


def label_of(raw: Mapping[str, Any]) -> Label:
    return Label(str(raw["nl"]), str(raw["en"]))


def label_dict(label: Label) -> dict[str, str]:
    return {"nl": label.nl, "en": label.en}


@dataclass(frozen=True, slots=True, order=True)
class CellKey:
    """A published cell: its table and its categories, as sorted ``(dimension, code)`` pairs."""

    table: str
    key: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "key": dict(self.key)}

    @classmethod
    def of(cls, table: str, key: Mapping[str, str]) -> CellKey:
        return cls(table, tuple(sorted((str(d), str(c)) for d, c in key.items())))

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> CellKey:
        return cls.of(str(raw["table"]), raw["key"])


@dataclass(frozen=True, slots=True)
class PublishedCell:
    """One published cell: its categories (in dimension order), value and outcome.

    ``source``: where the figure was published before (only in a publication made from
    published figures; empty for the register's own counts).
    """

    key: tuple[str, ...]
    value: int | None
    outcome: PublicOutcome
    source: str = ""

    @property
    def suppressed(self) -> bool:
        return self.outcome == "suppressed"

    @property
    def not_available(self) -> bool:
        return self.outcome == "not_available"


@dataclass(frozen=True)
class PublishedTable:
    """A protected table as published: definitions, bilingual labels, every cell."""

    name: str
    title: Label
    definition: Label
    measure: str
    counting: str
    counting_label: Label
    dimensions: tuple[str, ...]
    dimension_labels: Mapping[str, Label]
    categories: Mapping[str, tuple[str, ...]]
    labels: Mapping[str, Mapping[str, Label]]
    margins: tuple[str, ...]
    overlapping: tuple[str, ...]
    fixed: Mapping[str, str]
    cells: tuple[PublishedCell, ...]

    @cached_property
    def by_key(self) -> Mapping[tuple[str, ...], PublishedCell]:
        """Every cell by its categories in dimension order: ``by_key[("2018", "Total")]``
        (the factsheet's references name a cell so: ``victims_by_form[2018, Total]``)."""
        return {c.key: c for c in self.cells}

    def cell(self, **key: str | int) -> PublishedCell:
        """The cell with these categories, e.g. ``cell(year="2018", form_group="Total")``."""
        if set(key) != set(self.dimensions):
            raise KeyError(f"{self.name}: give exactly {self.dimensions}, not {tuple(key)}")
        return self.by_key[tuple(str(key[d]) for d in self.dimensions)]

    def value(self, **key: str | int) -> int | None:
        """The published value of a cell; ``None`` when it is suppressed."""
        return self.cell(**key).value

    def label(self, dimension: str, code: str, lang: Literal["nl", "en"] = "en") -> str:
        return self.labels[dimension][code](lang)

    def frame(self) -> pd.DataFrame:
        """One row per cell: the dimension codes, ``value`` (nullable Int64) and ``outcome``."""
        rows = [
            {**dict(zip(self.dimensions, c.key, strict=True)), "value": c.value,
             "outcome": c.outcome}
            for c in self.cells
        ]  # fmt: skip
        frame = pd.DataFrame(rows, columns=[*self.dimensions, "value", "outcome"])
        frame["value"] = frame["value"].astype("Int64")
        return frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": TABLE_FORMAT,
            "name": self.name,
            "title": label_dict(self.title),
            "definition": label_dict(self.definition),
            "measure": self.measure,
            "counting": self.counting,
            "counting_label": label_dict(self.counting_label),
            "dimensions": list(self.dimensions),
            "dimension_labels": {d: label_dict(v) for d, v in self.dimension_labels.items()},
            "categories": {d: list(c) for d, c in self.categories.items()},
            "labels": {
                d: {c: label_dict(lab) for c, lab in cats.items()}
                for d, cats in self.labels.items()
            },
            "margins": list(self.margins),
            "overlapping": list(self.overlapping),
            "fixed": dict(self.fixed),
            "cells": [
                {
                    "key": dict(zip(self.dimensions, c.key, strict=True)),
                    "value": c.value,
                    "outcome": c.outcome,
                    **({"source": c.source} if c.source else {}),
                }
                for c in self.cells
            ],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PublishedTable:
        dims = tuple(str(d) for d in raw["dimensions"])
        cells = []
        for c in raw["cells"]:
            outcome = str(c["outcome"])
            if outcome not in OUTCOMES:
                raise ValueError(f"unknown outcome {outcome!r}")
            value = c["value"]
            cells.append(
                PublishedCell(
                    tuple(str(c["key"][d]) for d in dims),
                    None if value is None else int(value),
                    outcome,
                    str(c.get("source", "")),
                )
            )
        return cls(
            name=str(raw["name"]),
            title=label_of(raw["title"]),
            definition=label_of(raw["definition"]),
            measure=str(raw["measure"]),
            counting=str(raw["counting"]),
            counting_label=label_of(raw["counting_label"]),
            dimensions=dims,
            dimension_labels={str(d): label_of(v) for d, v in raw["dimension_labels"].items()},
            categories={str(d): tuple(str(x) for x in c) for d, c in raw["categories"].items()},
            labels={
                str(d): {str(c): label_of(lab) for c, lab in cats.items()}
                for d, cats in raw["labels"].items()
            },
            margins=tuple(str(m) for m in raw["margins"]),
            overlapping=tuple(str(m) for m in raw["overlapping"]),
            fixed={str(k): str(v) for k, v in raw["fixed"].items()},
            cells=tuple(cells),
        )


@dataclass(frozen=True, slots=True)
class YearEstimate:
    """The estimated number of victims in one year, and the register's coverage."""

    year: str
    registered: int | None
    registered_cell: CellKey
    estimate: float | None
    low: float | None
    high: float | None
    interval_method: str
    coverage: float | None
    coverage_low: float | None
    coverage_high: float | None
    lists: tuple[str, ...]
    model: str
    warnings: tuple[str, ...] = ()
    stratum: tuple[tuple[str, str], ...] = ()  # e.g. (("form_group", "domestic_sexual"),)
    not_estimable: str = ""  # the reason code (estimation.estimable.REASONS) when not shown
    basis: str = "year"  # "year": its own table; "pooled_years": a stratum's coverage over years
    method: str = ""  # the estimation method ("": the publication's, ``estimation["method"]``)
    source: str = ""  # where a published estimate was published (``publish --from-figures``)

    @property
    def reason(self) -> Reason | None:
        """Why there is no estimate (NL/EN), or None when there is one."""
        return REASONS.get(self.not_estimable) if self.not_estimable else None

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason
        return {
            "not_estimable": None if reason is None else reason.to_dict(),
            "basis": self.basis,
            "method": self.method,
            "stratum": dict(self.stratum),
            "year": self.year,
            "registered": self.registered,
            "registered_cell": self.registered_cell.to_dict(),
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "interval_method": self.interval_method,
            "coverage": self.coverage,
            "coverage_low": self.coverage_low,
            "coverage_high": self.coverage_high,
            "lists": list(self.lists),
            "model": self.model,
            "warnings": list(self.warnings),
            **({"source": self.source} if self.source else {}),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> YearEstimate:
        return cls(
            year=str(raw["year"]),
            registered=_opt_int(raw["registered"]),
            registered_cell=CellKey.from_dict(raw["registered_cell"]),
            estimate=_opt_float(raw["estimate"]),
            low=_opt_float(raw["low"]),
            high=_opt_float(raw["high"]),
            interval_method=str(raw["interval_method"]),
            coverage=_opt_float(raw["coverage"]),
            coverage_low=_opt_float(raw["coverage_low"]),
            coverage_high=_opt_float(raw["coverage_high"]),
            lists=tuple(str(x) for x in raw["lists"]),
            model=str(raw["model"]),
            warnings=tuple(str(w) for w in raw.get("warnings", [])),
            stratum=tuple(sorted((str(d), str(c)) for d, c in raw.get("stratum", {}).items())),
            not_estimable=str((raw.get("not_estimable") or {}).get("code", "")),
            basis=str(raw.get("basis", "year")),
            method=str(raw.get("method", "")),
            source=str(raw.get("source", "")),
        )


@dataclass(frozen=True, slots=True)
class Trend:
    """The change of one published count between two years or periods, with its interval."""

    id: str
    table: str
    key: tuple[tuple[str, str], ...]  # the non-year categories, sorted
    from_years: tuple[str, ...]
    to_years: tuple[str, ...]
    from_value: float
    to_value: float
    ratio: float
    low: float
    high: float
    direction: Literal["up", "down", "none"]
    cells: tuple[CellKey, ...]
    source: str = ""  # a trend from a published period figure: where that was published

    @property
    def change(self) -> float:
        """Relative change, ``ratio - 1`` (-0.6 is 60% fewer)."""
        return self.ratio - 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "table": self.table,
            "key": dict(self.key),
            "from": list(self.from_years),
            "to": list(self.to_years),
            "from_value": self.from_value,
            "to_value": self.to_value,
            "ratio": self.ratio,
            "low": self.low,
            "high": self.high,
            "change": round(self.change, 4),
            "direction": self.direction,
            "cells": [c.to_dict() for c in self.cells],
            **({"source": self.source} if self.source else {}),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Trend:
        direction = str(raw["direction"])
        if direction not in ("up", "down", "none"):
            raise ValueError(f"unknown direction {direction!r}")
        return cls(
            id=str(raw["id"]),
            table=str(raw["table"]),
            key=tuple(sorted((str(d), str(c)) for d, c in raw["key"].items())),
            from_years=tuple(str(y) for y in raw["from"]),
            to_years=tuple(str(y) for y in raw["to"]),
            from_value=float(raw["from_value"]),
            to_value=float(raw["to_value"]),
            ratio=float(raw["ratio"]),
            low=float(raw["low"]),
            high=float(raw["high"]),
            direction=direction,  # type: ignore[arg-type]
            cells=tuple(CellKey.from_dict(c) for c in raw["cells"]),
            source=str(raw.get("source", "")),
        )


@dataclass(frozen=True, slots=True)
class Finding:
    """A finding as a Dutch and English sentence, with the rule and the cells it rests on."""

    id: str
    rule: str
    text: Label
    cells: tuple[CellKey, ...]
    numbers: Mapping[str, float | int] = field(default_factory=dict)
    trend: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "text": label_dict(self.text),
            "trend": self.trend,
            "numbers": dict(self.numbers),
            "cells": [c.to_dict() for c in self.cells],
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Finding:
        return cls(
            id=str(raw["id"]),
            rule=str(raw["rule"]),
            text=label_of(raw["text"]),
            cells=tuple(CellKey.from_dict(c) for c in raw["cells"]),
            numbers={str(k): v for k, v in raw.get("numbers", {}).items()},
            trend=None if raw.get("trend") is None else str(raw["trend"]),
        )


def title_of(years: Sequence[str | int]) -> Label:
    """A publication's title for ``years``, whether made from the register or from figures."""
    span = f"{years[0]}-{years[-1]}"
    return Label(
        f"Slachtoffermonitor mensenhandel {span}", f"Victim monitor human trafficking {span}"
    )


@dataclass(frozen=True)
class Publication:
    """Everything in a published directory (see ``docs/methods/publication.md``)."""

    title: Label
    years: tuple[str, ...]
    snapshot: str
    policy: Mapping[str, Any]
    audit: Mapping[str, Any]
    counting: Mapping[str, Label]
    outcomes: Mapping[str, Label]
    tables: Mapping[str, PublishedTable]
    estimates: tuple[YearEstimate, ...]
    trends: tuple[Trend, ...]
    findings: tuple[Finding, ...]
    software: str = ""
    source: Mapping[str, Any] = field(default_factory=dict)
    # method, level, rounding and note of the estimates; the level of the trends' intervals
    estimation: Mapping[str, Any] = field(default_factory=dict)
    trend_level: float = 0.95
    stratum_estimates: tuple[YearEstimate, ...] = ()  # per form of exploitation and year
    sensitivity: tuple[YearEstimate, ...] = ()  # per year by the other methods (``method`` set)

    def table(self, name: str) -> PublishedTable:
        return self.tables[name]

    def estimate(self, year: str | int) -> YearEstimate:
        for e in self.estimates:
            if e.year == str(year):
                return e
        raise KeyError(year)

    def trend(self, trend_id: str) -> Trend:
        for t in self.trends:
            if t.id == trend_id:
                return t
        raise KeyError(trend_id)

    def summary(self) -> str:
        cells = sum(len(t.cells) for t in self.tables.values())
        hidden = sum(c.suppressed for t in self.tables.values() for c in t.cells)
        return "\n".join(
            [
                f"Publication {self.title.en} ({self.years[0]}-{self.years[-1]})",
                f"  {len(self.tables)} tables, {cells} table cells, {hidden} suppressed; "
                f"audit {'passed' if self.audit.get('passed') else 'FAILED'}",
                f"  {len(self.estimates)} estimates, {len(self.trends)} trends, "
                f"{len(self.findings)} findings; snapshot {self.snapshot[:12]}",
            ]
        )


def _opt_int(raw: Any) -> int | None:
    return None if raw is None else int(raw)


def _opt_float(raw: Any) -> float | None:
    return None if raw is None else float(raw)
