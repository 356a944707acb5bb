"""The public API of ``victim_monitor.disclosure`` is pinned: changing it is a decision."""

from __future__ import annotations

import victim_monitor.disclosure as disclosure


def test_public_names() -> None:
    assert disclosure.__all__ == [
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
    for name in disclosure.__all__:
        assert getattr(disclosure, name) is not None
