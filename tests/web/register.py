"""A small register for the workspace tests: two organisations' submissions, persons, a pair.

Persons and the review pair are written directly (no Splink run): the web app only reads and
decides them, and the linkage suite tests how they are made. Every person is made up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from tests.registry.factory import report, write_csv
from victim_monitor.linkage.threshold import Expected
from victim_monitor.registry.intake import import_submission
from victim_monitor.storage.schema import (
    linkage_runs,
    pair_decisions,
    person_reports,
    persons,
    reports,
)

# Strings that only person-level pages show: a denied response must contain none of them.
MARKERS = ("CASE-000001", "CASE-000101", "person-detail-marker")


@dataclass(frozen=True, slots=True)
class Register:
    pol_submission: int
    kmar_submission: int
    person_id: int
    pair_id: int


def bad_file(folder: Path, first: int = 1) -> Path:
    """Three reports, with errors in rows 3 (report_date) and 4 (pn_last_name)."""
    rows = [
        report(first),
        report(first + 1, report_date="2018-13-45"),
        report(first + 2, pn_last_name="not-a-pseudonym"),
    ]
    return write_csv(folder / "pol-2018.csv", rows)


def fixed_file(folder: Path, first: int = 1) -> Path:
    return write_csv(folder / "pol-2018.csv", [report(first + i) for i in range(3)])


def populate(engine: Engine, folder: Path) -> Register:
    folder.mkdir(parents=True, exist_ok=True)
    pol = import_submission(engine, fixed_file(folder), "POL")
    kmar_rows = [report(101), report(102)]
    kmar = import_submission(engine, write_csv(folder / "kmar.csv", kmar_rows), "KMAR")
    assert pol.submission_id is not None
    assert kmar.submission_id is not None
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        ids = {
            row.case_reference: (row.organisation_code, row.id)
            for row in conn.execute(
                select(reports.c.id, reports.c.organisation_code, reports.c.case_reference)
            )
        }
        run = conn.execute(
            linkage_runs.insert().values(
                started_at=now, finished_at=now, mode="full", threshold=0.9, review_low=0.5,
                review_high=0.9, model={}, reports_linked=5, new_reports=5, pairs_scored=1,
                persons=1, changes=0,
                quality=Expected(0.9, "chosen", 1.2, 1, 0.95, 0.81, -0.02).as_dict(),
            )
        ).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
        conn.execute(
            persons.insert().values(
                id=7001, status="active", year=2018, first_report_date=dt.date(2018, 2, 15),
                sex="female", birth_year=1981, age=37, age_group="adult", nationality="PL",
                exploitation="sexual", border_crossed="yes", form_group="domestic_sexual",
                lists="PK", n_reports=2, n_organisations=2, created_run_id=run,
                updated_run_id=run,
            )
        )  # fmt: skip
        for case in ("CASE-000001", "CASE-000101"):
            org, report_id = ids[case]
            conn.execute(
                person_reports.insert().values(
                    organisation_code=org, case_reference=case, report_id=report_id,
                    person_id=7001, run_id=run,
                )
            )  # fmt: skip
        pair = conn.execute(
            pair_decisions.insert().values(
                organisation_code_l="KMAR", case_reference_l="CASE-000102",
                organisation_code_r="POL", case_reference_r="CASE-000002",
                report_id_l=ids["CASE-000102"][1], report_id_r=ids["CASE-000002"][1],
                match_weight=2.5, match_probability=0.72,
                evidence={"birth date": "same date", "name": "one part exact"},
                status="pending", queued_run_id=run, queued_at=now,
            )
        ).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
    return Register(pol.submission_id, kmar.submission_id, 7001, int(pair))
