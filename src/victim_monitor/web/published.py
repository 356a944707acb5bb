"""The published directory the dashboard reads: protected tables only, never the register.

The directory is what ``victim-monitor publish`` writes (``docs/methods/publication.md``),
read through :func:`victim_monitor.publication.load_publication`, which checks every file
against the manifest's checksums. The result is kept until the manifest changes (publishing
replaces the directory atomically), so a page costs no file reads.
"""

from __future__ import annotations

import threading
from pathlib import Path

from victim_monitor.published import Publication, PublicationError, load_publication

MANIFEST = "manifest.json"

_lock = threading.Lock()
_cache: dict[Path, tuple[tuple[int, int, int], Publication]] = {}


class ReleaseError(ValueError):
    """The directory holds no readable publication; the message says why."""


def release_stamp(directory: Path) -> tuple[int, int, int] | None:
    """What identifies the release in ``directory`` (None: nothing published there).

    Publishing replaces the directory atomically, so a new release has a new manifest file.
    """
    try:
        stat = (directory / MANIFEST).stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def load_published(directory: Path) -> Publication:
    """The publication in ``directory`` (cached while its manifest is unchanged)."""
    stamp = release_stamp(directory)
    if stamp is None:
        raise ReleaseError(f"nothing published in {directory}")
    key = directory.resolve()
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    try:
        publication = load_publication(directory)
    except PublicationError as exc:
        raise ReleaseError(str(exc)) from exc
    with _lock:
        _cache[key] = (stamp, publication)
    return publication
