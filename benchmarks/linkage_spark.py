"""Spark against DuckDB: the pseudonymised model on Splink's Spark backend (for the record).

Needs pyspark (``pip install victim-monitor[spark]``) and Java 17. A local Spark session on
all cores; the same training, scoring and clustering as a first full run
(``quality.link_in_memory``).
"""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

import pandas as pd

from victim_monitor.linkage import score
from victim_monitor.linkage.quality import link_in_memory, pairwise, truth_labels


def measure(target: Path) -> dict[str, Any]:
    frame = pd.read_parquet(target / "pseudonymised.parquet")
    reports = pd.read_parquet(target / "reports.parquet")
    api = score.spark_api()
    started = time.perf_counter()
    linked = link_in_memory(frame, api=api)
    seconds = time.perf_counter() - started
    quality = pairwise(linked.labels, truth_labels(reports, target / "truth"))
    return {
        "reports": len(frame),
        "seconds": seconds,
        "pairs": linked.expected.linked_pairs,
        "f1": quality.f1,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
