"""Factsheet benchmark: build time from published tables, both languages and both formats.

1. **Cold**: ``victim-monitor factsheet`` in a fresh process (interpreter, imports, vl-convert's
   start-up, both languages, HTML and PDF), wall time; and the ``build_factsheet`` call alone
   in that process.
2. **Warm**: ``build_factsheet`` again in one process, median of ``--runs``, split into
   checking the text, charts, HTML and PDF.
3. **Peer**: the PDF step against WeasyPrint printing the same HTML page, when WeasyPrint is
   installed (it is not a dependency: see docs/decisions/0005-factsheet-pdf.md).

The publication is ``--published DIR`` (for instance the demo's ``out/publication``) or the
test fixture (``tests/reporting/fixture.py``). The aim is under 5 s cold.

``python -m benchmarks factsheet [--published DIR] [--runs 5]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.reporting.fixture import write_fixture

from victim_monitor.reporting.build import build_factsheet, check
from victim_monitor.reporting.charts import charts
from victim_monitor.reporting.content import compose
from victim_monitor.reporting.html import render_html
from victim_monitor.reporting.pdf import render_pdf
from victim_monitor.reporting.published import load_published

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "factsheet.md"
BIN = Path(sys.executable).parent / "victim-monitor"

_COLD_CALL = """
import sys, time
from pathlib import Path
from victim_monitor.reporting.build import build_factsheet
from victim_monitor.reporting.published import load_published
start = time.perf_counter()
build_factsheet(load_published(Path(sys.argv[1])), Path(sys.argv[2]))
print(time.perf_counter() - start)
"""


def _median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks factsheet")
    parser.add_argument("--published", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="factsheet-bench-") as tmp:
        root = Path(tmp)
        source = args.published or write_fixture(root / "publication")
        label = str(args.published) if args.published else "the test fixture"
        out = root / "out"

        start = time.perf_counter()
        subprocess.run(
            [str(BIN), "factsheet", "--out", str(out), "--published", str(source)],
            check=True,
            capture_output=True,
        )
        cold_command = time.perf_counter() - start
        done = subprocess.run(
            [sys.executable, "-c", _COLD_CALL, str(source), str(out)],
            check=True,
            capture_output=True,
            text=True,
        )
        cold_call = float(done.stdout.strip())

        published = load_published(source)
        warm = _median(lambda: build_factsheet(published, out), args.runs)
        editorials = check(published)
        t_check = _median(lambda: check(published), args.runs)
        t_charts = _median(lambda: [charts(published, lang) for lang in ("nl", "en")], args.runs)
        contents = [compose(published, editorials[lang]) for lang in ("nl", "en")]
        t_html = _median(lambda: [render_html(c) for c in contents], args.runs)
        t_pdf = _median(lambda: [render_pdf(c) for c in contents], args.runs)
        pages = build_factsheet(published, out).outputs
        peer = "WeasyPrint not installed"
        try:
            import weasyprint  # type: ignore[import-not-found,import-untyped,unused-ignore]

            html = [render_html(c) for c in contents]
            t_weasy = _median(
                lambda: [weasyprint.HTML(string=h).write_pdf() for h in html],
                max(1, args.runs // 2),
            )
            peer = (
                f"WeasyPrint {weasyprint.__version__}: {t_weasy:.2f} s for the two PDFs; "
                f"Typst / WeasyPrint = {t_pdf / t_weasy:.3f}"
            )
        except ImportError:
            pass

    load = os.getloadavg()[0]
    lines = [
        "# Factsheet benchmark",
        "",
        f"`python -m benchmarks factsheet --runs {args.runs}` on {platform.machine()}, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d')}, publication: {label}; "
        f"load average {load:.1f} on {os.cpu_count()} cores (shared machine).",
        "",
        "Both languages, HTML and PDF: "
        + ", ".join(f"{o.path.name}" + (f" ({o.pages} pages)" if o.pages else "") for o in pages)
        + ".",
        "",
        "| measure | seconds |",
        "|---|---:|",
        f"| cold: `victim-monitor factsheet` in a fresh process (wall) | {cold_command:.2f} |",
        f"| cold: `build_factsheet` in a fresh process | {cold_call:.2f} |",
        f"| warm: `build_factsheet` (median of {args.runs}) | {warm:.2f} |",
        f"| warm: check both editorial texts | {t_check:.3f} |",
        f"| warm: charts, both languages (10 SVGs) | {t_charts:.3f} |",
        f"| warm: HTML, both languages | {t_html:.3f} |",
        f"| warm: PDF (Typst), both languages | {t_pdf:.3f} |",
        "",
        f"Peer for the PDF step: {peer}.",
        "",
        "The cold wall time includes starting Python and importing the whole command line (every",
        "command's modules, measured with `python -X importtime`), not only the factsheet; the",
        "factsheet itself is the cold `build_factsheet` line. Most of a build is vl-convert and",
        "Altair drawing the ten charts; Typst takes tens of milliseconds per PDF. On a shared",
        "machine the numbers vary with the load: compare the ratio to the peer, not the seconds.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), "utf-8")
    print("\n".join(lines))
    return 0
