"""Linkage through the register: a full run, then new submissions linked incrementally.

Where ``linkage_scale`` times the model alone, this times ``link_register`` as the command
runs it (read the register, standardise, train or load the model, score, cluster, write
persons, links, queue and change log in one transaction) on a SQLite register: the first
four years linked in full, then one organisation's submission of the fifth year (incremental),
then the rest of that year (incremental), then full relinks of everything for comparison, one
keeping the model and one training a new one.
The peer of an incremental run is the full relink of the same register; after each run the
register's persons are compared with the synthetic truth (pairwise F1, and the largest
relative error in persons per year).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from tests.linkage.testbed import Submissions, import_files

from victim_monitor.linkage import link_register, persons_per_year, quality
from victim_monitor.linkage.standardise import read_reports
from victim_monitor.registry.register import open_register
from victim_monitor.storage.schema import person_reports

LAST_YEAR = 2018


def measure(target: Path) -> dict[str, Any]:
    """The four runs on a fresh register built from ``target/submissions``."""
    files = tuple(sorted((target / "submissions").glob("*.csv")))
    bed = Submissions(target, files)
    earlier = tuple(p for p in files if bed.year_of(p) < LAST_YEAR)
    last = bed.files((LAST_YEAR,))
    first_new, rest = last[:1], last[1:]
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_register(f"sqlite:///{Path(tmp) / 'register.db'}")
        started = time.perf_counter()
        import_files(engine, earlier)
        intake = time.perf_counter() - started
        for label, files_in, full, retrain in (
            ("first run, 2014-2017", (), False, True),
            (f"one new submission ({first_new[0].stem})", first_new, False, True),
            (f"the rest of {LAST_YEAR}", rest, False, True),
            ("full relink, model kept", (), True, False),
            ("full relink, retrained", (), True, True),
        ):
            import_files(engine, files_in)
            before = persons_per_year(engine)
            result = link_register(engine, full=full, retrain=retrain)
            closed = {y: n for y, n in result.year_changes.items() if y < LAST_YEAR}
            runs.append(
                {
                    "run": label,
                    "mode": result.mode,
                    "reports": result.reports,
                    "new_reports": result.new_reports,
                    "pairs_scored": result.pairs_scored,
                    "seconds": result.seconds,
                    "changes": result.changes.total,
                    "closed_years_changed": closed,
                    "closed_years_before": {y: before.get(y, 0) for y in closed},
                    **_against_truth(engine, target / "truth"),
                }
            )
        engine.dispose()
    return {
        "intake_seconds": intake,
        "runs": runs,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _against_truth(engine: Engine, truth: Path) -> dict[str, float]:
    reports = read_reports(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(person_reports.c.report_id, person_reports.c.person_id))
        person = dict(rows.all())
    labels = np.array([person[u] for u in reports["unique_id"]])
    true = quality.truth_labels(reports, truth)
    linked_years = quality.persons_per_year(labels, reports)
    true_years = quality.persons_per_year(true, reports)
    error = max(abs(linked_years.get(y, 0) - n) / n for y, n in true_years.items())
    return {"f1": quality.pairwise(labels, true).f1, "max_year_error": error}


def table(result: dict[str, Any]) -> str:
    lines = [
        "| run | mode | reports | new | pairs scored | seconds | changes logged "
        "| closed years changed | F1 | max error persons/year |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for number, r in enumerate(result["runs"]):
        closed = ", ".join(
            f"{y}: {r['closed_years_before'][y]:,} {n:+,}"
            for y, n in sorted(r["closed_years_changed"].items())
        )
        lines.append(
            f"| {r['run']} | {r['mode']} | {r['reports']:,} | {r['new_reports']:,} "
            f"| {r['pairs_scored']:,} | {r['seconds']:.1f} | {r['changes']:,} "
            f"| {closed or 'none' if number else '(first run)'} | {r['f1']:.4f} "
            f"| {r['max_year_error']:.2%} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    # python -m benchmarks.linkage_register DIR  (one measurement, JSON on stdout)
    print(json.dumps(measure(Path(sys.argv[1]))))
