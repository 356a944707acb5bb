"""Linkage benchmark: quality on FEBRL, and speed and memory at 100k and 1M reports.

- **FEBRL** (``benchmarks/linkage_febrl.py``): Splink on clear text against recordlinkage's
  classic ECM approach, both at settings fixed in advance; pairwise precision, recall, F1.
- **Scale** (``benchmarks/linkage_scale.py``): the synthetic population at 20x (about 108,000
  reports) and, with ``--full``, 200x the Dutch size (about 1.08 million reports), linked by
  the pseudonymised model and by its clear-text twin on the same people (the peer): seconds,
  peak resident memory of the measuring process, and the ratio pseudonymised / clear.
  Aim (issue 4): 1M reports in under 3 minutes on 2 cores; ratio at most 1.5.
- **Spark** (with ``--spark``, when pyspark is importable): the pseudonymised model on
  Splink's Spark backend against DuckDB on 20,000 reports, for the record.
- **Register** (with ``--register SCALE``, ``benchmarks/linkage_register.py``): ``link_register``
  end to end on a SQLite register, a full run of four years, then new submissions linked
  incrementally, against a full relink of the same register.

``python -m benchmarks linkage [--full] [--skip-febrl] [--skip-scale] [--spark]
[--register SCALE] [--data DIR]``; results go to ``benchmarks/results/linkage.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "linkage.md"
SCALES = (20.0,)
FULL_SCALES = (20.0, 200.0)
SPARK_SCALE = 3.7  # about 20,000 reports


def _child(*args: str) -> dict[str, Any]:
    """Run ``benchmarks.linkage_scale`` (or a helper) in a fresh process; its JSON output."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if out.returncode != 0:
        lines = [line for line in out.stderr.splitlines() if "Error" in line] or ["?"]
        raise RuntimeError(f"{' '.join(args[:1])} failed: {lines[-1][:300]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


_CHILD = """
import json, sys
from pathlib import Path
from benchmarks import linkage_scale
what, *rest = sys.argv[1:]
if what == "prepare":
    print(json.dumps({"dir": str(linkage_scale.prepare(Path(rest[0]), float(rest[1])))}))
elif what == "spark":
    from benchmarks import linkage_spark
    print(json.dumps(linkage_spark.measure(Path(rest[0]))))
elif what == "register":
    from benchmarks import linkage_register
    print(json.dumps(linkage_register.measure(Path(rest[0]))))
else:
    print(json.dumps(linkage_scale.measure(Path(rest[0]), rest[1])))
"""


def _scale_rows(data: Path, scales: tuple[float, ...]) -> list[dict[str, Any]]:
    rows = []
    for scale in scales:
        target = Path(_child("prepare", str(data), str(scale))["dir"])
        for model in ("pseudonymised", "clear"):
            print(f"  scale {scale:g}: {model} ...", flush=True)
            rows.append({"scale": scale, **_child("measure", str(target), model)})
    return rows


def _scale_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| reports | model | seconds | train | score | cluster | pairs >= 0.8 | peak MB "
        "| precision | recall | F1 | time ratio |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    clear = {r["scale"]: r["seconds"] for r in rows if r["model"] == "clear"}
    for r in rows:
        ratio = r["seconds"] / clear[r["scale"]] if r["scale"] in clear else float("nan")
        lines.append(
            f"| {r['reports']:,} | {r['model']} | {r['seconds']:.1f} | {r['train_seconds']:.1f} "
            f"| {r['predict_seconds']:.1f} | {r['cluster_seconds']:.1f} | {r['pairs']:,} "
            f"| {r['peak_rss_mb']:,.0f} | {r['precision']:.4f} | {r['recall']:.4f} "
            f"| {r['f1']:.4f} | {ratio:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks linkage")
    parser.add_argument("--full", action="store_true", help="also 1M reports (scale 200)")
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--spark", action="store_true", help="Spark against DuckDB, 20k")
    parser.add_argument(
        "--register",
        type=float,
        default=None,
        metavar="SCALE",
        help="link_register end to end, full and incremental, at SCALE",
    )
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "vm-linkage")
    args = parser.parse_args(argv or [])
    sections = [
        "# Linkage benchmark",
        "",
        f"Run {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; `python -m benchmarks linkage"
        f"{' --full' if args.full else ''}`.",
    ]

    def write() -> None:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(sections) + "\n", "utf-8")

    if not args.skip_febrl:
        from benchmarks.linkage_febrl import run, table

        print("FEBRL ...", flush=True)
        sections += ["", "## FEBRL (threshold 0.8, fixed in advance)", "", table(run())]
        write()
    if not args.skip_scale:
        rows = _scale_rows(args.data, FULL_SCALES if args.full else SCALES)
        sections += ["", "## Scale (DuckDB, all cores)", "", _scale_table(rows)]
        write()
    if args.spark:
        sections += ["", "## Spark against DuckDB (pseudonymised, same data)", ""]
        try:
            target = Path(_child("prepare", str(args.data), str(SPARK_SCALE))["dir"])
            spark = _child("spark", str(target))
            duck = _child("measure", str(target), "pseudonymised")
        except RuntimeError as error:
            sections.append(f"Spark run failed: {error}")
        else:
            sections += [
                "| backend | reports | seconds | pairs >= 0.8 | peak MB (Python process) | F1 |",
                "|---|---:|---:|---:|---:|---:|",
                f"| DuckDB | {duck['reports']:,} | {duck['seconds']:.1f} | {duck['pairs']:,} "
                f"| {duck['peak_rss_mb']:,.0f} | {duck['f1']:.4f} |",
                f"| Spark (local, driver 4g) | {spark['reports']:,} | {spark['seconds']:.1f} "
                f"| {spark['pairs']:,} | {spark['peak_rss_mb']:,.0f} | {spark['f1']:.4f} |",
            ]
        write()
    if args.register is not None:
        from benchmarks.linkage_register import table as register_table

        target = Path(_child("prepare", str(args.data), str(args.register))["dir"])
        print(f"  register at scale {args.register:g} ...", flush=True)
        result = _child("register", str(target))
        sections += [
            "",
            f"## Register, full and incremental (SQLite, scale {args.register:g})",
            "",
            f"Intake of 2014-2017 first: {result['intake_seconds']:.1f} s; peak memory of the "
            f"process {result['peak_rss_mb']:,.0f} MB.",
            "",
            register_table(result),
        ]
        write()
    print("\n".join(sections))
    return 0
