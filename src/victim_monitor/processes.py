"""Worker processes forked from this one, for work that spreads over the cores.

Used by the estimation's model search and bootstrap and by the encoder. Forked, not spawned:
a child starts with this process's state (keys, fitted tables) without pickling it, and in
well under a second.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_all_start_methods, get_context
from typing import Any


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every system
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether this system starts processes by fork (not Windows; see :func:`forked_pool`)."""
    return "fork" in get_all_start_methods()


@contextmanager
def forked_pool(
    workers: int,
    initializer: Callable[..., object] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[ProcessPoolExecutor]:
    """Worker processes forked from this one that never finalise this process's objects.

    A forked child inherits this process's garbage, and its collector would run their
    finalisers there, in C libraries whose state (threads, connections) did not come along:
    a bootstrap child forked from a long-lived test process segfaulted while collecting. So
    garbage is collected here before the fork, and each child first freezes what it inherited
    (``gc.freeze``: left out of its collections). This process's own frozen objects (the web
    server freezes its import-time objects) are left as they were.

    ``initializer(*initargs)`` then runs in each child. With fork its arguments are inherited,
    not pickled: a key handed over this way never passes through a pipe.
    """
    gc.collect()
    context = get_context("fork")
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_child,
        initargs=(initializer, initargs),
    ) as pool:
        yield pool


def _start_child(initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
    gc.freeze()
    if initializer is not None:
        initializer(*initargs)
