"""Publishing from the workspace: the analyst's button over the publication library.

The web app computes no tables itself: it calls :func:`victim_monitor.publication.publish`,
as ``victim-monitor publish`` does, into the directory the dashboard reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from victim_monitor.publication.run import publish as publish_years


@dataclass(frozen=True, slots=True)
class PublishResult:
    years: tuple[int, ...]
    directory: str
    summary: str


def check_years(years: Sequence[int]) -> tuple[int, ...]:
    """``years`` as a tuple, or ValueError when they are no range of 1-50 years."""
    span = tuple(years)
    if not span or len(span) > 50:
        raise ValueError("choose a range of at most 50 years")
    return span


def publish(engine: Engine, years: Sequence[int], out: Path) -> PublishResult:
    """Publish ``years`` from the register into ``out`` (replaced only when all went well).

    Seconds to minutes of work: the web app runs it as a job (:mod:`victim_monitor.web.jobs`),
    whose page shows the coded problems of a publication that stopped (PublicationError).
    """
    span = check_years(years)
    result = publish_years(engine, span, out)
    return PublishResult(span, str(result.out), result.summary())
