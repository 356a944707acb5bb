"""Record one status change of a measure, or one follow-up change of a recommendation.

An edit is a one-record import: the same checks (coded problems), the same transaction and
the same append-only history, so the web application or a command can record a change without
writing a file. The change keeps who recorded it. A change whose date and status the history
already holds corrects that change's evidence (``on_existing="correct"``, as an import does) or
is refused with VM612 (``on_existing="refuse"``, what the web application asks); the refusal is
decided inside the writing transaction, so two people recording the same change at once cannot
overwrite each other.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from victim_monitor.programme.intake import ImportResult, OnExisting, apply, outcome_of
from victim_monitor.programme.read import RawRecord
from victim_monitor.vocab import Label


def _record(
    engine: Engine,
    kind: str,
    values: dict[str, object],
    by: str,
    dry_run: bool,
    on_existing: OnExisting,
) -> ImportResult:
    raw = [RawRecord(kind, values, "edit")]
    log, counts = apply(engine, raw, dry_run=dry_run, recorded_by=by, on_existing=on_existing)
    return ImportResult(
        "edit", outcome_of(log, counts), 1, counts, tuple(log), log.errors, log.warnings, dry_run
    )


def _values(on: date, status: str, evidence: Label, url: str | None) -> dict[str, object]:
    return {
        "date": on,
        "status": status,
        "evidence_nl": evidence.nl,
        "evidence_en": evidence.en,
        "url": url,
    }


def record_measure_status(
    engine: Engine,
    programme: str,
    measure: str,
    status: str,
    evidence: Label,
    *,
    on: date | None = None,
    url: str | None = None,
    by: str,
    dry_run: bool = False,
    on_existing: OnExisting = "correct",
) -> ImportResult:
    """Add a dated status change (default: today) with its evidence to a registered measure."""
    values = {"programme": programme, "measure": measure} | _values(
        on or date.today(), status, evidence, url
    )
    return _record(engine, "measure_status", values, by, dry_run, on_existing)


def record_followup(
    engine: Engine,
    edition: str,
    number: int,
    status: str,
    evidence: Label,
    *,
    on: date | None = None,
    url: str | None = None,
    by: str,
    dry_run: bool = False,
    on_existing: OnExisting = "correct",
) -> ImportResult:
    """Add a dated follow-up change (default: today) with its evidence to a recommendation."""
    values = {"edition": edition, "recommendation": number} | _values(
        on or date.today(), status, evidence, url
    )
    return _record(engine, "recommendation_status", values, by, dry_run, on_existing)
