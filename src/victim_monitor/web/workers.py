"""Worker processes that share the load evenly: each listens on a socket of its own.

uvicorn's workers accept from one shared socket, and whichever worker wakes first accepts all
the connections waiting (an event loop accepts until none is left). Browsers and proxies keep
their connections open, so a burst of them could stay with one worker while the other idled:
at 50 connections, splits of 15/35 and 2/48 were seen, and the busy worker's queue set the
tail latency (benchmarks/results/web.md). Here each worker binds its own listening socket to
the same address with ``SO_REUSEPORT``, and the kernel spreads new connections over the
sockets by their addresses, as nginx's ``reuseport`` does. Linux only lets sockets of the same
user join the group, so no other program can listen in.

The supervisor is small on purpose: it starts the workers, starts a worker again when one
dies while serving (and stops when one dies within seconds of its start: it would again), and
stops them on SIGINT or SIGTERM, which uvicorn's workers take as the sign to finish their
requests and exit. It does not ping its workers as uvicorn's does: a hung worker stays.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
from collections.abc import Mapping
from multiprocessing.process import BaseProcess
from typing import Any

# uvicorn's exit code of a worker that failed before it served (the app, the socket): starting
# it again would fail the same way.
STARTUP_FAILURE = 3
STOP_SECONDS = 30  # a worker's time to finish its requests before it is killed


def balanced() -> bool:
    """Whether this platform can give each worker its own socket on one port."""
    return hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listening(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket on (host, port) that other such sockets of this user share."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _unused(host: str, port: int) -> None:
    """OSError when anything listens on (host, port), another ``SO_REUSEPORT`` group too: a
    second server started on the port would otherwise join the first and share its traffic."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT only
        probe.bind((host, port))


def _worker(sock: socket.socket, app: str, options: Mapping[str, Any]) -> None:
    import uvicorn

    config = uvicorn.Config(app, factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve(app: str, host: str, port: int, workers: int, options: Mapping[str, Any]) -> int:
    """Run ``workers`` processes serving the app factory ``app`` ("module:function") with
    uvicorn ``options``, each on its own socket; returns the exit code once they have stopped."""
    try:
        _unused(host, port)
        sockets = [listening(host, port) for _ in range(workers)]
    except OSError as exc:  # the address is taken, or not this machine's: as uvicorn says it
        logging.getLogger("uvicorn.error").error("cannot listen on %s:%d: %s", host, port, exc)
        return STARTUP_FAILURE
    spawn = multiprocessing.get_context("spawn")  # as uvicorn: no state inherited from here

    def start(sock: socket.socket) -> BaseProcess:
        process = spawn.Process(target=_worker, args=(sock, app, dict(options)), daemon=False)
        process.start()
        return process

    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    code = 0
    processes: list[BaseProcess] = []
    try:
        processes += [start(sock) for sock in sockets]
        started = [time.monotonic()] * workers
        while not stop.wait(0.5):
            for i, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE or time.monotonic() < started[i] + 10:
                    # It could not start (uvicorn's code, or the app factory raised): a new
                    # one would fail the same way, over and over.
                    code = process.exitcode or STARTUP_FAILURE
                    stop.set()
                    break
                processes[i] = start(sockets[i])  # died while serving: a new one in its place
                started[i] = time.monotonic()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes what it has, then exits
        for process in processes:
            process.join(STOP_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return code


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
