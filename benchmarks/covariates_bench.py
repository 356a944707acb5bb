"""The covariate model on sparse strata: with and without its prior, where the truth is known.

Simulation: registers drawn from populations of known size (:mod:`victim_monitor.estimation.
simulate`), each estimated with ``estimate_strata(..., approach="covariates")`` under each of
:data:`RULES` (no penalty, priors of sd 5 and 2.5, penalties chosen by AIC); per group of
strata the share estimable (what ``estimable.judge`` lets through) and why not, the relative
bias (also over the strata every rule estimates) and the coverage of the 95% interval against
the population's own stratum counts. ``sparse``: 5 years x 4 forms on 6 lists, form ``d``
small (10%) and seen by few lists (list C never), 2018 seen less by all; ``sparser``: form
``d`` 4%; ``dense``: the population of ``tests/estimation/test_strata.py`` (year x sex,
24,000 persons).

Demo (``--demo``): the synthetic population (``SyntheticConfig()``, seed 2019, scale 1) on its
true capture histories, per year by form (as issue 13 measured it) and all years by year x
form, before and after.

``python -m benchmarks covariates [--registers 100] [--seed 20261207] [--bootstrap 0]
[--rules ...] [--demo]``; tables are printed and written to ``benchmarks/results/covariates.md``
(``covariates-bca.md`` with a bootstrap).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from victim_monitor.estimation import StratifiedEstimate, estimate_strata
from victim_monitor.estimation.simulate import Scenario, registered, simulate_persons

NEVER = -np.inf
SPARSE = Scenario(
    15000,
    [0.08, 0.05, 0.04, 0.10, 0.06, 0.05],
    dependence={(0, 3): 0.8, (2, 4): 0.5},
    strata={
        "year": {
            "2014": (0.2, 0.0),
            "2015": (0.2, 0.1),
            "2016": (0.2, -0.2),
            "2017": (0.2, 0.0),
            "2018": (0.2, [-0.6, -0.6, -0.3, -0.8, -0.6, -0.6]),
        },
        "form": {
            "a": (0.45, [0.5, NEVER, -1.0, 0.3, 0.2, 0.0]),
            "b": (0.25, [0.0, 0.5, 0.3, -0.5, 0.0, 0.3]),
            "c": (0.20, [0.3, 0.0, 0.5, 0.0, -0.3, 0.2]),
            "d": (0.10, [-0.3, -1.5, NEVER, -1.5, -1.0, -1.5]),
        },
    },
)
DENSE = Scenario(
    24000,
    [0.06, 0.1, 0.08, 0.15, 0.07],
    dependence={(0, 1): 0.8},
    strata={
        "year": {"2021": (0.5, 0.0), "2022": (0.5, 0.3)},
        "sex": {"female": (0.6, 0.2), "male": (0.4, -0.3)},
    },
)
SPARSER = Scenario(
    SPARSE.size,
    SPARSE.capture,
    SPARSE.dependence,
    strata={
        "year": SPARSE.strata["year"],
        "form": {**SPARSE.strata["form"], "d": (0.04, SPARSE.strata["form"]["d"][1])},
    },
)
SCENARIOS = {
    "sparse": (SPARSE, ["year", "form"], "d"),
    "sparser": (SPARSER, ["year", "form"], "d"),
    "dense": (DENSE, ["year", "sex"], ""),
}
RULES: dict[str, float | str | None] = {
    "unpenalised": 0.0,
    "prior sd 5": 1 / 5**2,
    "prior sd 2.5 (default)": None,
    "AIC": "aic",
}
HEAD = (
    "| scenario | strata | model | estimable | not estimable: why | median rel. bias | "
    "mean rel. bias | median rel. bias where every model is estimable | "
    "coverage of the estimable | coverage, not estimable = miss | median width / truth |"
)


def rows_of(
    found: StratifiedEstimate, truth: pd.Series, total: int, small: str
) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for s in (*found.strata, found.total):
        is_total = s.key[0] == "total"
        group = "total" if is_total else ("small" if small and small in s.key else "other")
        t = total if is_total else int(truth[s.key])
        reason = "" if s.reason is None else s.reason.code
        out.append(
            {
                "group": group,
                "estimate": s.estimate,
                "low": s.low,
                "high": s.high,
                "truth": t,
                "reason": reason,
            }
        )
    return out


def simulation(
    name: str, registers: int, seed: int, bootstrap: int, rules: Sequence[str]
) -> list[str]:
    scenario, by, small = SCENARIOS[name]
    rng = np.random.default_rng(seed)
    found: dict[str, list[dict[str, object]]] = {rule: [] for rule in rules}
    seconds = dict.fromkeys(rules, 0.0)
    for r in range(registers):
        population = simulate_persons(scenario, rng)
        truth = population.groupby(by).size()
        persons = registered(population, scenario.lists)
        for rule in rules:
            penalty = RULES[rule]
            start = time.perf_counter()
            result = estimate_strata(
                persons,
                scenario.lists,
                by,
                approach="covariates",
                penalty=penalty,
                bootstrap=bootstrap,
                seed=seed + r,
                workers=1,
            )
            seconds[rule] += time.perf_counter() - start
            assert isinstance(result, StratifiedEstimate)
            found[rule] += rows_of(result, truth, len(population), small)
    lines = []
    for group in ("small", "other", "total"):
        frames = {
            rule: pd.DataFrame([x for x in rows if x["group"] == group])
            for rule, rows in found.items()
        }
        if next(iter(frames.values())).empty:
            continue
        both = np.logical_and.reduce([f["estimate"].notna() for f in frames.values()])
        for rule, frame in frames.items():
            lines.append(_line(name, group, rule, frame, both))
    lines.append(
        f"| {name} | seconds per register | "
        + " / ".join(f"{rule} {seconds[rule] / registers:.2f}" for rule in rules)
        + " | | | | | | | | |"
    )
    return lines


def _line(name: str, group: str, rule: str, frame: pd.DataFrame, both: object) -> str:
    """One row of the table; ``both``: the strata every rule could estimate (a paired bias)."""
    paired = frame[both]
    paired_bias = float((paired["estimate"] / paired["truth"] - 1).median())
    ok = frame["estimate"].notna()
    est = frame[ok]
    rel = est["estimate"] / est["truth"] - 1
    covered = (est["low"] <= est["truth"]) & (est["truth"] <= est["high"])
    width = (est["high"] - est["low"]) / est["truth"]
    reasons = frame.loc[~ok, "reason"].value_counts()
    why = ", ".join(f"{code} {n / len(frame):.0%}" for code, n in reasons.items())
    return (
        f"| {name} | {group} | {rule} | {ok.mean():.0%} | {why} | {rel.median():+.1%} | "
        f"{rel.mean():+.1%} | {paired_bias:+.1%} | {covered.mean():.0%} | "
        f"{covered.sum() / len(frame):.0%} | {width.median():.0%} |"
    )


def demo() -> list[str]:
    """Issue 13's case: the synthetic population's true capture histories."""
    from victim_monitor.synthetic import LISTS, SyntheticConfig, generate

    people = generate(SyntheticConfig()).persons
    people = people.assign(year=people["year"].astype(str))
    seen = people.loc[people["registered"]].copy()
    for name in LISTS:
        seen[name] = seen["capture_history"].str.contains(name).astype(int)
    lines = [
        "| fit | stratum | registered | truth | unpenalised | prior sd 2.5 (default) |",
        "|---|---|---:|---:|---|---|",
    ]
    fits: list[tuple[str, pd.DataFrame, pd.DataFrame, list[str]]] = [
        (f"{year} by form", group, people[people["year"] == year], ["form_group"])
        for year, group in seen.groupby("year")
    ]
    fits.append(("all years by year x form", seen, people, ["year", "form_group"]))
    for label, group, truth_frame, by in fits:
        truth = truth_frame.groupby(by).size()
        results = []
        for rule in ("unpenalised", "prior sd 2.5 (default)"):
            penalty = RULES[rule]
            start = time.perf_counter()
            result = estimate_strata(group, list(LISTS), by, approach="covariates", penalty=penalty)
            assert isinstance(result, StratifiedEstimate)
            results.append((result, time.perf_counter() - start))
        for i, s in enumerate((*results[0][0].strata, results[0][0].total)):
            at = s.key if len(by) > 1 else s.key[0]
            t = len(truth_frame) if s.key[0] == "total" else int(truth[at])
            cells = [_shown(r.strata[i] if i < len(r.strata) else r.total) for r, _ in results]
            lines.append(
                f"| {label} | {' / '.join(s.key)} | {s.observed:,} | {t:,} | "
                + " | ".join(cells)
                + " |"
            )
        lines.append(f"| {label} | seconds | | | {results[0][1]:.2f} | {results[1][1]:.2f} |")
    return lines


def _shown(s: object) -> str:
    from victim_monitor.estimation.strata import StratumEstimate

    assert isinstance(s, StratumEstimate)
    if s.reason is not None:
        return f"not estimable ({s.reason.code})"
    return f"{s.estimate:,.0f} [{s.low:,.0f}-{s.high:,.0f}]"


def main(args: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks covariates")
    parser.add_argument("--registers", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--bootstrap", type=int, default=0)
    parser.add_argument("--scenarios", default="sparse,dense")
    parser.add_argument("--rules", default=",".join(RULES), help="of: " + ", ".join(RULES))
    parser.add_argument("--demo", action="store_true")
    opts = parser.parse_args(args)
    rules = opts.rules.split(",")
    interval = f"BCa ({opts.bootstrap})" if opts.bootstrap else "Wald"
    out = [
        f"# Covariate model on sparse strata ({opts.registers} registers, seed {opts.seed}, "
        f"{interval} intervals)",
        "",
        HEAD,
        "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    print("\n".join(out), flush=True)
    for name in opts.scenarios.split(","):
        lines = simulation(name, opts.registers, opts.seed, opts.bootstrap, rules)
        print("\n".join(lines), flush=True)
        out += lines
    if opts.demo:
        lines = ["", "## The demo's true capture histories", "", *demo()]
        print("\n".join(lines), flush=True)
        out += lines
    name = "covariates-bca.md" if opts.bootstrap else "covariates.md"
    path = Path(__file__).parent / "results" / name
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return 0
