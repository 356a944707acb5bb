"""Linkage: one person behind many reports, found on pseudonymised reports.

Stages: ``standardise`` (the reports as the model reads them), ``block`` (which pairs are
compared), ``compare`` (how two reports agree), ``model`` (the model's parameters, typed),
``train`` (estimates them), ``score`` (match probabilities with Splink), ``cluster``
(reports into persons), ``changes`` (stable person ids and the change log), ``persons``
(attributes and capture histories), ``queue`` (what a run adds to the review queue and keeps
up to date there), ``review`` (the queue as staff see it, and their decisions, with each
pair's history), ``rules`` (what attributes follow besides reports, and the changes a new
rule makes), ``store`` (the register's linkage tables); ``link`` runs them and ``status``
reports on them; ``codes`` holds their problems. ``quality`` measures linkage against the
synthetic truth; ``sensitivity`` shows how persons per year move with the threshold.
Method: ``docs/methods/linkage.md``.
"""

from victim_monitor.linkage.codes import BackendError, ConcurrentRunError, ReviewError
from victim_monitor.linkage.link import (
    LINK_FLOOR,
    REVIEW_BAND,
    THRESHOLD,
    LinkResult,
    link_register,
)
from victim_monitor.linkage.persons import capture_histories, persons_per_year, reports_per_person
from victim_monitor.linkage.review import (
    DecisionEntry,
    ReviewPair,
    decide_reports,
    record_decision,
    review_pair,
    review_queue,
)
from victim_monitor.linkage.sensitivity import Sensitivity, sensitivity
from victim_monitor.linkage.status import LinkageStatus, last_quality, linkage_status

__all__ = [
    "LINK_FLOOR",
    "REVIEW_BAND",
    "THRESHOLD",
    "BackendError",
    "ConcurrentRunError",
    "DecisionEntry",
    "LinkResult",
    "LinkageStatus",
    "ReviewError",
    "ReviewPair",
    "Sensitivity",
    "capture_histories",
    "decide_reports",
    "last_quality",
    "link_register",
    "linkage_status",
    "persons_per_year",
    "record_decision",
    "reports_per_person",
    "review_pair",
    "review_queue",
    "sensitivity",
]
