"""Several workers, each on its own socket (victim_monitor.web.workers): the kernel spreads
new connections over them, they stop on SIGTERM, and a worker that cannot start stops the
supervisor instead of being started again and again."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from victim_monitor.web import workers

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not workers.balanced(), reason="no SO_REUSEPORT here")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _supervisor(factory: str, port: int) -> subprocess.Popen[str]:
    code = (
        "import sys\n"
        "from victim_monitor.web.workers import serve\n"
        f"sys.exit(serve({factory!r}, '127.0.0.1', {port}, 2, "
        "{'log_level': 'warning', 'lifespan': 'off'}))\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True
    )


def _pid_of_new_connection(port: int) -> str | None:
    """The pid that answers a request on a new connection (None: nobody listens yet)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := sock.recv(4096):
                answer += chunk
    except OSError:
        return None
    return answer.split(b"\r\n\r\n", 1)[1].decode()


def test_new_connections_are_spread_over_the_workers_and_sigterm_stops_them() -> None:
    port = _free_port()
    supervisor = _supervisor("tests.web.pid_app:app", port)
    try:
        deadline = time.monotonic() + 60
        while _pid_of_new_connection(port) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # one worker answers: give the other time to start, then count
        seen = Counter(_pid_of_new_connection(port) for _ in range(200))
        assert None not in seen, seen
        assert len(seen) == 2, seen
        # Spread by the kernel's hash of the client's port: each gets a fair share (at 1/2
        # each, fewer than 60 of 200 happens with a chance below 1e-8).
        assert min(seen.values()) >= 60, seen
    finally:
        supervisor.send_signal(signal.SIGTERM)
        code = supervisor.wait(timeout=60)
        if supervisor.stderr:
            supervisor.stderr.close()
    assert code == 0
    assert _pid_of_new_connection(port) is None  # the port is free again


def test_a_worker_that_cannot_start_stops_the_supervisor() -> None:
    supervisor = _supervisor("tests.web.pid_app:broken", _free_port())
    try:
        code = supervisor.wait(timeout=120)
        said = supervisor.stderr.read() if supervisor.stderr else ""
    finally:
        supervisor.kill()
        if supervisor.stderr:
            supervisor.stderr.close()
    assert code != 0
    assert "no app today" in said


@pytest.mark.parametrize("shared", [False, True])
def test_a_taken_address_is_refused_with_uvicorns_exit_code(shared: bool) -> None:
    """Also when the listener shares its port (another server's workers): joining it would
    split the traffic between two servers."""
    with socket.socket() as taken:
        if shared:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        code = workers.serve("tests.web.pid_app:app", "127.0.0.1", port, 2, {})
    assert code == workers.STARTUP_FAILURE
