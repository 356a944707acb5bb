"""Estimation benchmark: our MSE against the field's R packages, and a simulation study.

Speed (default). On ``uk6`` and ``netherlands6``, the work of SparseMSE ``estimatepopulation``:
stepwise selection, ``--replicates`` BCa bootstrap replicates that repeat the selection, the
jackknife and the interval (``estimate(table, method="stepwise", bootstrap=N, seed=1234,
sensitivity=0)``); also the exhaustive BIC search over 32,768 models (MultipleSystemsEstimation
``estimate_population_bic``, Rcapture ``closedpMS.t``) and the BIC bootstrap over the 100 best
models on ``uk5``. Each is timed in-process after a warm-up, median of ``--repeat`` runs, on
``--workers`` processes. The peer's seconds are those measured beside each number in
``reference-estimates.csv`` (R 4.2 on a machine like this one); the ratio is peer / ours.

Model selection and Rcapture (``--selection``, also at the end of the default run):
``method="auto"`` (BIC over the 6,212 hierarchical models of 5 lists) on western5 and the
three 5-list tables MultipleSystemsEstimation's ``estimate_population`` was timed on; each of
Rcapture's models on neworleans8 with its profile interval (``closedpCI.t`` where R ran it,
else ``closedp.t``, which fits all twelve without an interval), all ten fits together
(``closedp.t``), and SparseMSE ``checkallmodels`` on 8 lists (which R did not finish). The
table goes to ``benchmarks/results/estimation.md`` too (this section only), with the CPU
seconds and the machine's load beside the wall seconds.

Latent classes (``--latent``): LCMCR's model (``method="latent-class"``, seed 12345) with the
package's default chain and the long one (burnin 100,000, thinning 100) on every table LCMCR
was run on, against R's seconds (``lcmCR`` + ``lcmCR_PostSampl``); the default run has uk6's two.
With ``--seeds N`` also the agreement with LCMCR's posterior over seeds 0 to N - 1 (the table of
``docs/methods/estimation.md``, "Latent classes (LCMCR)").

Simulation (``--simulation``): registers drawn from populations of known size with list
dependence and heterogeneity (:mod:`victim_monitor.estimation.simulate`); for each method the
relative bias, root mean square error and the coverage of its 95% interval over
``--replicates`` registers (default 200 there).

``python -m benchmarks estimation [--replicates N] [--repeat R] [--workers W]
[--selection] [--latent [--seeds N]] [--simulation]``
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from victim_monitor.estimation import (
    CaptureHistoryTable,
    estimate,
    estimate_strata,
    read_table,
    table_from_persons,
)
from victim_monitor.estimation.simulate import (
    Scenario,
    registered,
    simulate_persons,
    simulate_table,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "mse-datasets"
LOCAL = ROOT / "tests" / "estimation" / "reference"
DATA = SHARED if (SHARED / "reference-estimates.csv").is_file() else LOCAL


def peer_seconds(dataset: str, method: str, settings: str) -> tuple[float, str]:
    """Wall seconds of the reference run whose method and settings start with the given text."""
    with (DATA / "reference-estimates.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if (
                row["dataset"] == dataset
                and row["method"].startswith(method)
                and row["settings"].startswith(settings)
            ):
                return float(row["wall_seconds"]), f"{row['software']} {row['method'][:40]}"
    raise LookupError((dataset, method, settings))


def timed(run: Callable[[], object], repeat: int) -> float:
    run()  # warm-up: imports, caches, worker start-up paths
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def table(name: str) -> CaptureHistoryTable:
    found = read_table(DATA / f"{name}.csv")
    assert isinstance(found, CaptureHistoryTable), found
    return found


def speed(replicates: int, repeat: int, workers: int) -> None:
    print(
        f"# Estimation speed ({platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, {workers} workers, median of {repeat})\n"
    )
    print("| task | data | ours (s) | peer | peer (s) | ratio |")
    print("|---|---|---:|---|---:|---:|")
    r_settings = "nboot=1000" if replicates == 1000 else "nboot=500"
    for name in ("uk6", "netherlands6"):
        data = table(name)
        ours = timed(
            lambda data=data: estimate(
                data, bootstrap=replicates, seed=1234, sensitivity=0, workers=workers
            ),
            repeat,
        )
        peer, who = peer_seconds(name, "estimatepopulation (", r_settings)
        peer_n = int(r_settings.split("=")[1])
        scaled = peer * replicates / peer_n
        print(
            f"| stepwise + {replicates} BCa | {name} | {ours:.2f} | {who} (nboot={peer_n}, "
            f"scaled to {replicates}) | {scaled:.1f} | {scaled / ours:.0f}x |"
        )
    for name in ("uk6", "netherlands6"):
        data = table(name)
        ours = timed(
            lambda data=data: estimate(data, method="bic", sensitivity=0, workers=workers), repeat
        )
        for method, settings in (
            ("estimate_population method=bic", "nboot=0"),
            ("closedpMS.t", "maxorder=2"),
        ):
            peer, who = peer_seconds(name, method, settings)
            print(
                f"| BIC over 32,768 models | {name} | {ours:.2f} | {who} | {peer:.1f} | "
                f"{peer / ours:.0f}x |"
            )
    data = table("uk5")
    ours = timed(
        lambda: estimate(
            data, method="bic", bootstrap=1000, seed=1234, sensitivity=0, workers=workers
        ),
        max(1, repeat - 2),
    )
    peer, who = peer_seconds("uk5", "estimate_population_bic", "nboot=1000")
    print(
        f"| BIC (6,212 models) + 1000 BCa over top 100 | uk5 | {ours:.2f} | {who} | "
        f"{peer:.1f} | {peer / ours:.0f}x |"
    )
    data = table("uk6")
    ours = timed(lambda: estimate(data, bootstrap=replicates, seed=1234, workers=workers), repeat)
    print(
        f"| stepwise + {replicates} BCa + sensitivity (all 32,768 models) | uk6 | {ours:.2f} "
        "| (no peer) | | |"
    )
    latent_rows(("uk6",), repeat)
    selection(repeat, workers)


FIVE_LISTS = ("western5", "uk5", "netherlands5", "neworleans5")
RESULTS = ROOT / "benchmarks" / "results" / "estimation.md"


def cpu_timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``repeat`` runs after a warm-up (CPU: this process)."""
    run()
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def selection(repeat: int, workers: int) -> None:
    """Exhaustive BIC on 5 lists, Rcapture's models and checkallmodels on 8 lists, against R."""
    from benchmarks.linkage_bench import update
    from victim_monitor.estimation.existence import check_all_models
    from victim_monitor.estimation.rcapture import LABELS, MODELS, fit_closed

    rows = ["| task | data | ours (s) | ours CPU (s) | peer | peer (s) | ratio |"]
    rows.append("|---|---|---:|---:|---|---:|---:|")

    def row(task: str, name: str, run: Callable[[], object], who: str, peer: float) -> None:
        wall, cpu = cpu_timed(run, repeat)
        rows.append(
            f"| {task} | {name} | {wall:.3f} | {cpu:.3f} | {who} | {peer:.2f} | "
            f"{peer / wall:.1f}x |"
        )
        print(rows[-1], flush=True)

    auto = "estimate_population method=auto"
    peers = {n: peer_seconds(n, auto, "package defaults")[0] for n in FIVE_LISTS[1:]}
    for name in FIVE_LISTS:
        data = table(name)
        peer = peers.get(name, statistics.median(peers.values()))
        who = f"MultipleSystemsEstimation 1.2.0 {auto} (-> bic)"
        if name not in peers:  # R was not run on western5: the same search on the others
            who += ", median of uk5, NL5, NO5"
        row(
            "auto: BIC over 6,212 models",
            name,
            lambda data=data: estimate(data, method="auto", workers=workers),
            who,
            peer,
        )
    data = table("neworleans8")
    all_twelve, _ = peer_seconds("neworleans8", "closedp.t M0", "dfreq=TRUE")
    with_interval = {"m0": "M0", "mt": "Mt", "mth-chao": "Mth h=Chao"}
    with_interval |= {"mth-darroch": "Mth h=Darroch", "mth-poisson": "Mth h=Poisson"}
    for model in MODELS:
        if model in with_interval:
            peer, who = peer_seconds("neworleans8", f"closedpCI.t {with_interval[model]}", "")
        else:
            peer, who = all_twelve, "Rcapture 1.4.4 closedp.t (all twelve, no interval)"
        row(
            f"Rcapture {LABELS[model]} + profile interval",
            "neworleans8",
            lambda model=model: estimate(data, method=f"rcapture-{model}", sensitivity=0),
            who,
            peer,
        )
    row(
        "Rcapture's ten models fitted",
        "neworleans8",
        lambda: [fit_closed(data.counts, 8, model) for model in MODELS],
        "Rcapture 1.4.4 closedp.t (all twelve)",
        all_twelve,
    )
    row(
        "checkallmodels (2**18 top models)",
        "neworleans8",
        lambda: check_all_models(data.counts, 8),
        "SparseMSE 2.0.1 checkallmodels (killed at 595 s, unfinished)",
        595.0,
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    stamp = (
        f"Run {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores "
        f"shared with other jobs (load average {load}), median of {repeat} after a warm-up; "
        "the ratio is the peer's seconds over our wall seconds."
    )
    update(RESULTS, "## Model selection and Rcapture", [stamp, "", *rows], ["# Estimation"])


LCMCR = "lcmCR + lcmCR_PostSampl"
LCMCR_CHAINS = {"default": (10_000, 10), "long": (100_000, 100)}
LCMCR_TABLES = (
    "uk6",
    "uk5",
    "netherlands6",
    "netherlands5",
    "neworleans8",
    "neworleans5",
    "neworleans8_mse120",
    "neworleans5_mse120",
)


def latent_rows(names: tuple[str, ...], repeat: int) -> None:
    """One line per table and chain: our seconds against LCMCR's in R."""
    from victim_monitor.estimation.latent import Chain

    for name in names:
        data = table(name)
        for label, (burnin, thinning) in LCMCR_CHAINS.items():
            chain = Chain(burnin=burnin, thinning=thinning)
            ours = timed(
                lambda data=data, chain=chain: estimate(
                    data, method="latent-class", seed=12345, chain=chain
                ),
                repeat,
            )
            peer, _ = peer_seconds(
                name, LCMCR, f"K=5, a_alpha=b_alpha=0.25 (defaults), seed=12345, burnin={burnin},"
            )
            print(
                f"| latent classes, {label} chain ({burnin + 1_000 * thinning:,} sweeps) | "
                f"{name} | {ours:.2f} | LCMCR 0.4.14 | {peer:.2f} | {peer / ours:.2f}x |"
            )


def latent_agreement(names: tuple[str, ...], seeds: int) -> None:
    """Per table and chain: LCMCR's median [95%], ours with seed 12345, and over the seeds."""
    from victim_monitor.estimation.latent import Chain, sample

    print(
        f"\n| table | chain | LCMCR median [95%] | ours, seed 12345 | ours, median over {seeds} "
        "seeds [limits] | range of our medians | within 5% (median) / 10% (limits) of R |"
    )
    print("|---|---|---|---|---|---|---|")
    with (DATA / "reference-estimates.csv").open(newline="", encoding="utf-8") as f:
        rows = {
            (r["dataset"], "long" if "burnin=100000," in r["settings"] else "default"): r
            for r in csv.DictReader(f)
            if r["method"].startswith(LCMCR)
        }
    for label, (burnin, thinning) in LCMCR_CHAINS.items():
        chain = Chain(burnin=burnin, thinning=thinning)
        for name in names:
            data, ref = table(name), rows[(name, label)]
            r = [float(ref[k]) for k in ("estimate", "ci_low", "ci_high")]
            runs = {
                seed: sample(data.counts, data.n_lists, chain, seed).quantiles(0.95)
                for seed in (12345, *range(seeds))
            }
            ours = np.array([runs[seed] for seed in range(seeds)])  # (median, low, high)
            close = np.abs(ours / r - 1)
            near = f"{(close[:, 0] <= 0.05).sum()}/{seeds}, {(close[:, 1:] <= 0.10).sum()}"
            mine = runs[12345]
            print(
                f"| {name} | {label} | {r[0]:,.0f} [{r[1]:,.0f}, {r[2]:,.0f}] | {mine[0]:,.0f} "
                f"[{mine[1]:,.0f}, {mine[2]:,.0f}] | {np.median(ours[:, 0]):,.0f} "
                f"[{np.median(ours[:, 1]):,.0f}, {np.median(ours[:, 2]):,.0f}] | "
                f"{ours[:, 0].min():,.0f} to {ours[:, 0].max():,.0f} | "
                f"{near}/{2 * seeds} |",
                flush=True,
            )


SCENARIOS = {
    "independent": Scenario(6000, [0.05, 0.10, 0.08, 0.15, 0.06]),
    "positive dependence": Scenario(
        6000, [0.05, 0.10, 0.08, 0.15, 0.06], dependence={(0, 1): 1.0, (2, 3): 0.7}
    ),
    "negative dependence": Scenario(
        6000, [0.05, 0.10, 0.08, 0.15, 0.06], dependence={(0, 1): -1.0, (1, 3): -0.7}
    ),
    "heterogeneity (sd 0.7)": Scenario(6000, [0.05, 0.10, 0.08, 0.15, 0.06], heterogeneity=0.7),
    "dependence + heterogeneity": Scenario(
        6000, [0.05, 0.10, 0.08, 0.15, 0.06], dependence={(0, 1): 1.0}, heterogeneity=0.7
    ),
}
METHODS = {
    "stepwise, BCa (200)": {"method": "stepwise", "bootstrap": 200},
    "stepwise, profile": {"method": "stepwise"},
    "bic (two-way), profile": {"method": "bic", "max_order": 2},
    "main effects, profile": {"method": "main"},
    "Rcapture Mth Chao, profile": {"method": "rcapture-mth-chao"},
    "Rcapture Mth Poisson2, profile": {"method": "rcapture-mth-poisson"},
}
OBSERVED = Scenario(
    6000,
    [0.05, 0.10, 0.08, 0.15, 0.06],
    dependence={(0, 1): 1.0},
    strata={
        "sex": {"female": (0.6, 0.7), "male": (0.4, -0.7)},
        "age": {"minor": (0.3, -0.7), "adult": (0.7, 0.3)},
    },
)


def simulation(replicates: int, workers: int) -> None:
    print(f"# Simulation study ({replicates} registers per scenario, true N = 6000)\n")
    print(
        "| scenario | method | mean rel. bias | median rel. bias | RMSE / N | coverage 95% | "
        "median width / N |"
    )
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, scenario in SCENARIOS.items():
        rng = np.random.default_rng(20240601)
        tables = [simulate_table(scenario, rng) for _ in range(replicates)]
        for name, options in METHODS.items():
            est, covered, width = [], [], []
            for i, t in enumerate(tables):
                r = estimate(t, seed=i, sensitivity=0, workers=workers, **options)  # type: ignore[arg-type]
                est.append(r.estimate)
                covered.append(r.interval.low <= scenario.size <= r.interval.high)
                width.append(r.interval.high - r.interval.low)
            report(label, name, scenario.size, est, covered, width)
    observed_heterogeneity(replicates)


def report(
    label: str, name: str, truth: int, est: list[float], covered: list[bool], width: list[float]
) -> None:
    rel = np.array(est) / truth - 1
    print(
        f"| {label} | {name} | {rel.mean():+.1%} | {np.median(rel):+.1%} | "
        f"{np.sqrt(np.mean(rel**2)):.1%} | {np.mean(covered):.0%} | "
        f"{np.median(width) / truth:.0%} |",
        flush=True,
    )


def observed_heterogeneity(replicates: int) -> None:
    """Capture depends on sex and age: pooled fit versus strata and covariates."""
    label = "observed heterogeneity (sex, age)"
    rng = np.random.default_rng(20240602)
    runs: dict[str, tuple[list[float], list[bool], list[float]]] = {
        k: ([], [], [])
        for k in (
            "pooled stepwise, profile",
            "stratified (sex x age), profile",
            "covariates (sex, age), Wald",
        )
    }
    for _ in range(replicates):
        persons = registered(simulate_persons(OBSERVED, rng), OBSERVED.lists)
        pooled = estimate(table_from(persons), sensitivity=0)
        found = [(pooled.estimate, pooled.interval.low, pooled.interval.high)]
        for approach in ("stratified", "covariates"):
            s = estimate_strata(persons, OBSERVED.lists, ["sex", "age"], approach=approach)
            assert not isinstance(s, list)
            found.append((s.total.estimate, s.total.low, s.total.high))
        for (est, low, high), (e, c, w) in zip(found, runs.values(), strict=True):
            e.append(est)
            c.append(low <= OBSERVED.size <= high)
            w.append(high - low)
    for name, (e, c, w) in runs.items():
        report(label, name, OBSERVED.size, e, c, w)


def table_from(persons: object) -> CaptureHistoryTable:
    found = table_from_persons(persons, OBSERVED.lists)  # type: ignore[arg-type]
    assert isinstance(found, CaptureHistoryTable)
    return found


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks estimation")
    parser.add_argument("--replicates", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--simulation", action="store_true")
    parser.add_argument("--latent", action="store_true")
    parser.add_argument("--selection", action="store_true")
    parser.add_argument("--seeds", type=int, default=0)
    opts = parser.parse_args(args)
    if opts.latent:
        print(f"# Latent classes against LCMCR (median of {opts.repeat})\n")
        print("| task | data | ours (s) | peer | peer (s) | ratio |")
        print("|---|---|---:|---|---:|---:|")
        latent_rows(LCMCR_TABLES, opts.repeat)
        if opts.seeds:
            latent_agreement(LCMCR_TABLES, opts.seeds)
    elif opts.selection:
        selection(opts.repeat, opts.workers)
    elif opts.simulation:
        simulation(opts.replicates or 200, 1)
    else:
        speed(opts.replicates or 1000, opts.repeat, opts.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
