"""From the monitor's tables to a protected, audited release.

Every table becomes a :class:`~victim_monitor.disclosure.Table` with a total in every
dimension but the year; reporter dimensions are *overlapping* (a victim counts under every
reporter, once in the total); the police and domestic tables carry their ``fixed``
coordinate, so their cells are the same cells as those of the other tables. The Eurostat
categories are groupings of the monitor's, reporter types and lists are covers of
organisations. One protection over all of it, then the independent audit.
"""

from __future__ import annotations

from dataclasses import dataclass

from victim_monitor.disclosure import (
    AuditReport,
    Cover,
    Policy,
    Release,
    Table,
    TableSet,
    audit,
    protect,
)
from victim_monitor.tables import MonitorTable, Tabulation


@dataclass(frozen=True)
class Protected:
    """A release of the monitor's tables and its audit."""

    release: Release
    report: AuditReport

    @property
    def passed(self) -> bool:
        return self.report.passed


def table_set(tabulation: Tabulation) -> TableSet:
    """The tables with every relation an outsider knows between them."""
    return TableSet(
        tuple(_table(t) for t in tabulation.tables),
        groupings=tabulation.groupings,
        covers=tuple(
            Cover(c.dimension, c.parent, c.child_dimension, c.children) for c in tabulation.covers
        ),
    )


def protect_tabulation(
    tabulation: Tabulation, policy: Policy, previous: Release | None = None
) -> Protected:
    """Protect all tables together, then audit the release (with ``previous``, if given)."""
    label = f"{tabulation.years[0]}-{tabulation.years[-1]}"
    release = protect(table_set(tabulation), policy, previous, label=label)
    return Protected(release, audit(release, policy, previous=previous))


def _table(t: MonitorTable) -> Table:
    return Table(
        t.name,
        t.dimensions,
        t.data,
        t.margins,
        categories=t.categories,
        overlapping=t.overlapping,
        fixed=dict(t.fixed),
        measure=t.measure,
        weight=t.weight,
    )
