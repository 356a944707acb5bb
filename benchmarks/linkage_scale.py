"""Linkage at scale: the synthetic population at 20x and 200x the Dutch size.

``prepare`` builds a data set once (generate, write the raw files, encode them) and keeps
the standardised inputs of both models as Parquet beside the truth; ``measure`` runs in a
fresh process per model, so that its peak resident memory is its own: train (``u`` from
random pairs, EM in the two sessions, the prior), score every blocked pair, then cluster
(choose the threshold, connected components, score the pairs inside persons of three or
more reports, soft cannot-links). The register is not involved: intake has its own
benchmark, and linkage reads the reports once.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tests.linkage.testbed import build

from victim_monitor.linkage import score, train
from victim_monitor.linkage import threshold as thresholds
from victim_monitor.linkage.cluster import edges
from victim_monitor.linkage.link import cluster_persons
from victim_monitor.linkage.quality import pairwise, truth_labels
from victim_monitor.linkage.standardise import standardise, standardise_clear
from victim_monitor.linkage.threshold import LINK_FLOOR
from victim_monitor.registry.organisations import load_organisations

YEARS = (2014, 2015, 2016, 2017, 2018)
SEX = {"F": "female", "M": "male", "X": "other_unknown"}


def reports_from_submissions(paths: tuple[Path, ...]) -> pd.DataFrame:
    """The submissions as ``standardise.read_reports`` gives the register's reports."""
    lists = {o.code: str(o.estimation_list) for o in load_organisations()}
    parts = []
    for path in paths:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["organisation_code"] = path.stem.rsplit("-", 1)[0]
        parts.append(frame)
    frame = pd.concat(parts, ignore_index=True)
    frame["unique_id"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame["estimation_list"] = frame["organisation_code"].map(lists)
    dates = pd.to_datetime(frame["report_date"])
    frame["report_date"] = dates.dt.date
    frame["report_year"] = dates.dt.year.astype("Int64")
    frame["sex"] = frame["sex"].map(SEX)
    for column in ("birth_year", "age_at_report"):
        frame[column] = pd.to_numeric(frame[column].replace("", None)).astype("Int64")
    return frame


def prepare(root: Path, scale: float, seed: int = 7) -> Path:
    """Build (once) the data set at ``scale`` under ``root``; returns its directory."""
    target = root / f"scale-{scale:g}"
    if (target / "clear.parquet").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    bed = build(target, scale=scale, seed=seed, years=YEARS)
    reports = reports_from_submissions(bed.files())
    keep = ["unique_id", "organisation_code", "case_reference", "report_date"]
    reports[keep].to_parquet(target / "reports.parquet")
    standardise(reports).to_parquet(target / "pseudonymised.parquet")
    standardise_clear(reports, target / "raw").to_parquet(target / "clear.parquet")
    (target / "prepared.json").write_text(
        json.dumps({"reports": len(reports), "seconds": time.perf_counter() - started})
    )
    return target


def measure(target: Path, model: str, threads: int | None = None) -> dict[str, Any]:
    """Train, score and cluster one model on the prepared data; run in its own process."""
    frame = pd.read_parquet(target / f"{model}.parquet")
    reports = pd.read_parquet(target / "reports.parquet")
    spec = score.PSEUDONYMISED if model == "pseudonymised" else score.CLEAR
    started = time.perf_counter()
    trained = train.train(frame, spec, api=score.duckdb_api(threads)).model
    train_seconds = time.perf_counter() - started
    pairs = score.predict(frame, trained, floor=LINK_FLOOR, api=score.duckdb_api(threads))
    predict_seconds = time.perf_counter() - started - train_seconds
    threshold = thresholds.choose(
        pairs["match_probability"], thresholds.true_pairs(trained, len(frame))
    )
    links = edges(pairs[pairs["match_probability"] >= threshold])
    labels, _ = cluster_persons(frame, trained, links, api=score.duckdb_api(threads))
    seconds = time.perf_counter() - started
    quality = pairwise(labels, truth_labels(reports, target / "truth"))
    return {
        "model": model,
        "reports": len(frame),
        "seconds": seconds,
        "train_seconds": train_seconds,
        "predict_seconds": predict_seconds,
        "cluster_seconds": seconds - train_seconds - predict_seconds,
        "pairs": int((pairs["match_probability"] >= threshold).sum()),
        "threshold": threshold,
        "persons": len(set(labels.tolist())),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "precision": quality.precision,
        "recall": quality.recall,
        "f1": quality.f1,
    }


if __name__ == "__main__":
    # python -m benchmarks.linkage_scale DIR MODEL  (one measurement, JSON on stdout)
    print(json.dumps(measure(Path(sys.argv[1]), sys.argv[2])))
