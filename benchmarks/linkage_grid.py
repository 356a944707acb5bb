"""The linkage quality grid: scale x difficulty x seed, against the truth and a peer.

Each cell is a synthetic register (``SyntheticConfig.at(difficulty, scale=..., seed=...)``),
built as the demo builds it: generate, write each organisation's raw file, encode it with a
fresh key, read the submissions as the register would. Three linkers run on it:

- **ours**: the register's linkage on the pseudonymised reports, as a first full run does it
  (``quality.link_in_memory``: train, score, choose the threshold, cluster);
- **twin**: the same method on the clear names and birth dates (what pseudonymisation costs);
- **peer**: Splink on the clear text as Splink documents it (``benchmarks/linkage_peer.py``).

Measured against the truth: pairwise precision, recall, F1; the largest error of persons per
year; the error of persons on two or more lists and of each two-list pattern of at least
``PATTERN_SMALLEST`` true persons; and, for ours, the run's own estimate of its precision,
recall and overlap error beside the measured ones. Seeds 101-105 were never used to develop
the method (its development cells: seeds 1-7, 11, 23, 2019 and 2024).

``prepare`` and ``measure`` run in a fresh process per cell (``linkage_bench._child``).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tests.linkage.testbed import build

from benchmarks import linkage_peer
from benchmarks.linkage_scale import reports_from_submissions
from victim_monitor.linkage import score
from victim_monitor.linkage.quality import PATTERN_SMALLEST, link_in_memory, measure, truth_labels
from victim_monitor.linkage.standardise import standardise, standardise_clear

YEARS = (2014, 2015, 2016, 2017, 2018)
SCALES = (0.1, 0.5, 1.0, 5.0, 20.0)
FULL_SCALES = (*SCALES, 200.0)
DIFFICULTIES = ("standard", "hard", "hardest", "extreme")
SEEDS = (101, 102, 103, 104, 105)
METHODS = ("ours", "twin", "peer")


def cell(root: Path, scale: float, difficulty: str, seed: int) -> dict[str, Any]:
    """Build one register, link it three ways, measure; the working files are removed."""
    target = root / f"{difficulty}-{scale:g}-{seed}"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    try:
        started = time.perf_counter()
        bed = build(target, scale=scale, seed=seed, years=YEARS, difficulty=difficulty)
        reports = reports_from_submissions(bed.files())
        truth = truth_labels(reports, target / "truth")
        built = time.perf_counter() - started
        rows = [_row(name, reports, truth, target) for name in METHODS]
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return {
        "scale": scale,
        "difficulty": difficulty,
        "seed": seed,
        "reports": len(reports),
        "true_persons": len(set(truth)),
        "build_seconds": built,
        "rows": rows,
    }


def _row(name: str, reports: pd.DataFrame, truth: Any, target: Path) -> dict[str, Any]:
    started = time.perf_counter()
    lists = reports["estimation_list"]
    if name == "ours":
        linked = link_in_memory(standardise(reports), lists=lists)
        labels, threshold, expected = linked.labels, linked.threshold, linked.expected
    elif name == "twin":
        clear = standardise_clear(reports, target / "raw")
        linked = link_in_memory(clear, score.CLEAR, lists=lists)
        labels, threshold, expected = linked.labels, linked.threshold, linked.expected
    else:
        labels = linkage_peer.link(standardise_clear(reports, target / "raw"))
        threshold, expected = linkage_peer.THRESHOLD, None
    seconds = time.perf_counter() - started
    result = measure(
        name, labels, truth, reports, threshold=threshold, seconds=seconds, expected=expected
    )
    return result.as_dict()


# --- the report ------------------------------------------------------------------------


def frame(cells: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per cell and method, with the measures the tables show."""
    records = []
    for c in cells:
        for r in c["rows"]:
            patterns = r["pattern_errors"]
            expected = r.get("expected") or {}
            records.append(
                {
                    "scale": c["scale"],
                    "difficulty": c["difficulty"],
                    "seed": c["seed"],
                    "reports": c["reports"],
                    "method": r["model"],
                    "threshold": r["threshold"],
                    "precision": r["quality"]["precision"],
                    "recall": r["quality"]["recall"],
                    "f1": r["quality"]["f1"],
                    "year": max(abs(e) for e in r["year_errors"].values()),
                    "multi": r["overlap_error"],
                    "pattern": max((abs(e) for e in patterns.values()), default=np.nan),
                    "patterns": len(patterns),
                    "est_precision": expected.get("precision", np.nan),
                    "est_recall": expected.get("recall", np.nan),
                    "est_multi": expected.get("overlap_error", np.nan),
                    "seconds": r["seconds"],
                }
            )
    return pd.DataFrame(records)


