"""Coded problems: what is wrong with an input, where, and what to do.

Every stage that reads outside input (intake, the encoder, estimation input, programme import)
reports problems as values with a stable code, never by raising on the first bad row. Codes
are defined once with :func:`define` and documented in ``docs/errors.md`` (a test checks that
every defined code has its section there).

Code ranges: VM1xx file, VM2xx row and field, VM3xx submission, register and linkage, VM4xx
encoder input, VM5xx estimation input, VM6xx programme register import, VM7xx disclosure and
publication, VM8xx factsheet, VM9xx configuration and database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class ProblemCode:
    """A kind of problem: its stable code, severity and one-line title."""

    code: str
    severity: Severity
    title: str

    def __call__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> Problem:
        """A located problem of this kind."""
        shown = None if value is None else _clip(str(value))
        return Problem(self.code, self.severity, message, file, row, field, shown)


CATALOGUE: dict[str, ProblemCode] = {}


def define(code: str, severity: Severity, title: str) -> ProblemCode:
    """Register a problem code; each code is defined exactly once."""
    if code in CATALOGUE:
        raise ValueError(f"problem code {code} defined twice")
    kind = ProblemCode(code, severity, title)
    CATALOGUE[code] = kind
    return kind


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem, located as precisely as the input allows."""

    code: str
    severity: Severity
    message: str
    file: str | None = None
    row: int | None = None
    field: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.row) if p is not None)
        parts = [f"{where}:" if where else "", f"{self.code} {self.severity}"]
        if self.field:
            parts.append(f"[{self.field}]")
        parts.append(self.message)
        if self.value is not None:
            parts.append(f"(value {self.value!r})")
        return " ".join(p for p in parts if p)

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "message": self.message,
        }


def grouped(problems: Iterable[Problem], rows_shown: int = 5) -> list[str]:
    """Problems as lines for a person, each kind once (same code, file, field and message) with
    its first rows and how many times it occurred: 457 identical problems are one line."""
    groups: dict[tuple[str, str | None, str | None, str], list[Problem]] = {}
    for problem in problems:
        key = (problem.code, problem.file, problem.field, problem.message)
        groups.setdefault(key, []).append(problem)
    lines = []
    for same in groups.values():
        first = same[0]
        if len(same) == 1:
            lines.append(str(first))
            continue
        rows = [p.row for p in same if p.row is not None]
        shown = ", ".join(str(r) for r in rows[:rows_shown]) + (
            ", ..." if len(rows) > rows_shown else ""
        )
        where = f"rows {shown}: " if rows else ""
        alone = Problem(first.code, first.severity, first.message, first.file, None, first.field)
        lines.append(f"{alone} ({where}{len(same)} times)")
    return lines


class ProblemError(Exception):
    """Work stopped, with its coded problems (the command line prints them, JSON or text)."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        first = str(self.problems[0]) if self.problems else "stopped"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more problems)" if more > 0 else ""))


@dataclass(slots=True)
class ProblemLog:
    """Collects problems while a file streams by: all are counted, the first ``keep`` kept.

    Counting everything but keeping a bounded sample keeps memory flat on a million bad rows,
    while the counts per code still say exactly how much is wrong.
    """

    keep: int = 1000
    kept: list[Problem] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    errors: int = 0
    warnings: int = 0

    def add(self, problem: Problem) -> None:
        self.counts[problem.code] += 1
        if problem.severity is Severity.ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.kept) < self.keep:
            self.kept.append(problem)

    def extend(self, problems: Iterator[Problem] | list[Problem]) -> None:
        for problem in problems:
            self.add(problem)

    def absorb(self, other: ProblemLog) -> None:
        """Add ``other``'s problems after this log's, as if each had been added here."""
        self.counts.update(other.counts)
        self.errors += other.errors
        self.warnings += other.warnings
        self.kept.extend(other.kept[: max(0, self.keep - len(self.kept))])

    @property
    def has_errors(self) -> bool:
        return self.errors > 0

    @property
    def total(self) -> int:
        return self.errors + self.warnings

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.kept)
