"""Publication benchmark: every table of the monitor for 10 years at 100x the Dutch volume.

Made-up persons (about 1,000 registered victims a year in the Netherlands, times ``--scale``)
with the monitor's categories, each reported by one to three organisations of the Dutch
mapping, go through everything ``victim-monitor publish`` does after reading the register:
tabulate (``tabulate_frames``), protect all tables together and audit the release, estimate
per year (MSE on the capture histories), trends and findings from the published cells, and
write the directory. Reading the register is left out (it is one SQL query per table source).
Reported: seconds per stage, cells, suppressed cells, and the audit's verdict.

``python -m benchmarks publish [--years 10] [--scale 100]``
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from victim_monitor.disclosure import load_policy
from victim_monitor.estimation import estimate, parse_table
from victim_monitor.findings import findings, trends
from victim_monitor.linkage.persons import histories_frame
from victim_monitor.publication.protection import protect_tabulation
from victim_monitor.publication.run import OUTCOMES, published_table
from victim_monitor.published import CellKey, Publication, YearEstimate, write_publication
from victim_monitor.registry.organisations import load_organisations
from victim_monitor.tables import COUNTING, tabulate_frames
from victim_monitor.vocab import Label

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "publish.md"
DUTCH_PER_YEAR = 1_000
SHARES = {
    "form_group": {"domestic_sexual": 0.30, "cross_border_sexual_non_african": 0.20,
                   "cross_border_sexual_african": 0.10, "labour": 0.22, "criminal": 0.13,
                   "unknown": 0.05},
    "age_group": {"minor": 0.18, "adolescent": 0.17, "adult": 0.60, "unknown": 0.05},
    "sex": {"female": 0.70, "male": 0.28, "other_unknown": 0.02},
    "nationality_group": {"dutch": 0.35, "other_eu": 0.25, "african": 0.15,
                          "other_non_eu": 0.20, "unknown": 0.05},
}  # fmt: skip
ORG_WEIGHTS = {"POL": 0.45, "KMAR": 0.06, "NLA": 0.08, "ZC": 0.20, "COSM": 0.03, "OPV": 0.05,
               "JZ": 0.03, "GZ": 0.02, "FW": 0.03, "ADV": 0.01, "GEM": 0.01, "IND": 0.02,
               "SELF": 0.005, "OVR": 0.005}  # fmt: skip


def frames(
    years: int, per_year: int, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple[str, str, str]]]:
    rng = np.random.default_rng(seed)
    n = years * per_year
    people = pd.DataFrame(
        {"id": np.arange(1, n + 1), "year": np.repeat([str(2009 + y) for y in range(years)],
                                                       per_year)}
    )  # fmt: skip
    for column, shares in SHARES.items():
        people[column] = rng.choice(list(shares), size=n, p=list(shares.values()))
    orgs = load_organisations()
    info = [(o.code, "investigative" if o.investigative else "non_investigative",
             str(o.estimation_list)) for o in orgs]  # fmt: skip
    by_code = {c: (t, lst) for c, t, lst in info}
    codes = list(ORG_WEIGHTS)
    weights = np.array(list(ORG_WEIGHTS.values()))
    k = rng.choice([1, 2, 3], size=n, p=[0.88, 0.10, 0.02])
    ids = np.repeat(people["id"].to_numpy(), k)
    chosen = rng.choice(codes, size=len(ids), p=weights / weights.sum())
    reported = pd.DataFrame({"id": ids, "organisation": chosen}).drop_duplicates()
    reported["year"] = people["year"].to_numpy()[reported["id"].to_numpy() - 1]
    reported["reporter_type"] = [by_code[c][0] for c in reported["organisation"]]
    reported["estimation_list"] = [by_code[c][1] for c in reported["organisation"]]
    m = len(reported)
    reported["dublin_claimant"] = rng.choice(["yes", "no", "unknown"], m, p=[0.05, 0.6, 0.35])
    reported["residence_permit"] = rng.choice(
        ["applied", "granted", "refused", "none"], m, p=[0.15, 0.1, 0.05, 0.7]
    )
    return people, reported, info


def run(years: int, scale: float) -> dict[str, float | int | bool]:
    per_year = int(DUTCH_PER_YEAR * scale)
    people, reported, orgs = frames(years, per_year)
    year_list = sorted({int(y) for y in people["year"]})
    clock: dict[str, float | int | bool] = {"persons": len(people), "reports": len(reported)}
    t = time.perf_counter()
    tab = tabulate_frames(people, reported, orgs, year_list)
    clock["tabulate"] = time.perf_counter() - t
    policy = load_policy()
    t = time.perf_counter()
    protected = protect_tabulation(tab, policy)
    clock["protect + audit"] = time.perf_counter() - t
    counts = protected.release.outcomes()
    clock["cells"] = sum(counts.values())
    clock["suppressed"] = sum(v for o, v in counts.items() if o.hidden)
    clock["audit passed"] = protected.passed
    t = time.perf_counter()
    names = {c: Label(c, c) for c, _, _ in orgs}
    tables = {x.name: published_table(x, protected.release.table(x.name), names)
              for x in tab.tables}  # fmt: skip
    estimates = []
    order = "PKIROZ"
    on_list = reported.drop_duplicates(["id", "estimation_list"])
    bits = on_list["estimation_list"].map({x: 1 << i for i, x in enumerate(order)})
    per_person = bits.groupby(on_list["id"]).sum()  # distinct lists: the sum is the bit mask
    years_of = people.set_index("id")["year"].loc[per_person.index]
    for year in tab.years:
        masks = per_person[years_of.to_numpy() == year].value_counts().to_dict()
        patterns = {
            "".join(x for i, x in enumerate(order) if m >> i & 1): c for m, c in masks.items()
        }
        frame = histories_frame({str(p): int(c) for p, c in patterns.items()})
        table = parse_table(frame.to_csv(index=False))
        assert not isinstance(table, list), table
        result = estimate(table, method="stepwise", sensitivity=0)
        cell = CellKey.of("victims_by_year", {"year": year})
        registered = tables["victims_by_year"].value(year=year)
        estimates.append(YearEstimate(year, registered, cell, result.estimate,
                                      result.interval.low, result.interval.high, "", None, None,
                                      None, table.lists, ""))  # fmt: skip
    clock["estimate"] = time.perf_counter() - t
    t = time.perf_counter()
    found = trends(list(tables.values()), tab.years)
    sentences = findings(tables, found, estimates, tab.years)
    clock["trends + findings"] = time.perf_counter() - t
    clock["findings"] = len(sentences)
    pub = Publication(
        title=Label("bench", "bench"), years=tab.years, snapshot=tab.snapshot,
        policy=policy.to_dict(), audit={"passed": protected.passed}, counting=dict(COUNTING),
        outcomes=OUTCOMES, tables=tables, estimates=tuple(estimates), trends=found,
        findings=sentences,
    )  # fmt: skip
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_publication(pub, Path(tmp) / "publication")
    clock["write"] = time.perf_counter() - t
    stages = ("tabulate", "protect + audit", "estimate", "trends + findings", "write")
    clock["total"] = sum(float(clock[s]) for s in stages)
    return clock


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks publish")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--scale", type=float, default=100.0)
    args = parser.parse_args(argv)
    rows = [run(args.years, 1.0), run(args.years, args.scale)]
    lines = [
        "# Publication benchmark",
        "",
        f"`python -m benchmarks publish --years {args.years} --scale {args.scale:g}` on "
        f"{platform.machine()}, Python {platform.python_version()}: every table of the monitor "
        f"for {args.years} years, made-up persons (1,000 registered victims a year is the "
        "Dutch volume), through tabulation, protection and audit, estimates, trends and "
        "findings, and writing (reading the register not included). Seconds.",
        "",
        "| volume | persons | person-reports | tabulate | protect + audit | estimate | "
        "trends + findings | write | total | cells | suppressed | audit |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scale, r in zip((1.0, args.scale), rows, strict=True):
        lines.append(
            f"| {scale:g}x | {r['persons']:,} | {r['reports']:,} | {r['tabulate']:.1f} | "
            f"{r['protect + audit']:.1f} | {r['estimate']:.1f} | {r['trends + findings']:.1f} "
            f"| {r['write']:.1f} | {r['total']:.1f} | {r['cells']} | {r['suppressed']} | "
            f"{'passed' if r['audit passed'] else 'FAILED'} |"
        )
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0 if all(r["audit passed"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
