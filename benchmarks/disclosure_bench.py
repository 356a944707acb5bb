"""Disclosure benchmark: protecting the factsheet's tables, and suppression against tau-ARGUS.

1. **Release**: made-up persons for ``--years`` years at ``--scale`` times the Dutch volume
   (1,000 registered victims a year), tabulated into the factsheet's tables and the Eurostat
   table (``tests/disclosure/factsheet.py``: linked by shared year totals, a victim under
   every reporter, Eurostat groupings), protected with the packaged policy and audited.
   Reported: cells, unsafe cells, cells hidden as secondary, seconds, and the audit's verdict.
2. **Against the peer** (``pytauargus``, the tau-ARGUS engine with HiGHS, when installed): each
   year's form x age, form x sex x nationality and Eurostat (sex x age x citizenship x form)
   tables on their own, with tau-ARGUS's ``FREQ(10,30)`` and optimal suppression ``OPT``
   (cost = count), and ours under the same rule (threshold 10, protection 30% with a minimum
   of 1 person, cost = count). Both patterns are audited by our audit, so that the numbers
   of hidden cells are compared at equal safety. tau-ARGUS's time includes writing its input
   files, as a user of its ``protect()`` pays it.

``python -m benchmarks disclosure [--years 10] [--scale 100] [--time-limit 10] [--no-peer]``
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from tests.disclosure.factsheet import factsheet_tables, persons

from victim_monitor.disclosure import (
    Outcome,
    Policy,
    ProtectedCell,
    Release,
    Table,
    TableSet,
    audit,
    load_policy,
    protect,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "disclosure.md"
DUTCH_PER_YEAR = 1_000
PEER_TABLES = {
    "form x age": ["form", "age"],
    "form x sex x nationality": ["form", "sex", "nationality"],
    "Eurostat (sex x age x citizenship x form)": ["sex", "age2", "citizenship", "form"],
}
PEER_RULE = "FREQ(10,30)"
TAU_STATUS = {
    "S": Outcome.SHOWN,
    "E": Outcome.SHOWN,
    "P": Outcome.SHOWN,
    "U": Outcome.PRIMARY,
    "M": Outcome.SECONDARY,
}


def release_run(years: int, scale: float, time_limit: float) -> dict[str, Any]:
    """Protect and audit all factsheet tables for ``years`` years."""
    frame = persons(range(2024 - years + 1, 2025), int(DUTCH_PER_YEAR * scale), seed=1)
    tables = factsheet_tables(frame)
    policy = dataclasses.replace(load_policy(), time_limit=time_limit)
    started = time.perf_counter()
    release = protect(tables, policy)
    protect_s = time.perf_counter() - started
    started = time.perf_counter()
    report = audit(release, policy)
    audit_s = time.perf_counter() - started
    outcomes = release.outcomes()
    return {
        "persons": len(frame),
        "tables": len(tables.tables),
        "cells": len(tables.values),
        "unsafe": outcomes[Outcome.PRIMARY],
        "secondary": outcomes[Outcome.SECONDARY],
        "blocks": release.stats.get("blocks"),
        "optimal": release.stats.get("optimal"),
        "protect_s": protect_s,
        "audit_s": audit_s,
        "passed": report.passed,
    }


def peer_policy(time_limit: float) -> Policy:
    """Ours, set to tau-ARGUS's FREQ(10,30) protection levels and cost."""
    return dataclasses.replace(
        load_policy(),
        upper_share=0.3,
        upper_absolute=1.0,
        lower_share=0.3,
        lower_absolute=1.0,
        cost="value",
        time_limit=time_limit,
    )


