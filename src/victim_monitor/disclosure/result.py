"""Results of disclosure control as values: protected tables, releases and audit reports.

A :class:`Release` holds every protected table with an outcome per cell (shown, primary- or
secondary-suppressed, rounded) and what is published for it. Its JSON form keeps the true
counts so that next year's protection can take it as ``previous``; it is confidential and
stays inside the system. :meth:`Release.public_dict` is what may leave it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

import pandas as pd

from victim_monitor.disclosure.codes import RELEASE_MALFORMED, DisclosureError
from victim_monitor.disclosure.policy import Policy
from victim_monitor.problems import Problem, Severity

TOTAL = "Total"
FORMAT = "victim-monitor-release/1"

Key = tuple[str, ...]


class Outcome(StrEnum):
    """What happened to a cell."""

    SHOWN = "shown"
    PRIMARY = "primary"  # unsafe itself, hidden
    SECONDARY = "secondary"  # safe, hidden so that unsafe cells cannot be recomputed
    ROUNDED = "rounded"  # published rounded to the policy's base

    @property
    def hidden(self) -> bool:
        return self in (Outcome.PRIMARY, Outcome.SECONDARY)


@dataclass(frozen=True, slots=True, order=True)
class CellRef:
    """A cell of a named table, by its categories in the table's dimension order."""

    table: str
    key: Key


@dataclass(frozen=True, slots=True)
class Equation:
    """``total = sum of parts``, between cells of any tables of a set."""

    total: CellRef
    parts: tuple[CellRef, ...]


@dataclass(frozen=True, slots=True)
class Cover:
    """Persons of ``parent`` in ``dimension`` are those of any ``children`` in ``child_dimension``.

    ``investigative`` (reporter type) covers the organisations ``POL``, ``KMAR`` and ``NLA``:
    for every cell with that category, ``max(children) <= parent <= sum(children)`` over the
    cells that replace it by each child (a person can be reported by several of them).
    """

    dimension: str
    parent: str
    child_dimension: str
    children: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "parent": self.parent,
            "child_dimension": self.child_dimension,
            "children": list(self.children),
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Cover:
        return cls(
            str(raw["dimension"]),
            str(raw["parent"]),
            str(raw["child_dimension"]),
            tuple(str(c) for c in raw["children"]),
        )


@dataclass(frozen=True, slots=True)
class ProtectedCell:
    """One cell: its true count (confidential), what is published, and why."""

    key: Key
    value: int
    published: int | None
    outcome: Outcome


