"""End-to-end validation of the published hidden number (``benchmarks/endtoend.py``).

Synthetic registers of known size, seeds 201-205 x scale 0.5 and 1 (2 with ``--full``) x
heterogeneity 0, 1, 2 x linkage difficulty standard and hardest: each built, encoded, linked
and estimated per year as the monitor publishes it, on the linked and on the true capture
histories. Methods: stepwise (published), main, latent-class; bic with ``--full`` or
``--methods``. ``--quick``: seed 201 at scale 0.5, standard, the three heterogeneities.

Populations already in ``results/endtoend.jsonl`` are kept (a method they lack is estimated
from their stored histories; ``--again``: estimated anew, after a change to the estimation)
unless ``--fresh``. The report goes to ``results/endtoend.md``
(section "Results"; other sections, such as the findings, are left alone) with the chart
``results/endtoend.svg``.

``python -m benchmarks endtoend [--quick | --full] [--fresh] [--seeds ...] [--scales ...]
[--heterogeneity ...] [--difficulties ...] [--methods ...] [--again] [--report] [--data DIR]
[--out DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from benchmarks import endtoend as e2e
from benchmarks import endtoend_report as report
from benchmarks.linkage_bench import update

OUT = Path(__file__).resolve().parent / "results"
NAME = "endtoend"
PREAMBLE = [
    "# End-to-end validation of the hidden number",
    "",
    "`python -m benchmarks endtoend` (`benchmarks/endtoend.py`): synthetic registers of known "
    "size, encoded, linked and estimated per year as the monitor publishes the estimate, on the "
    "linked capture histories and on the true ones. Method notes: "
    "`docs/methods/estimation.md`, `docs/methods/synthetic.md`.",
]


def load(path: Path) -> list[e2e.Population]:
    if not path.exists():
        return []
    lines = path.read_text("utf-8").splitlines()
    return [e2e.Population.from_dict(json.loads(line)) for line in lines if line]


def _save(populations: Sequence[e2e.Population], path: Path) -> None:
    """Rewrite the whole file (a method added to stored populations), atomically."""
    text = "".join(json.dumps(p.as_dict()) + "\n" for p in populations)
    tmp = path.with_suffix(".jsonl.tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def _append(population: e2e.Population, path: Path) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(population.as_dict()) + "\n")


def grid(args: argparse.Namespace) -> list[e2e.Setting]:
    seeds: tuple[int, ...] = e2e.SEEDS
    scales: tuple[float, ...] = e2e.FULL_SCALES if args.full else e2e.SCALES
    levels: tuple[str, ...] = e2e.DIFFICULTIES
    if args.quick:
        seeds, scales, levels = e2e.SEEDS[:1], e2e.SCALES[:1], ("standard",)
    strengths = e2e.HETEROGENEITY
    return [
        e2e.Setting(seed, scale, strength, level)
        for scale in args.scales or scales
        for strength in args.heterogeneity or strengths
        for seed in args.seeds or seeds
        for level in args.difficulties or levels
    ]


def measure(
    settings: Sequence[e2e.Setting],
    methods: Sequence[str],
    data: Path,
    raw: Path,
    *,
    again: bool = False,
) -> None:
    """Link and estimate every setting not yet in ``raw``; add missing methods to those that
    are (``again``: estimate ``methods`` anew from the stored histories). The difficulties of
    a seed, scale and heterogeneity share the true histories' fits."""
    stored = {p.setting.key: p for p in load(raw)}
    fits: dict[tuple[float, ...], e2e.Fits] = {}
    for n, setting in enumerate(settings, 1):
        shared = fits.setdefault((setting.seed, setting.scale, setting.heterogeneity), {})
        done = stored.get(setting.key)
        if done is not None and again:
            done = e2e.forget(done, methods)
        if done is not None and set(methods) <= done.methods():
            continue
        started = time.perf_counter()
        print(f"  [{n}/{len(settings)}] {setting.name} ...", end=" ", flush=True)
        if done is None:
            found = e2e.estimate(e2e.link(data, setting), methods, shared)
            stored[setting.key] = found
            _append(found, raw)
        else:
            stored[setting.key] = found = e2e.estimate(done, methods, shared)
            _save(list(stored.values()), raw)
        print(f"{time.perf_counter() - started:.0f} s", flush=True)


