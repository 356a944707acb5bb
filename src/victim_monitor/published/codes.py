"""The problem codes of reading and writing a published directory (VM740, VM744, VM745)."""

from __future__ import annotations

from victim_monitor.problems import ProblemError, Severity, define

ERROR = Severity.ERROR

PUBLICATION_UNREADABLE = define("VM740", ERROR, "Published directory cannot be read")
OUTPUT_UNWRITABLE = define("VM744", ERROR, "Output directory cannot be written")
CHECKSUM_MISMATCH = define("VM745", ERROR, "A published file differs from its checksum")


class PublicationError(ProblemError, ValueError):
    """Publication stopped (or a published directory cannot be read), with coded problems."""