def peer_run(
    years: int, scale: float, time_limit: float, tau: Callable[..., Any]
) -> list[dict[str, Any]]:
    frame = persons(range(2024 - years + 1, 2025), int(DUTCH_PER_YEAR * scale), seed=1)
    policy = peer_policy(time_limit)
    rows = []
    for label, dims in PEER_TABLES.items():
        total: dict[str, Any] = {"table": label, "years": years}
        for key in ("cells", "unsafe", "ours", "peer", "ours_s", "peer_s"):
            total[key] = 0
        total["ours_pass"] = total["peer_pass"] = True
        for _, year in frame.groupby("year"):
            counts = year.groupby(dims).size().rename("count").reset_index()
            categories = {d: sorted(frame[d].unique()) for d in dims}
            tables = TableSet((Table("t", dims, counts, categories=categories),))
            started = time.perf_counter()
            ours = protect(tables, policy)
            total["ours_s"] += time.perf_counter() - started
            total["ours_pass"] &= audit(ours, policy).passed
            outcomes = ours.outcomes()
            total["cells"] += len(tables.values)
            total["unsafe"] += outcomes[Outcome.PRIMARY]
            total["ours"] += outcomes[Outcome.SECONDARY]
            micro = year[dims].copy()
            micro["one"] = 1.0
            with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
                started = time.perf_counter()
                result = tau(
                    micro, dims, response="one", safety_rules=PEER_RULE, suppress="OPT(1)",
                    workdir=tmp,
                )  # fmt: skip
                total["peer_s"] += time.perf_counter() - started
                theirs = pd.DataFrame(result.tables[0].dataframe())
            peer = _as_release(ours, theirs, dims)
            total["peer"] += peer.outcomes()[Outcome.SECONDARY]
            total["peer_pass"] &= audit(peer, policy).passed
        rows.append(total)
    return rows


def _as_release(ours: Release, theirs: pd.DataFrame, dims: list[str]) -> Release:
    """tau-ARGUS's pattern on our table, to audit it with our audit."""
    status = {
        tuple(str(row[d]).strip() for d in dims): str(row["status"]) for _, row in theirs.iterrows()
    }
    table = ours.tables[0]
    cells = []
    for c in table.cells:
        outcome = TAU_STATUS[status.get(c.key, "E")]
        shown = c.value if outcome is Outcome.SHOWN else None
        cells.append(ProtectedCell(c.key, c.value, shown, outcome))
    return dataclasses.replace(
        ours, tables=(dataclasses.replace(table, cells=tuple(cells)),), problems=()
    )


def report(args: argparse.Namespace, release: dict[str, Any], peer: list[dict[str, Any]] | None,
           peer_version: str | None) -> str:  # fmt: skip
    lines = [
        "# Disclosure benchmark",
        "",
        f"`python -m benchmarks disclosure --years {args.years} --scale {args.scale:g} "
        f"--time-limit {args.time_limit:g}` on {platform.machine()}, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}.",
        "",
        "## Release: the factsheet's tables and the Eurostat table, linked",
        "",
        "| years | scale | persons | tables | cells | unsafe | secondary | blocks | optimal "
        "| protect (s) | audit (s) | audit |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
        f"| {args.years} | {args.scale:g}x | {release['persons']:,} | {release['tables']} | "
        f"{release['cells']:,} | {release['unsafe']} | {release['secondary']} | "
        f"{release['blocks']} | {release['optimal']} | {release['protect_s']:.1f} | "
        f"{release['audit_s']:.1f} | {'passed' if release['passed'] else 'FAILED'} |",
        "",
    ]
    if peer is None:
        lines += ["Peer: pytauargus is not installed (`pip install pytauargus`).", ""]
        return "\n".join(lines)
    lines += [
        f"## Single tables, one per year: ours against pytauargus {peer_version} "
        f"(`{PEER_RULE}`, `OPT`)",
        "",
        "| table | years | cells | unsafe | hidden, ours | hidden, tau-ARGUS | ours (s) "
        "| tau-ARGUS (s) | time ours / tau | audit ours | audit tau |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in peer:
        ratio = row["ours_s"] / row["peer_s"] if row["peer_s"] else float("nan")
        lines.append(
            f"| {row['table']} | {row['years']} | {row['cells']} | {row['unsafe']} | "
            f"{row['ours']} | {row['peer']} | {row['ours_s']:.1f} | {row['peer_s']:.1f} | "
            f"{ratio:.1f} | {'passed' if row['ours_pass'] else 'FAILED'} | "
            f"{'passed' if row['peer_pass'] else 'FAILED'} |"
        )
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks disclosure", description=__doc__)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--scale", type=float, default=100.0, help="times the Dutch volume")
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per block")
    parser.add_argument("--no-peer", action="store_true", help="skip pytauargus")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file ('-': none)")
    args = parser.parse_args(argv)
    release = release_run(args.years, args.scale, args.time_limit)
    print(release, flush=True)
    peer = peer_version = None
    if not args.no_peer:
        try:
            import pytauargus  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            pass
        else:
            peer_version = str(pytauargus.__version__)
            peer = peer_run(args.years, args.scale, args.time_limit, pytauargus.protect)
    text = report(args, release, peer, peer_version)
    print(text)
    if str(args.out) != "-":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, "utf-8")
    return 0 if release["passed"] and all(r["ours_pass"] for r in peer or []) else 1
