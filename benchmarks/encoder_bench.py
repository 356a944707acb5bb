"""Encoder benchmark: distinct rows per second of ``encode_file`` (Python), against the aim.

The raw file is the browser encoder benchmark's (``browser_encoder_bench.write_raw``): valid
reports whose names are all distinct, so no cache of a name's pseudonyms or Bloom bits helps;
the hardest case for the encoder and the one the aim is stated for (issue 17, item 7: at least
20,000 distinct rows/s). Each run encodes the file to CSV in this process with one key (the
first run also warms the caches of code lists and countries, as a long file would); reported
are every run's rows/s, the best, and the ratio best / aim, by the wall clock and by the
process's CPU time (on a shared machine the CPU time is the steadier of the two).

``python -m benchmarks encoder [--rows 20000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from pathlib import Path

from benchmarks.browser_encoder_bench import TODAY, write_raw
from victim_monitor.pseudonymise import encode_file
from victim_monitor.pseudonymise.key import Key

AIM = 20_000  # distinct rows/s (issue 17)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks encoder", description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    key = Key(bytes(range(32)))
    with tempfile.TemporaryDirectory(prefix="vm-encoder-") as tmp:
        raw, out = Path(tmp) / "raw.csv", Path(tmp) / "submission.csv"
        write_raw(raw, args.rows)
        rates, cpu_rates = [], []
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            result = encode_file(raw, key, out, today=TODAY)
            seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
            if not result.ok:
                raise SystemExit(result.summary())
            rates.append(args.rows / seconds)
            cpu_rates.append(args.rows / cpu_seconds)
        digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    best, best_cpu = max(rates), max(cpu_rates)
    print(
        f"encode_file, {args.rows:,} distinct rows: "
        f"{', '.join(f'{r:,.0f}' for r in rates)} rows/s; best {best:,.0f} "
        f"= {best / AIM:.2f} x the aim of {AIM:,}; by CPU time "
        f"{', '.join(f'{r:,.0f}' for r in cpu_rates)}, best {best_cpu:,.0f} "
        f"= {best_cpu / AIM:.2f} x the aim; output sha256 {digest}...; "
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
