"""Spark against DuckDB: the pseudonymised model on Splink's Spark backend (for the record).

Needs pyspark (``pip install victim-monitor[spark]``) and Java 17. A local Spark session on
all cores; the same training and scoring as ``linkage_scale.measure``.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from victim_monitor.linkage import score
from victim_monitor.linkage.cluster import cluster, edges
from victim_monitor.linkage.link import THRESHOLD
from victim_monitor.linkage.quality import pairwise, truth_labels


def measure(target: Path) -> dict[str, Any]:
    frame = pd.read_parquet(target / "pseudonymised.parquet")
    reports = pd.read_parquet(target / "reports.parquet")
    api = score.spark_api()
    started = time.perf_counter()
    trained = score.train(frame, api=api)
    pairs = score.predict(frame, trained, floor=THRESHOLD, api=api)
    labels = cluster(frame["unique_id"].to_numpy(np.int64), edges(pairs))
    seconds = time.perf_counter() - started
    quality = pairwise(labels, truth_labels(reports, target / "truth"))
    return {
        "reports": len(frame),
        "seconds": seconds,
        "pairs": len(pairs),
        "f1": quality.f1,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
