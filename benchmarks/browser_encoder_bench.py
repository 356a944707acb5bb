"""Browser encoder benchmark: the JavaScript encoder under Node.js against the Python encoder.

Both encode the same raw file (distinct synthetic names, all columns, valid rows) with the
same key and must give the same bytes (checked). Reported: seconds (best of ``--repeat``),
rows/s, and the ratio browser/Python in time. The browser encoder is timed inside Node, from
the raw bytes to the submission's bytes (key derivation and the keyed permutation included,
Node's start-up not), and, when /usr/bin/chromium exists, inside a page of Debian's Chromium
(headless, through Playwright, timed in the page with ``performance.now()``); the Python
encoder is ``encode_file`` in-process, file to file.

The figure says whether a small organisation waits seconds or minutes.

``python -m benchmarks browser_encoder [--rows N] [--repeat R]``
"""

from __future__ import annotations

import argparse
import base64
import csv
import datetime as dt
import json
import os
import platform
import random
import subprocess
import tempfile
import time
from pathlib import Path

from tests.web_encoder.harness import (
    CHROMIUM,
    DRIVER,
    ENCODE_IN_PAGE,
    node_binary,
    serving_encoder,
)

from victim_monitor.pseudonymise import RAW_COLUMNS, Key, encode_file

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "browser_encoder.md"
TODAY = dt.date(2024, 6, 1)
FIRST = ["Anna", "Jan", "Mohammed", "Olena", "José", "Piet", "Maria", "Wei", "Ama", "Ion"]
LAST = ["van der Berg", "Meijer", "Kowalczyk", "Nguyễn", "Jansen", "de Vries", "Popescu"]
LETTERS = str.maketrans("0123456789", "abcdefghij")


def write_raw(path: Path, n: int, seed: int = 1) -> bytes:
    """A raw CSV of ``n`` valid reports with distinct invented names."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, RAW_COLUMNS)
        writer.writeheader()
        for i in range(n):
            suffix = str(i).translate(LETTERS)
            writer.writerow(
                {
                    "case_reference": f"R-{i}",
                    "first_name": rng.choice(FIRST) + suffix[-1] * (i % 3),
                    "last_name": rng.choice(LAST) + suffix,
                    "birth_date": f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-"
                    f"{rng.randint(1950, 2005)}",
                    "sex": rng.choice("FMX"),
                    "nationality": rng.choice(["NL", "Poolse", "RO", "Nigeriaanse", ""]),
                    "report_date": f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "exploitation": rng.choice(["seksueel", "arbeid", "labour; criminal", ""]),
                    "sector": rng.choice(["horeca", "landbouw", ""]),
                    "border_crossed": rng.choice(["ja", "nee", ""]),
                    "country_of_exploitation": "NL",
                    "dublin_claimant": "",
                    "residence_permit": rng.choice(["aangevraagd", ""]),
                    "police_report": rng.choice(["j", "n"]),
                }
            )
    return path.read_bytes()


def time_python(raw: Path, out: Path, key: Key, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        result = encode_file(raw, key, out, today=TODAY)
        best = min(best, time.perf_counter() - started)
        if not result.ok:
            raise RuntimeError(result.summary())
    return best


def time_browser(node: str, raw: bytes, key: Key, repeat: int) -> tuple[float, bytes]:
    """Best seconds inside Node, and the output of the last run."""
    request = {
        "raw": base64.b64encode(raw).decode("ascii"),
        "secret": base64.b64encode(key.secret).decode("ascii"),
        "options": {"today": TODAY.isoformat()},
    }
    lines = [json.dumps({"op": "bench", **request})] * repeat
    lines.append(json.dumps({"op": "encode", **request}))
    done = subprocess.run(
        [node, str(DRIVER)], input="\n".join(lines) + "\n", capture_output=True, text=True
    )
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    if done.returncode or any("error" in a for a in answers):
        raise RuntimeError(done.stderr or str(answers))
    return min(a["seconds"] for a in answers[:-1]), base64.b64decode(answers[-1]["output"])


def time_chromium(raw: bytes, key: Key, repeat: int) -> tuple[float, bytes, str]:
    """Best seconds in Debian's Chromium (page.evaluate, timed in the page), output, version."""
    from playwright.sync_api import sync_playwright

    key_text = "victim-monitor-key v1\n" + base64.b64encode(key.secret).decode("ascii") + "\n"
    encoded = base64.b64encode(raw).decode("ascii")
    with serving_encoder() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.goto(url)
        runs = [
            page.evaluate(ENCODE_IN_PAGE, [encoded, key_text, "raw.csv"]) for _ in range(repeat)
        ]
        version = browser.version
        browser.close()
    return min(r["seconds"] for r in runs), base64.b64decode(runs[-1]["output"]), version


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks browser_encoder")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    node = node_binary()
    if node is None:
        print("Node.js not found: nothing to measure")
        return 1
    key = Key(bytes(range(32)))
    with tempfile.TemporaryDirectory() as tmp:
        raw_path, out = Path(tmp) / "raw.csv", Path(tmp) / "submission.csv"
        raw = write_raw(raw_path, args.rows)
        python = time_python(raw_path, out, key, args.repeat)
        browser, output = time_browser(node, raw, key, args.repeat)
        if output != out.read_bytes():
            raise RuntimeError("the browser encoder's output differs from the Python encoder's")
        version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
        rows = [
            ("Python encode_file", python),
            (f"browser encoder under Node {version.strip()}", browser),
        ]
        if CHROMIUM.exists():
            seconds, output, chromium = time_chromium(raw, key, args.repeat)
            if output != out.read_bytes():
                raise RuntimeError("Chromium's output differs from the Python encoder's")
            rows.append((f"browser encoder in Chromium {chromium}", seconds))
    lines = [
        "# Browser encoder benchmark",
        "",
        f"{args.rows:,} reports with distinct names, best of {args.repeat}; "
        f"{platform.machine()}, {os.cpu_count()} cores (shared). Same output bytes: checked.",
        "",
        "| encoder | seconds | rows/s | time / Python |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {s:.2f} | {args.rows / s:,.0f} | {s / python:.2f} |" for name, s in rows),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(text, encoding="utf-8")
    return 0
