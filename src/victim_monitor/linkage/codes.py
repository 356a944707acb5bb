"""The linkage's problems: nothing to link (VM305), a run overtaken by another (VM306), a review
decision that cannot be recorded (VM33x), a linkage backend that cannot run here (VM34x)."""

from __future__ import annotations

from victim_monitor.problems import ProblemError, Severity, define

ERROR = Severity.ERROR

NOTHING_TO_LINK = define("VM305", ERROR, "Nothing to link")
OVERTAKEN = define("VM306", ERROR, "Another link run finished meanwhile")

UNKNOWN_STATUS = define("VM330", ERROR, "Unknown review status")
NO_PAIR = define("VM331", ERROR, "No such pair in the review queue")
NO_REPORT = define("VM332", ERROR, "No such report in the register")
UNKNOWN_DECISION = define("VM333", ERROR, "Decision not 'same' or 'different'")
NO_REVIEWER = define("VM334", ERROR, "Decision without a reviewer")
SAME_REPORT = define("VM335", ERROR, "A report paired with itself")
CONTRADICTION = define("VM336", ERROR, "Decision contradicts other decisions")

UNKNOWN_BACKEND = define("VM340", ERROR, "Unknown linkage backend")
NO_PYSPARK = define("VM341", ERROR, "Spark backend without pyspark")
NO_JAVA = define("VM342", ERROR, "Spark backend without Java")


# ValueError and RuntimeError stay bases, as they were, so callers catching those still work.
class ReviewError(ProblemError, ValueError):
    """A decision that cannot be recorded, or a pair, report or status that is not there
    (VM33x)."""


class BackendError(ProblemError, RuntimeError):
    """A linkage backend that is unknown or cannot run here; the problem says what to do
    (VM34x)."""


class ConcurrentRunError(ProblemError, RuntimeError):
    """Another link run finished while this one was computing; nothing was written (VM306)."""