@dataclass(frozen=True)
class ProtectedTable:
    """A table after disclosure control: its structure and an outcome for every cell."""

    name: str
    dimensions: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    margins: tuple[str, ...]
    overlapping: tuple[str, ...]
    fixed: tuple[tuple[str, str], ...]
    measure: str
    cells: tuple[ProtectedCell, ...]

    @cached_property
    def _by_key(self) -> dict[Key, ProtectedCell]:
        return {c.key: c for c in self.cells}

    def cell(self, *key: str) -> ProtectedCell:
        """The cell with these categories (``table.cell("2018", "Total")``)."""
        return self._by_key[tuple(key)]

    def outcomes(self) -> Counter[Outcome]:
        return Counter(c.outcome for c in self.cells)

    def frame(self, confidential: bool = False) -> pd.DataFrame:
        """One row per cell: the categories, ``published`` (empty when hidden) and ``outcome``.

        With ``confidential`` the true ``count`` is included (never publish that frame).
        """
        rows: list[dict[str, Any]] = []
        for c in self.cells:
            row: dict[str, Any] = dict(zip(self.dimensions, c.key, strict=True))
            if confidential:
                row["count"] = c.value
            row["published"] = c.published
            row["outcome"] = str(c.outcome)
            rows.append(row)
        frame = pd.DataFrame(rows)
        frame["published"] = frame["published"].astype("Int64")
        return frame

    def to_dict(self, confidential: bool = True) -> dict[str, Any]:
        cells = []
        for c in self.cells:
            item: dict[str, Any] = {"key": list(c.key), "published": c.published}
            # outside, primary and secondary are one outcome: which it was tells a cell's size
            item["outcome"] = (
                "suppressed" if c.outcome.hidden and not confidential else str(c.outcome)
            )
            if confidential:
                item["value"] = c.value
            cells.append(item)
        return {
            "name": self.name,
            "measure": self.measure,
            "dimensions": list(self.dimensions),
            "categories": [list(c) for c in self.categories],
            "margins": list(self.margins),
            "overlapping": list(self.overlapping),
            "fixed": dict(self.fixed),
            "cells": cells,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProtectedTable:
        cells = tuple(
            ProtectedCell(
                tuple(str(k) for k in c["key"]),
                int(c["value"]),
                None if c["published"] is None else int(c["published"]),
                Outcome(c["outcome"]),
            )
            for c in data["cells"]
        )
        return cls(
            name=str(data["name"]),
            dimensions=tuple(str(d) for d in data["dimensions"]),
            categories=tuple(tuple(str(c) for c in cats) for cats in data["categories"]),
            margins=tuple(str(d) for d in data["margins"]),
            overlapping=tuple(str(d) for d in data["overlapping"]),
            fixed=tuple(sorted((str(k), str(v)) for k, v in data["fixed"].items())),
            measure=str(data["measure"]),
            cells=cells,
        )


@dataclass(frozen=True)
class Release:
    """Protected tables published together, with the relations between them.

    ``groupings`` and ``equations`` are those of the protected
    :class:`~victim_monitor.disclosure.tables.TableSet`; together with the tables' own margins
    they are everything an outsider can use, and what the audit uses.
    """

    tables: tuple[ProtectedTable, ...]
    policy: Policy
    groupings: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    equations: tuple[Equation, ...] = ()
    label: str = ""
    problems: tuple[Problem, ...] = ()
    covers: tuple[Cover, ...] = ()
    stats: Mapping[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> ProtectedTable:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(name)

    def outcomes(self) -> Counter[Outcome]:
        """Outcomes over the distinct cells of the release (a shared cell counts once)."""
        seen: dict[tuple[str, tuple[tuple[str, str], ...]], Outcome] = {}
        for t in self.tables:
            for c in t.cells:
                pairs = [(d, k) for d, k in zip(t.dimensions, c.key, strict=True) if k != TOTAL]
                seen[(t.measure, tuple(sorted([*pairs, *t.fixed])))] = c.outcome
        return Counter(seen.values())

    def summary(self) -> str:
        counts = self.outcomes()
        n = sum(counts.values())
        lines = [
            f"Release {self.label or '(no label)'}: {len(self.tables)} tables, {n} distinct cells",
            "  " + ", ".join(f"{o}: {counts.get(o, 0)}" for o in Outcome),
            f"  policy: threshold {self.policy.threshold}, method {self.policy.method}",
        ]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    def to_dict(self, confidential: bool = True) -> dict[str, Any]:
        """JSON-ready; with ``confidential`` (the default) true counts are included."""
        return {
            "format": FORMAT,
            "label": self.label,
            "confidential": confidential,
            "policy": self.policy.to_dict(),
            "groupings": {d: {p: list(c) for p, c in g.items()} for d, g in self.groupings.items()},
            "equations": [
                {
                    "total": [e.total.table, list(e.total.key)],
                    "parts": [[p.table, list(p.key)] for p in e.parts],
                }
                for e in self.equations
            ],
            "covers": [c.to_dict() for c in self.covers],
            "tables": [t.to_dict(confidential) for t in self.tables],
            "problems": [p.as_dict() for p in self.problems],
            "stats": dict(self.stats) if confidential else {},
        }

    def public_dict(self) -> dict[str, Any]:
        """What may be published: no true counts, no timings."""
        return self.to_dict(confidential=False)

    def to_json(self, confidential: bool = True) -> str:
        return json.dumps(self.to_dict(confidential), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Release:
        """A release from :meth:`to_dict` output; only the confidential form can be read."""
        if data.get("format") != FORMAT or not data.get("confidential"):
            raise DisclosureError(
                [RELEASE_MALFORMED(f"not a confidential release in format {FORMAT}")]
            )
        try:
            return cls(
                tables=tuple(ProtectedTable.from_dict(t) for t in data["tables"]),
                policy=Policy.from_dict(data["policy"]),
                groupings={
                    str(d): {str(p): tuple(str(c) for c in cs) for p, cs in g.items()}
                    for d, g in data["groupings"].items()
                },
                equations=tuple(
                    Equation(_ref(e["total"]), tuple(_ref(p) for p in e["parts"]))
                    for e in data["equations"]
                ),
                label=str(data.get("label", "")),
                problems=tuple(
                    Problem(
                        p["code"],
                        Severity(p["severity"]),
                        p["message"],
                        p.get("file"),
                        p.get("row"),
                        p.get("field"),
                        p.get("value"),
                    )
                    for p in data.get("problems", [])
                ),
                stats=dict(data.get("stats", {})),
                covers=tuple(Cover.from_dict(c) for c in data.get("covers", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, DisclosureError):
                raise
            raise DisclosureError([RELEASE_MALFORMED(f"{type(exc).__name__}: {exc}")]) from exc

    @classmethod
    def from_json(cls, text: str) -> Release:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DisclosureError([RELEASE_MALFORMED(str(exc))]) from exc
        return cls.from_dict(data)


def _ref(raw: Any) -> CellRef:
    table, key = raw
    return CellRef(str(table), tuple(str(k) for k in key))


@dataclass(frozen=True, slots=True)
class CellAudit:
    """The audit of one cell: what an outsider can learn about it, and what is required.

    ``low``/``high`` is the feasible interval (the published value twice for a shown cell;
    ``high`` is ``inf`` when nothing bounds the cell from above, ``nan`` when what is published
    contradicts the relations). ``required`` is the interval
    that must lie inside it, for hidden unsafe cells (a rounded unsafe cell must instead be at
    least ``base - 1`` wide).
    """

    table: str
    key: Key
    outcome: Outcome
    value: int
    low: float
    high: float
    required: tuple[float, float] | None
    ok: bool


@dataclass(frozen=True, slots=True)
class AuditFailure:
    """Why a release fails: a coded problem about one table cell."""

    table: str
    key: Key
    problem: Problem


@dataclass(frozen=True)
class AuditReport:
    """The independent audit of a release: passed or not, and every cell's interval."""

    passed: bool
    failures: tuple[AuditFailure, ...]
    cells: tuple[CellAudit, ...]
    label: str = ""
    previous_label: str | None = None

    def cell(self, table: str, *key: str) -> CellAudit:
        for c in self.cells:
            if c.table == table and c.key == tuple(key):
                return c
        raise KeyError((table, key))

    def summary(self) -> str:
        hidden = [c for c in self.cells if c.outcome.hidden]
        status = "PASSED" if self.passed else "FAILED"
        lines = [
            f"Audit of release {self.label or '(no label)'}: {status}",
            f"  {len(self.cells)} table cells, {len(hidden)} hidden; {len(self.failures)} failures",
        ]
        if self.previous_label is not None:
            lines.append(f"  taking into account the previous release {self.previous_label}")
        for f in self.failures[:20]:
            lines.append(f"  {f.table} {'/'.join(f.key)}: {f.problem.code} {f.problem.message}")
        if len(self.failures) > 20:
            lines.append(f"  ... and {len(self.failures) - 20} more")
        return "\n".join(lines)
