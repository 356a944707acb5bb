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

``--workspace`` measures the logged-in workspace pages instead (aim: p95 under 200 ms at 50
connections): on a copy of the demo's register, with the demo users given fresh passwords there,
one session per role; each page view is a session lookup, the page's queries, an audit event and
a render, nothing cached. It writes the section "Workspace pages" of ``results/web.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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
# Workspace pages: (role, name, path); {submission} and {person}: the first of each.
WORKSPACE = (
    ("staff", "workspace home", "/en/workspace/"),
    ("staff", "submissions page", "/en/workspace/submissions"),
    ("staff", "submissions JSON", "/api/workspace/submissions"),
    ("staff", "submission page", "/en/workspace/submissions/{submission}"),
    ("staff", "review page", "/en/workspace/review"),
    ("staff", "persons page", "/en/workspace/persons?page=2"),
    ("staff", "persons JSON", "/api/workspace/persons?page=2"),
    ("staff", "person page", "/en/workspace/persons/{person}"),
    ("reporter", "own submissions page", "/en/workspace/submissions"),
    ("analyst", "publish page", "/en/workspace/publish"),
    ("admin", "users page", "/en/admin/users"),
    ("admin", "organisations page", "/en/admin/organisations"),
    ("admin", "audit page", "/en/admin/audit"),
)
ROLES = {"reporter": "politie", "staff": "registratie", "analyst": "analist", "admin": "beheer"}
WORKSPACE_SECTION = "## Workspace pages"


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
    cpu_ms: float = 0.0  # the server's CPU time per request (its processes, from /proc)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _load(
    base: str,
    path: str,
    total: int,
    concurrency: int,
    limit: float,
    revalidate: bool = False,
    cookies: dict[str, str] | None = None,
    warm: bool = True,
) -> Measured:
    latencies: list[float] = []
    errors = 0
    issued = 0
    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(
        base_url=base, limits=limits, timeout=30, cookies=cookies
    ) as client:
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
        if warm:
            await asyncio.gather(*(client.get(path) for _ in range(2 * concurrency)))
        began = time.perf_counter()
        deadline = began + limit  # the cap is on the measured run, not the warm-up
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    cuts = statistics.quantiles(latencies, n=100)
    return Measured(
        "", path, len(latencies), errors, elapsed, cuts[49] * 1e3, cuts[94] * 1e3, cuts[98] * 1e3
    )


# wrk's report, percentiles included (wrk prints p50-p99 only with --latency, and not p95).
_WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %f %f %f %f\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout + e.status, 0, summary.duration / 1e6,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


def _wrk(
    base: str, path: str, concurrency: int, seconds: float, cookies: dict[str, str] | None
) -> Measured:
    """As :func:`_load`, by wrk (C, two threads): a generator that leaves the server the CPU.

    On two cores the Python generator takes about a millisecond of CPU per request, as much as
    a light page costs the server; wrk a few microseconds. A warm-up of two seconds first.
    """
    header = ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_REPORT)
    try:
        common = ["wrk", "-t2", f"-c{concurrency}", "-s", script.name, *header, base + path]
        subprocess.run([*common[:3], "-d2s", *common[3:]], capture_output=True, check=True)
        out = subprocess.run(
            [*common[:3], f"-d{seconds:.0f}s", *common[3:]],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    requests, errors, _, elapsed, p50, p95, p99 = line.split()[1:]
    return Measured(
        "", path, int(requests), int(errors), float(elapsed), float(p50), float(p95), float(p99)
    )


def _serve(
    out: Path, workers: int, port: int, database: Path | None = None, release: Path | None = None
) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "victim-monitor"),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--release",
        str(release or out / "publication"),
        "--database",
        f"sqlite:///{database or out / 'demo.db'}",
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


def _table(rows: list[tuple[int, Measured]], cpu: bool = False) -> list[str]:
    extra = " server CPU ms/request |" if cpu else ""
    lines = [
        "| workers | endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
        f"| req/s vs static |{extra}",
        "|---|---|---|---|---|---|---|---|---|" + ("---|" if cpu else ""),
    ]
    peers = {w: m.rate for w, m in rows if m.name == ENDPOINTS[0][0]}
    for workers, m in rows:
        ratio = m.rate / peers[workers] if peers.get(workers) else 0.0
        lines.append(
            f"| {workers} | {m.name} (`{m.path}`) | {m.requests} | {m.errors} | {m.rate:,.0f} | "
            f"{m.p50_ms:.1f} | {m.p95_ms:.1f} | {m.p99_ms:.1f} | {ratio:.2f} |"
            + (f" {m.cpu_ms:.2f} |" if cpu else "")
        )
    return lines


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of process ``pid`` and its descendants so far (Linux /proc);
    unlike latency, it hardly depends on what else the machine is doing."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue  # gone, or not Linux
    return total


