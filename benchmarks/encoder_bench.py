"""Encoder benchmark: distinct rows per second of ``encode_file`` (Python), against the aim.

The raw file is the browser encoder benchmark's (``browser_encoder_bench.write_raw``): valid
reports whose names are all distinct, so no cache of a name's pseudonyms or Bloom bits helps;
the hardest case for the encoder and the one the aim is stated for (issue 17, item 7: at least
20,000 distinct rows/s). Each round encodes the file to CSV with one key, once in this process
alone (``workers=1``) and once as ``victim-monitor encode`` does (the default: a worker process
per usable core), alternating, so both see the same machine. Reported per way: every run's
rows/s by the wall clock, the best and best / aim; and the rows per second of CPU time, the
workers' included (what the work costs; on a shared machine the steadier figure). Both ways
must write the same bytes.

``python -m benchmarks encoder [--rows 20000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import tempfile
import time
from pathlib import Path

from benchmarks.browser_encoder_bench import TODAY, write_raw
from victim_monitor.processes import usable_cores
from victim_monitor.pseudonymise import encode_file
from victim_monitor.pseudonymise.encoder import MAX_WORKERS
from victim_monitor.pseudonymise.key import Key

AIM = 20_000  # distinct rows/s (issue 17)


def _cpu_seconds() -> float:
    """CPU time of this process and of its ended children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks encoder", description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    key = Key(bytes(range(32)))
    default = min(usable_cores(), MAX_WORKERS)
    ways = {"one process": 1, f"default ({default} workers)": None}
    rates: dict[str, list[float]] = {way: [] for way in ways}
    cpu_rates: dict[str, list[float]] = {way: [] for way in ways}
    digests: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="vm-encoder-") as tmp:
        raw, out = Path(tmp) / "raw.csv", Path(tmp) / "submission.csv"
        write_raw(raw, args.rows)
        for _ in range(args.repeat):
            for way, workers in ways.items():
                started, cpu = time.perf_counter(), _cpu_seconds()
                result = encode_file(raw, key, out, today=TODAY, workers=workers)
                seconds, cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu
                if not result.ok:
                    raise SystemExit(result.summary())
                rates[way].append(args.rows / seconds)
                cpu_rates[way].append(args.rows / cpu_seconds)
                digests.add(hashlib.sha256(out.read_bytes()).hexdigest()[:16])
    if len(digests) != 1:
        raise SystemExit(f"the ways wrote different bytes: {sorted(digests)}")
    print(f"encode_file, {args.rows:,} distinct rows, output sha256 {digests.pop()}...")
    for way in ways:
        best, best_cpu = max(rates[way]), max(cpu_rates[way])
        print(
            f"  {way}: {', '.join(f'{r:,.0f}' for r in rates[way])} rows/s; best {best:,.0f} "
            f"= {best / AIM:.2f} x the aim of {AIM:,}; per CPU second "
            f"{', '.join(f'{r:,.0f}' for r in cpu_rates[way])}, best {best_cpu:,.0f}"
        )
    print(f"  load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