def _spread(values: pd.Series, fmt: str) -> str:
    values = values.dropna()
    if values.empty:
        return ""
    if len(values) == 1:
        return format(values.iloc[0], fmt)
    return (
        f"{format(values.mean(), fmt)} ({format(values.min(), fmt)} to {format(values.max(), fmt)})"
    )


def table(cells: list[dict[str, Any]]) -> str:
    """Per cell (difficulty, scale) and method: mean (least to most) over the seeds."""
    data = frame(cells)
    lines = [
        "| difficulty | scale | reports | method | threshold | precision | recall | F1 "
        "| SD F1 | max error persons/year | persons on 2+ lists | worst two-list pattern |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    order = {d: i for i, d in enumerate(DIFFICULTIES)}
    keys = sorted(
        {(d, s) for d, s in zip(data["difficulty"], data["scale"], strict=True)},
        key=lambda k: (order.get(k[0], 9), k[1]),
    )
    for difficulty, scale in keys:
        here = data[(data["difficulty"] == difficulty) & (data["scale"] == scale)]
        for method in METHODS:
            rows = here[here["method"] == method]
            if rows.empty:
                continue
            lines.append(
                f"| {difficulty} | {scale:g} | {rows['reports'].mean():,.0f} | {method} "
                f"| {_spread(rows['threshold'], '.2f')} | {_spread(rows['precision'], '.3f')} "
                f"| {_spread(rows['recall'], '.3f')} | {_spread(rows['f1'], '.3f')} "
                f"| {rows['f1'].std(ddof=1) if len(rows) > 1 else float('nan'):.3f} "
                f"| {_spread(rows['year'], '.1%')} | {_spread(rows['multi'], '+.1%')} "
                f"| {_spread(rows['pattern'], '.0%')} |"
            )
    return "\n".join(lines)


def estimates(cells: list[dict[str, Any]]) -> str:
    """The run's own estimates against the measured values (ours only)."""
    data = frame(cells)
    ours = data[data["method"] == "ours"]
    lines = [
        "| difficulty | scale | precision: estimated / measured | recall: estimated / measured "
        "| persons on 2+ lists: estimated / measured error |",
        "|---|---:|---:|---:|---:|",
    ]
    order = {d: i for i, d in enumerate(DIFFICULTIES)}
    for (difficulty, scale), rows in sorted(
        ours.groupby(["difficulty", "scale"]), key=lambda kv: (order.get(kv[0][0], 9), kv[0][1])
    ):
        lines.append(
            f"| {difficulty} | {scale:g} | {rows['est_precision'].mean():.3f} / "
            f"{rows['precision'].mean():.3f} | {rows['est_recall'].mean():.3f} / "
            f"{rows['recall'].mean():.3f} | {rows['est_multi'].mean():+.1%} / "
            f"{rows['multi'].mean():+.1%} |"
        )
    return "\n".join(lines)


def aims(cells: list[dict[str, Any]]) -> str:
    """The aims of issue 12, cell by cell: met or not, with the worst value."""
    data = frame(cells)
    ours = data[data["method"] == "ours"]
    aimed = ours[(ours["scale"] >= 0.5) & (ours["difficulty"] != "extreme")]
    peer = data[data["method"] == "peer"].set_index(["difficulty", "scale", "seed"])["f1"]
    mine = ours.set_index(["difficulty", "scale", "seed"])["f1"]
    behind = (mine - peer.reindex(mine.index)).dropna()
    checks = [
        (
            "persons on 2+ lists within 3%, every cell 0.5x-20x (not extreme)",
            aimed["multi"].abs().max(),
            0.03,
        ),
        (
            f"every two-list pattern (>= {PATTERN_SMALLEST} true persons) within 10%",
            aimed["pattern"].max(),
            0.10,
        ),
        ("persons per year within 1%, every cell", ours["year"].max(), 0.01),
        ("SD of F1 over the seeds below 0.01, every cell", _sd(ours), 0.01),
        ("F1 of ours at least the peer's, every cell and seed", -behind.min(), 0.0),
    ]
    lines = ["| aim | worst | met |", "|---|---:|---|"]
    for text, worst, bound in checks:
        met = "yes" if worst <= bound else "no"
        shown = f"{worst:.3f}" if "SD" in text or "F1" in text else f"{worst:.1%}"
        lines.append(f"| {text} | {shown} | {met} |")
    return "\n".join(lines)


def _sd(ours: pd.DataFrame) -> float:
    grouped = ours.groupby(["difficulty", "scale"])["f1"]
    return float(grouped.std(ddof=1).max())


def load(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line]
