"""Publishing from the workspace: the analyst's button over the publication library.

The web app does not compute tables itself; it calls the same library function as
``victim-monitor publish`` and writes to the directory the dashboard reads.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine


class PublishError(ValueError):
    """Publication stopped; the message holds the coded problems."""


@dataclass(frozen=True, slots=True)
class PublishResult:
    years: tuple[int, ...]
    directory: str
    summary: str


def _builder() -> Callable[..., Any]:
    module = importlib.import_module("victim_monitor.publication")
    found = getattr(module, "publish", None)
    if found is None:
        raise PublishError("this build of victim-monitor cannot publish from the register yet")
    return found  # type: ignore[no-any-return]


def publish(engine: Engine, years: Sequence[int], out: Path) -> PublishResult:
    """Publish ``years`` from the register into ``out`` (replacing what was there)."""
    from victim_monitor.publication import PublicationError

    span = tuple(years)
    if not span:
        raise PublishError("choose at least one year")
    try:
        publication = _builder()(engine, span, out)
    except PublicationError as exc:
        raise PublishError(str(exc)) from exc
    summary = getattr(publication, "summary", None)
    return PublishResult(span, str(out), summary() if callable(summary) else str(out))
