"""Disclosure control: nothing leaves the monitor that narrows a cell to a few persons.

Tables (with their margins, shared cells and cross-table relations) are protected under a
commented policy file: unsafe cells (1 to threshold-1 persons) are hidden and a MILP hides the
cheapest extra cells so that no hidden cell can be recomputed or narrowed, also not with last
year's release; or every cell is rounded (controlled rounding). An independent audit recomputes
the feasible interval of every hidden cell by linear programming. The method note is
``docs/methods/disclosure.md``.

    policy = load_policy()                         # the packaged, commented default
    tables = TableSet([Table("by_form", ("year", "form"), counts)])
    release = protect(tables, policy, previous=Release.from_json(last_year))
    report = audit(release, policy, previous=...)  # report.passed, report.failures
"""

from victim_monitor.disclosure.audit import audit
from victim_monitor.disclosure.codes import DisclosureError
from victim_monitor.disclosure.policy import Policy, load_policy
from victim_monitor.disclosure.protect import protect
from victim_monitor.disclosure.result import (
    TOTAL,
    AuditFailure,
    AuditReport,
    CellAudit,
    CellRef,
    Cover,
    Equation,
    Outcome,
    ProtectedCell,
    ProtectedTable,
    Release,
)
from victim_monitor.disclosure.tables import Table, TableSet

__all__ = [
    "TOTAL",
    "AuditFailure",
    "AuditReport",
    "CellAudit",
    "CellRef",
    "Cover",
    "DisclosureError",
    "Equation",
    "Outcome",
    "Policy",
    "ProtectedCell",
    "ProtectedTable",
    "Release",
    "Table",
    "TableSet",
    "audit",
    "load_policy",
    "protect",
]