def _workspace_register(out: Path) -> tuple[Path, dict[str, str], dict[str, int]]:
    """A copy of the demo's register with fresh demo passwords; the ids the pages need."""
    from sqlalchemy import select

    from victim_monitor.registry.register import open_register
    from victim_monitor.storage.schema import persons, submissions
    from victim_monitor.web.demo import create_demo_users

    copy = Path(tempfile.mkdtemp(prefix="web-bench-workspace-")) / "register.db"
    shutil.copyfile(out / "demo.db", copy)
    # The publication too: the benchmark publishes, and replaces the release it serves.
    shutil.copytree(out / "publication", copy.parent / "publication")
    engine = open_register(f"sqlite:///{copy}")
    try:
        passwords = {u.username: u.password for u in create_demo_users(engine)}
        with engine.connect() as conn:
            ids = {
                "submission": int(conn.scalar(select(submissions.c.id).limit(1)) or 1),
                "person": int(
                    conn.scalar(select(persons.c.id).where(persons.c.status == "active").limit(1))
                    or 1
                ),
            }
    finally:
        engine.dispose()
    return copy, passwords, ids


def _log_in(base: str, username: str, password: str) -> dict[str, str]:
    """The cookies of a fresh session of ``username`` (as a browser gets them)."""
    with httpx2.Client(base_url=base, timeout=30) as client:
        page = client.get("/en/login").text
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
        if token is None:
            raise RuntimeError("no CSRF token on the login page")
        answer = client.post(
            "/en/login",
            data={"username": username, "password": password, "csrf_token": token.group(1)},
        )
        if answer.status_code != 303:
            raise RuntimeError(f"login as {username} failed: {answer.status_code}")
        return dict(client.cookies)