def body(populations: Sequence[e2e.Population], chart: Path) -> list[str]:
    """The generated section: the grid, the tables and the chart (written to ``chart``)."""
    data = report.frame(populations)
    if data.empty:
        return ["No populations measured yet."]
    chart.write_text(report.svg(report.chart(data)), "utf-8")
    seconds = sum(sum(p.seconds.values()) for p in populations)
    return [
        f"Populations: {len(populations)} ({len({p.setting.seed for p in populations})} seeds; "
        f"scales {_listed(p.setting.scale for p in populations)}; heterogeneity "
        f"{_listed(p.setting.heterogeneity for p in populations)}; difficulties "
        f"{', '.join(sorted({p.setting.difficulty for p in populations}))}), "
        f"{len(data[['seed', 'scale', 'heterogeneity', 'difficulty', 'year']].drop_duplicates())}"
        f" population-years; {seconds / 60:.0f} minutes of building, linking and estimating. "
        "Raw results: `endtoend.jsonl`. Intervals from the linked histories are widened to hold "
        "those at the two ends of the review band, as published.",
        "",
        "### Per method",
        "",
        report.overall(data),
        "",
        report.reasons(data),
        "",
        "### Per heterogeneity and difficulty",
        "",
        report.by_setting(data),
        "",
        "### Per scale",
        "",
        report.by_setting(data, ("scale",)),
        "",
        f"### Linkage error and model error ({report.PUBLISHED})",
        "",
        "Linkage error: the estimate from the linked histories over the estimate from the true "
        "histories of the same population-year, less one. Model error: the estimate from the "
        "true histories over the true number, less one.",
        "",
        report.errors(data),
        "",
        "### Estimate / true number",
        "",
        f"![Estimate over the true number per population-year]({chart.name})",
    ]


def _listed(values: Iterable[float]) -> str:
    return ", ".join(f"{v:g}" for v in sorted(set(values)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks endtoend")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="three small populations")
    size.add_argument("--full", action="store_true", help="also scale 2, and bic")
    parser.add_argument("--fresh", action="store_true", help="measure every population again")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--scales", type=float, nargs="+", default=None)
    parser.add_argument("--heterogeneity", type=float, nargs="+", default=None)
    parser.add_argument("--difficulties", nargs="+", default=None)
    parser.add_argument("--methods", nargs="+", default=None, choices=e2e.METHODS)
    parser.add_argument(
        "--again",
        action="store_true",
        help="estimate the methods anew from the stored histories (after an estimation change)",
    )
    parser.add_argument("--report", action="store_true", help="only write the report")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "vm-endtoend")
    parser.add_argument("--out", type=Path, default=OUT, help="results directory")
    args = parser.parse_args(argv or [])
    methods = args.methods or (e2e.METHODS if args.full else e2e.DEFAULT_METHODS)
    args.out.mkdir(parents=True, exist_ok=True)
    raw, results = args.out / f"{NAME}.jsonl", args.out / f"{NAME}.md"
    if args.fresh:
        raw.unlink(missing_ok=True)
    if not args.report:
        measure(grid(args), methods, args.data, raw, again=args.again)
    stamp = (
        f"Run {dt.date.today().isoformat()} on {platform.machine()}, {os.cpu_count()} cores "
        f"shared with other jobs, Python {platform.python_version()}."
    )
    section = [stamp, "", *body(load(raw), args.out / f"{NAME}.svg")]
    update(results, "## Results", section, PREAMBLE)
    print("\n".join(section), flush=True)
    return 0
