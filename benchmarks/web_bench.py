"""Web benchmark: public pages and their JSON twins under load on loopback, against a static file.

The app runs as users run it (``victim-monitor serve`` in its own process, with 1 and then 2
workers) on the demo's register and publication. A load generator in this process keeps 50
connections busy for each endpoint in turn, a bounded number of requests each (and at most
``--seconds`` per endpoint), and reports requests/s and latency percentiles. The peer, and the
ceiling, is a static file (``/static/style.css``) served by the same server: the ratio says
how much the page's own work costs.

Loopback only (127.0.0.1). The generator shares the machine's two cores with the server, so
absolute numbers are low; the ratios are the comparable figures. Aim (issue): p95 under 100 ms
for every public page on the demo data.

``python -m benchmarks web [--requests N] [--concurrency C] [--seconds S] [--out DIR]``
(``--out``: a directory where ``victim-monitor demo`` ran; default: run the demo at scale 0.2
into a temporary directory).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx2

# A browser that holds the page asks again with its ETag (``If-None-Match``): a 304 is success.
REVALIDATED = "table page, revalidated (304)"
ENDPOINTS = (
    ("static file (peer)", "/static/style.css"),
    ("dashboard page", "/en/"),
    ("dashboard JSON", "/api/overview?lang=en"),
    ("table page", "/en/tables/victims_by_form"),
    ("table page, filtered", "/nl/tables/victims_by_age?year_from=2016&year_to=2018&group=minor"),
    ("table JSON", "/api/tables/victims_by_form?lang=en"),
    ("downloads page", "/en/downloads"),
    ("table CSV", "/downloads/tables/victims_by_form.csv"),
    ("programme page", "/en/programme"),
    ("programme JSON", "/api/programme"),
    ("measure page", "/en/programme/samen-tegen-mensenhandel/measures/VB-05"),
    (REVALIDATED, "/en/tables/victims_by_form"),
)
RESULTS = Path(__file__).parent / "results" / "web.md"


@dataclass(frozen=True, slots=True)
class Measured:
    name: str
    path: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _load(
    base: str, path: str, total: int, concurrency: int, limit: float, revalidate: bool = False
) -> Measured:
    latencies: list[float] = []
    errors = 0
    issued = 0
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        expected = 200
        if revalidate:
            etag = (await client.get(path)).headers.get("etag")
            if etag is None:
                raise RuntimeError(f"{path} has no ETag to revalidate with")
            client.headers["if-none-match"] = etag
            expected = 304

        async def worker() -> None:
            nonlocal errors, issued
            while issued < total and time.perf_counter() < deadline:
                issued += 1
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    if response.status_code != expected:
                        errors += 1
                except httpx2.HTTPError:
                    errors += 1
                latencies.append(time.perf_counter() - started)

        # Warm up every worker's connections and caches (charts render on first use).
        await asyncio.gather(*(client.get(path) for _ in range(2 * concurrency)))
        began = time.perf_counter()
        deadline = began + limit  # the cap is on the measured run, not the warm-up
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return Measured(
        "", path, len(latencies), errors, elapsed, cuts[49] * 1e3, cuts[94] * 1e3, cuts[98] * 1e3
    )


def _serve(out: Path, workers: int, port: int) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "victim-monitor"),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--release",
        str(out / "publication"),
        "--database",
        f"sqlite:///{out / 'demo.db'}",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/static/style.css").status_code == 200:
                return process
        except httpx2.HTTPError:
            time.sleep(0.2)
    process.kill()
    reason = process.stderr.read().decode() if process.stderr else ""
    raise RuntimeError(f"server did not start: {reason}")


def _demo(out: Path | None) -> Path:
    if out is not None:
        return out
    from victim_monitor.demo import run_demo

    target = Path(tempfile.mkdtemp(prefix="web-bench-"))
    print(f"running the demo (scale 0.2) into {target} ...", flush=True)
    run_demo(target, scale=0.2, seed=2019)
    return target


def _server_stack() -> str:
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"{http} and {loop}"


def _table(rows: list[tuple[int, Measured]]) -> list[str]:
    lines = [
        "| workers | endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
        "| req/s vs static |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    peers = {w: m.rate for w, m in rows if m.name == ENDPOINTS[0][0]}
    for workers, m in rows:
        ratio = m.rate / peers[workers] if peers.get(workers) else 0.0
        lines.append(
            f"| {workers} | {m.name} (`{m.path}`) | {m.requests} | {m.errors} | {m.rate:,.0f} | "
            f"{m.p50_ms:.1f} | {m.p95_ms:.1f} | {m.p99_ms:.1f} | {ratio:.2f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks web")
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint and run")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0, help="cap per endpoint and run")
    parser.add_argument("--out", type=Path, default=None, help="a finished demo's directory")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument(
        "--baseline", type=int, default=300, help="requests over one connection (1 worker)"
    )
    args = parser.parse_args(argv)
    out = _demo(args.out)
    rows: list[tuple[int, Measured]] = []
    single: list[tuple[int, Measured]] = []
    for workers in (int(w) for w in args.workers.split(",")):
        port = _free_port()
        server = _serve(out, workers, port)
        try:
            for name, path in ENDPOINTS:
                measured = asyncio.run(
                    _load(
                        f"http://127.0.0.1:{port}",
                        path,
                        args.requests,
                        args.concurrency,
                        args.seconds,
                        revalidate=name == REVALIDATED,
                    )
                )
                measured = dataclasses.replace(measured, name=name)
                rows.append((workers, measured))
                print(
                    f"{workers} worker(s)  {name:<22} {measured.rate:8.0f} req/s  "
                    f"p95 {measured.p95_ms:6.1f} ms  errors {measured.errors}",
                    flush=True,
                )
                if workers == 1 and args.baseline:
                    # Without queueing: what one request costs the server (and the client).
                    alone = asyncio.run(
                        _load(
                            f"http://127.0.0.1:{port}",
                            path,
                            args.baseline,
                            1,
                            args.seconds,
                            revalidate=name == REVALIDATED,
                        )
                    )
                    single.append((workers, dataclasses.replace(alone, name=name)))
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = [
        "# Web: public pages and JSON under load (loopback)",
        "",
        f"`python -m benchmarks web` on {platform.node() or 'this machine'} "
        f"({os.cpu_count()} cores shared by the load generator and the server), "
        f"{args.concurrency} concurrent connections, up to {args.requests} requests per endpoint "
        f"and run (at most {args.seconds:.0f} s), demo data (scale 0.2, 2014-2018). "
        f"{time.strftime('%Y-%m-%d')}. Server: uvicorn with {_server_stack()}.",
        "",
        *_table(rows),
        "",
        "The peer is a static file from the same server (its req/s is the ceiling of this setup);",
        "the last column is each endpoint's req/s as a share of it.",
        "",
        f"One connection, one worker, {args.baseline} requests per endpoint (latency without "
        "queueing):",
        "",
        *_table(single),
    ]
    RESULTS.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"wrote {RESULTS}")
    return 0 if all(m.errors == 0 for _, m in rows) else 1