def _workspace(out: Path, args: argparse.Namespace) -> int:
    database, passwords, ids = _workspace_register(out)
    rows: list[tuple[int, Measured]] = []
    publishing: list[str] = []
    for workers in (int(w) for w in args.workers.split(",")):
        port = _free_port()
        server = _serve(out, workers, port, database, database.parent / "publication")
        base = f"http://127.0.0.1:{port}"
        try:
            cookies = {role: _log_in(base, name, passwords[name]) for role, name in ROLES.items()}
            peer, static = ENDPOINTS[0]
            pages = [("staff", peer, static), *WORKSPACE]
            for role, name, template in pages:
                path = template.format(**ids)
                cpu = _cpu_seconds(server.pid)
                if args.generator == "wrk":
                    measured = _wrk(base, path, args.concurrency, args.seconds, cookies[role])
                    cpu_ms = (_cpu_seconds(server.pid) - cpu) / measured.requests * 1e3
                else:
                    measured = asyncio.run(
                        _load(
                            base,
                            path,
                            args.requests,
                            args.concurrency,
                            args.seconds,
                            cookies=cookies[role],
                        )
                    )
                    # Per request measured, the warm-up's requests (2 x concurrency) included.
                    served = measured.requests + 2 * args.concurrency
                    cpu_ms = (_cpu_seconds(server.pid) - cpu) / served * 1e3
                label = name if name == peer else f"{name} ({role})"
                named = dataclasses.replace(measured, name=label, cpu_ms=cpu_ms)
                rows.append((workers, named))
                print(
                    f"{workers} worker(s)  {name + ' (' + role + ')':<36} {measured.rate:8.0f} "
                    f"req/s  p50 {measured.p50_ms:6.1f} ms  p95 {measured.p95_ms:6.1f} ms  "
                    f"CPU {cpu_ms:5.2f} ms  errors {measured.errors}",
                    flush=True,
                )
            alone, during, seconds = _during_publish(base, cookies["analyst"], args)
            for when, m in (("alone", alone), ("while publishing", during)):
                publishing.append(
                    f"| {workers} | {when} | {m.requests} | {m.errors} | {m.rate:,.0f} | "
                    f"{m.p50_ms:.1f} | {m.p95_ms:.1f} | {m.p99_ms:.1f} |"
                )
            publishing[-1] += f" {seconds:.1f} s |"
            publishing[-2] += " |"
            print(
                f"{workers} worker(s)  public page alone p95 {alone.p95_ms:.1f} ms, while "
                f"publishing p95 {during.p95_ms:.1f} ms (publication {seconds:.1f} s)"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    generator = (
        f"wrk (two threads, {args.seconds:.0f} s per page after 2 s of warm-up)"
        if args.generator == "wrk"
        else f"the Python generator (up to {args.requests} requests per page and run, at most "
        f"{args.seconds:.0f} s)"
    )
    lines = [
        WORKSPACE_SECTION,
        "",
        f"`python -m benchmarks web --workspace --generator {args.generator}` on "
        f"{platform.node() or 'this machine'} ({os.cpu_count()} cores shared by the load "
        f"generator and the server; load average {load:.1f} at the end), {args.concurrency} "
        f"concurrent connections on one session per role, by {generator}, "
        f"the demo's register (a copy). {time.strftime('%Y-%m-%d')}. Server: uvicorn with "
        f"{_server_stack()}. Every request is a session lookup, the page's queries, an audit "
        "event and a render. The last column is the server's CPU time per request (its processes, "
        "from /proc): the figure least moved by other jobs on the machine.",
        "",
        *_table(rows, cpu=True),
        "",
        f"A public page (`{PUBLIC_PAGE}`, rendered every time) at {args.concurrency} connections, "
        "alone and while an analyst publishes 2014-2018 from the workspace (measured from a "
        "second after the publish form is sent):",
        "",
        "| workers | public page | requests | errors | req/s | p50 ms | p95 ms | p99 ms "
        "| publication took |",
        "|---|---|---|---|---|---|---|---|---|",
        *publishing,
        "",
    ]
    _write_section(lines)
    shutil.rmtree(database.parent, ignore_errors=True)  # the register's and release's copies
    print(f"wrote {RESULTS} ({WORKSPACE_SECTION})")
    return 0 if all(m.errors == 0 for _, m in rows) else 1


PUBLIC_PAGE = "/en/login"  # public, rendered every time (no cache), independent of the release


def _during_publish(
    base: str, analyst: dict[str, str], args: argparse.Namespace
) -> tuple[Measured, Measured, float]:
    """A public page under load alone, then while the analyst publishes 2014-2018; and how long
    the publication took (until the job's page, or the old inline answer, says done)."""
    total = max(args.requests // 2, 200)
    alone = asyncio.run(_load(base, PUBLIC_PAGE, total, args.concurrency, args.seconds))
    finished: list[float] = []
    outcome: list[str] = []

    def publish() -> None:
        started = time.perf_counter()
        with httpx2.Client(base_url=base, cookies=analyst, timeout=600) as client:
            page = client.get("/en/workspace/publish").text
            token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
            assert token is not None
            form = {"csrf_token": token.group(1), "year_from": "2014", "year_to": "2018"}
            answer = client.post("/en/workspace/publish", data=form)
            job = answer.headers.get("location", "")
            state = {"state": "done" if answer.status_code == 200 else str(answer.status_code)}
            while "/jobs/" in job:  # a job: its twin says when it is done
                state = client.get("/api/workspace/jobs/" + job.rsplit("/", 1)[1]).json()
                if state["state"] in ("done", "failed"):
                    break
                time.sleep(0.2)
        finished.append(time.perf_counter() - started)
        outcome.append(state["state"])

    worker = threading.Thread(target=publish)
    worker.start()
    time.sleep(1.0)  # the publication under way
    during = asyncio.run(
        _load(base, PUBLIC_PAGE, total, args.concurrency, args.seconds * 4, warm=False)
    )
    worker.join()
    if outcome != ["done"]:
        raise RuntimeError(f"the publication did not succeed: {outcome}")
    return alone, during, finished[0]


def _write_section(lines: list[str]) -> None:
    """Replace (or add) the workspace section of the results, leaving the rest as it is."""
    text = RESULTS.read_text("utf-8") if RESULTS.exists() else ""
    head, found, rest = text.partition(WORKSPACE_SECTION)
    tail = ""
    if found:
        after = rest.find("\n## ")
        tail = rest[after + 1 :] if after >= 0 else ""
    RESULTS.write_text(head.rstrip("\n") + "\n\n" + "\n".join(lines) + tail, "utf-8")


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
    parser.add_argument("--workspace", action="store_true", help="the logged-in pages instead")
    parser.add_argument(
        "--generator",
        choices=("python", "wrk"),
        default="wrk" if shutil.which("wrk") else "python",
        help="the workspace's load generator (default: wrk when installed)",
    )
    args = parser.parse_args(argv)
    out = _demo(args.out)
    if args.workspace:
        return _workspace(out, args)
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
