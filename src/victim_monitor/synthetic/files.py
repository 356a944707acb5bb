"""Writing a synthetic population: each organisation's raw files, and the truth beside them.

``raw/{ORG}-{YEAR}.csv`` are the organisations' own clear files (the encoder's input), one per
organisation and report year. ``truth/`` holds what no organisation knows: every person with
the true facts and capture history (without names or full birth dates), which person each
report is about, and the configuration that made them. Every file is written atomically.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from victim_monitor import __version__
from victim_monitor.synthetic.population import Population
from victim_monitor.synthetic.recording import STYLES
from victim_monitor.synthetic.reports import RAW_COLUMNS

#: Truth columns about persons; names and full birth dates stay in the raw files only.
PERSON_TRUTH_COLUMNS = (
    "person_id", "year", "reference_date", "sex", "birth_year", "age", "age_group",
    "nationality", "nationality_group", "exploitation", "border_crossed", "form_group",
    "sector", "country_of_exploitation", "dublin_claimant", "residence_permit",
    "police_report", "visibility", "registered", "capture_history", "n_reports", "name_origin",
)  # fmt: skip

REPORT_TRUTH_COLUMNS = (
    "organisation", "case_reference", "person_id", "list", "report_date", "duplicate", "late",
    "variants",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SyntheticFiles:
    """Paths of what :func:`write` wrote."""

    root: Path
    raw: tuple[Path, ...]
    persons: Path
    reports: Path
    config: Path


def write(population: Population, out_dir: Path) -> SyntheticFiles:
    """Write the raw files and the truth under ``out_dir`` (created if needed).

    Files of an earlier run that this population does not produce are left alone.
    """
    raw_dir, truth_dir = out_dir / "raw", out_dir / "truth"
    raw_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)

    reports = population.reports
    raw_paths: list[Path] = []
    for (org, year), group in reports.groupby(["organisation", "report_year"], sort=True):
        style = STYLES[str(org)]
        path = raw_dir / f"{org}-{year}.csv"
        newline = "\r\n" if style.bom else "\n"  # the Dutch-Excel files end lines the Windows way
        encoding = "utf-8-sig" if style.bom else "utf-8"
        _atomic_write(path, encoding, _csv(group[list(RAW_COLUMNS)], style.delimiter, newline))
        raw_paths.append(path)

    persons = population.persons.assign(birth_year=population.persons["birth_date"].str[:4])
    persons_path = truth_dir / "persons.csv"
    _atomic_write(persons_path, "utf-8", _csv(persons[list(PERSON_TRUTH_COLUMNS)], ",", "\n"))
    reports_path = truth_dir / "reports.csv"
    truth = reports.sort_values(["organisation", "case_reference"], kind="stable")
    _atomic_write(reports_path, "utf-8", _csv(truth[list(REPORT_TRUTH_COLUMNS)], ",", "\n"))
    config_path = truth_dir / "config.json"
    provenance = {
        "generator": "victim_monitor.synthetic",
        "version": __version__,
        "note": "Synthetic people only. Every name is drawn at random from common-name lists.",
        "config": population.config.as_dict(),
    }
    text = json.dumps(provenance, indent=2, sort_keys=True) + "\n"
    _atomic_write(config_path, "utf-8", lambda handle: handle.write(text))
    return SyntheticFiles(
        root=out_dir,
        raw=tuple(raw_paths),
        persons=persons_path,
        reports=reports_path,
        config=config_path,
    )


def _csv(frame: pd.DataFrame, delimiter: str, newline: str) -> Callable[[TextIO], object]:
    """A writer of the frame as CSV (streamed: no copy of the whole text in memory)."""

    def fill(handle: TextIO) -> None:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator=newline)
        writer.writerow(frame.columns)
        # column lists are much faster to iterate than the frame's rows
        writer.writerows(zip(*(frame[column].tolist() for column in frame.columns), strict=True))

    return fill


def _atomic_write(path: Path, encoding: str, fill: Callable[[TextIO], object]) -> None:
    """Write to a temporary file beside ``path``, then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
