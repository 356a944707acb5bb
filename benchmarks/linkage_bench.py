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
- **Quality grid** (with ``--grid``, ``benchmarks/linkage_grid.py``): scale 0.1x-20x (200x
  with ``--full``) x difficulty x 5 seeds, ours against the truth, our method on clear text,
  and Splink on clear text (the peer). Each cell runs in a fresh process; cells already in
  ``results/linkage-grid.jsonl`` are kept unless ``--fresh``; ``--scales``,
  ``--difficulties`` and ``--seeds`` run part of the grid.

``python -m benchmarks linkage [--full] [--skip-febrl] [--skip-scale] [--spark]
[--register SCALE] [--grid [--fresh] [--scales ...] [--difficulties ...] [--seeds ...]]
[--data DIR]``; results go to ``benchmarks/results/linkage.md``, each part into its own
section (a run rewrites only the sections it measured).
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
GRID = ROOT / "benchmarks" / "results" / "linkage-grid.jsonl"
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
elif what == "grid":
    from benchmarks import linkage_grid
    print(json.dumps(linkage_grid.cell(Path(rest[0]), float(rest[1]), rest[2], int(rest[3]))))
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


def update(path: Path, heading: str, body: list[str], preamble: list[str]) -> None:
    """Write ``body`` under ``heading`` in ``path``, replacing that section if it is there."""
    text = path.read_text("utf-8") if path.exists() else "\n".join(preamble) + "\n"
    lines = text.splitlines()
    section = [heading, "", *body]
    if heading in lines:
        start = lines.index(heading)
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        lines[start:end] = [*section, ""]
    else:
        lines += ["", *section]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip("\n") + "\n", "utf-8")


def _grid(args: argparse.Namespace) -> list[str]:
    from benchmarks import linkage_grid as grid

    scales = args.scales or (grid.FULL_SCALES if args.full else grid.SCALES)
    difficulties = args.difficulties or grid.DIFFICULTIES
    seeds = args.seeds or grid.SEEDS
    done = [] if args.fresh else grid.load(GRID)
    have = {(c["scale"], c["difficulty"], c["seed"]) for c in done}
    if args.fresh:
        GRID.unlink(missing_ok=True)
    for difficulty in difficulties:
        for scale in scales:
            for seed in seeds:
                if (scale, difficulty, seed) in have:
                    continue
                print(f"  grid: {difficulty} {scale:g}x seed {seed} ...", flush=True)
                measured = _child("grid", str(args.data), str(scale), difficulty, str(seed))
                with GRID.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(measured) + "\n")
    cells = grid.load(GRID)
    return [
        f"Cells: {len(cells)} (difficulty x scale x seed), `python -m benchmarks linkage "
        "--grid`; the raw measurements are in `linkage-grid.jsonl`. Each value is the mean over "
        "the seeds, with the least and the most in brackets. Difficulties: "
        "`docs/methods/synthetic.md`; method: `docs/methods/linkage.md`.",
        "",
        grid.table(cells),
        "",
        "### The run's own estimates (ours), mean over the seeds",
        "",
        grid.estimates(cells),
        "",
        "### The aims of issue 12",
        "",
        grid.aims(cells),
    ]


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
    parser.add_argument("--grid", action="store_true", help="the quality grid (alone)")
    parser.add_argument("--fresh", action="store_true", help="--grid: measure every cell again")
    parser.add_argument("--scales", type=float, nargs="+", default=None)
    parser.add_argument("--difficulties", nargs="+", default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "vm-linkage")
    args = parser.parse_args(argv or [])
    preamble = ["# Linkage benchmark"]
    stamp = (
        f"Run {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}."
    )

    def write(heading: str, body: list[str]) -> None:
        update(RESULTS, heading, [stamp, "", *body], preamble)
        print("\n".join([heading, "", *body]), flush=True)

    if args.grid:
        write("## Quality grid", _grid(args))
        return 0
    if not args.skip_febrl:
        from benchmarks.linkage_febrl import run, table

        print("FEBRL ...", flush=True)
        write("## FEBRL (threshold 0.8, fixed in advance)", [table(run())])
    if not args.skip_scale:
        rows = _scale_rows(args.data, FULL_SCALES if args.full else SCALES)
        write("## Scale (DuckDB, all cores)", [_scale_table(rows)])
    if args.spark:
        body: list[str] = []
        try:
            target = Path(_child("prepare", str(args.data), str(SPARK_SCALE))["dir"])
            spark = _child("spark", str(target))
            duck = _child("measure", str(target), "pseudonymised")
        except RuntimeError as error:
            body.append(f"Spark run failed: {error}")
        else:
            body += [
                "| backend | reports | seconds | pairs linked | peak MB (Python process) | F1 |",
                "|---|---:|---:|---:|---:|---:|",
                f"| DuckDB | {duck['reports']:,} | {duck['seconds']:.1f} | {duck['pairs']:,} "
                f"| {duck['peak_rss_mb']:,.0f} | {duck['f1']:.4f} |",
                f"| Spark (local, driver 4g) | {spark['reports']:,} | {spark['seconds']:.1f} "
                f"| {spark['pairs']:,} | {spark['peak_rss_mb']:,.0f} | {spark['f1']:.4f} |",
            ]
        write("## Spark against DuckDB (pseudonymised, same data)", body)
    if args.register is not None:
        from benchmarks.linkage_register import table as register_table

        target = Path(_child("prepare", str(args.data), str(args.register))["dir"])
        print(f"  register at scale {args.register:g} ...", flush=True)
        result = _child("register", str(target))
        write(
            f"## Register, full and incremental (SQLite, scale {args.register:g})",
            [
                f"Intake of 2014-2017 first: {result['intake_seconds']:.1f} s; peak memory of "
                f"the process {result['peak_rss_mb']:,.0f} MB.",
                "",
                register_table(result),
            ],
        )
    return 0
