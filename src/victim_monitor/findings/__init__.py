"""Trends and findings, made only from published (protected) numbers.

    found = trends(tables, years)               # changes with exact Poisson intervals
    sentences = findings(tables_by_name, found, estimates, years)

Method note: ``docs/methods/findings.md``.
"""

from victim_monitor.findings.rules import findings, number
from victim_monitor.findings.subjects import SUBJECTS, Subject
from victim_monitor.findings.trends import (
    LEVEL,
    comparisons,
    rate_ratio_interval,
    trend,
    trend_id,
    trends,
)

__all__ = [
    "LEVEL",
    "SUBJECTS",
    "Subject",
    "comparisons",
    "findings",
    "number",
    "rate_ratio_interval",
    "trend",
    "trend_id",
    "trends",
]
