"""Bootstrap and model-selection workers are forked; they never finalise the parent's objects."""

from __future__ import annotations

import gc
import os
from pathlib import Path

from victim_monitor.processes import forked_pool


class _Noted:
    """Garbage whose finaliser leaves a file named after the process that ran it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.me = self  # a reference cycle: only the cyclic collector frees it

    def __del__(self) -> None:
        (self.directory / str(os.getpid())).touch()


def _collect(_: int) -> int:
    return gc.collect()


def test_a_child_never_finalises_garbage_it_inherited(tmp_path: Path) -> None:
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.disable()  # keep the garbage until the pool forks
    try:
        _Noted(tmp_path)
        with forked_pool(2) as pool:
            list(pool.map(_collect, range(4)))
    finally:
        if enabled:
            gc.enable()
    # Collected in this process before the fork, or not at all: never in a child.
    assert {p.name for p in tmp_path.iterdir()} <= {str(os.getpid())}
    # This process's collector is as it was (the web server keeps its start-up objects frozen).
    assert (gc.isenabled(), gc.get_freeze_count()) == (enabled, frozen)
