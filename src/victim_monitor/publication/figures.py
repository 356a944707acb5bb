"""A figures file: aggregate figures published before, each with its source, checked.

The input of ``publish --from-figures`` (``docs/methods/publication.md``, "A publication from
published figures"): a CSV file with one published figure a row,

    table,year,key,value,low,high,source,note
    victims_by_year,2018,,668,,,"Factsheet SM 2014-2018",
    victims_by_reporter_type,2014-2017,reporter_type=non_investigative,550,,,"...","ruim 550"
    estimates,2014-2015,,6250,5000,7500,"MSE 2017 ...",

``table`` is one of the publication's tables or ``estimates``; ``year`` a year, or a period
``YYYY-YYYY`` whose figure is a mean per year (a table) or holds for every year of it (an
estimate); ``key`` the other categories as ``dim=code;dim=code`` (``Total`` for a margin;
empty for ``victims_by_year`` and for the estimate of all victims). Like every outside input,
the file is read whole and every problem is reported with its row and field (VM75x), never
only the first.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from victim_monitor.problems import Problem
from victim_monitor.publication.codes import (
    FIGURE_DUPLICATE,
    FIGURE_SOURCE_MISSING,
    FIGURE_UNKNOWN,
    FIGURE_VALUE_INVALID,
    FIGURE_YEAR_INVALID,
    FIGURES_UNREADABLE,
)
from victim_monitor.published.model import TOTAL
from victim_monitor.tables import TABLES
from victim_monitor.tables.categories import categories

ESTIMATES = "estimates"
COLUMNS = ("table", "year", "key", "value", "low", "high", "source", "note")
REQUIRED = ("table", "year", "key", "value", "source")
#: The strata an estimate may be given for: a form of exploitation, and within it an age group.
STRATUM_DIMENSIONS = ("form_group", "age_group")
_YEAR = re.compile(r"(\d{4})(?:-(\d{4}))?")
_COUNT = re.compile(r"\d+")
_MEAN = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class PublishedFigure:
    """One figure as published: where it belongs, its value, and where it was published.

    ``years`` holds one year, or the years of a period (a table's figure is then the mean per
    year over them). ``key`` holds the non-year categories in the table's dimension order.
    """

    row: int
    table: str
    years: tuple[str, ...]
    key: tuple[tuple[str, str], ...]
    value: float
    low: float | None
    high: float | None
    source: str
    note: str = ""

    @property
    def period(self) -> bool:
        return len(self.years) > 1


@dataclass(frozen=True)
class FiguresFile:
    """The figures of a file, every problem found in it, and the SHA-256 of its bytes."""

    path: Path
    figures: tuple[PublishedFigure, ...]
    problems: tuple[Problem, ...]
    sha256: str

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        tables = sorted({f.table for f in self.figures})
        return f"{self.path}: {len(self.figures)} figures ({', '.join(tables)}); " + (
            f"{len(self.problems)} problems" if self.problems else "no problems"
        )


def dimension_codes(years: tuple[str, ...] = ()) -> dict[str, dict[str, frozenset[str]]]:
    """Per table (and ``estimates``): the codes each non-year dimension may take.

    Organisations are any code (their list is the register's), marked by an empty set.
    """
    cats = categories([int(y) for y in years], [])
    out: dict[str, dict[str, frozenset[str]]] = {}
    for spec in TABLES:
        dims: dict[str, frozenset[str]] = {}
        for dim in spec.dimensions[1:]:
            codes = spec.categories.get(dim) or cats[dim]
            dims[dim] = frozenset() if dim == "organisation" else frozenset([*codes, TOTAL])
        out[spec.name] = dims
    out[ESTIMATES] = {d: frozenset(cats[d]) for d in STRATUM_DIMENSIONS}
    return out


def read_figures(path: str | Path) -> FiguresFile:
    """Read and check a figures file; the problems are in the result (nothing is raised)."""
    target = Path(path)
    try:
        data = target.read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return FiguresFile(target, (), (FIGURES_UNREADABLE(str(exc), file=str(target)),), "")
    digest = hashlib.sha256(data).hexdigest()
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problem = FIGURES_UNREADABLE(
            f"the header lacks {', '.join(missing)} (columns: {', '.join(COLUMNS)})",
            file=str(target),
            row=1,
        )
        return FiguresFile(target, (), (problem,), digest)
    known = dimension_codes()
    figures: list[PublishedFigure] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]], int] = {}
    for number, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        found, wrong = _figure(row, number, str(target), known)
        problems += wrong
        if found is None:
            continue
        identity = (found.table, found.years, found.key)
        if identity in seen:
            problems.append(
                FIGURE_DUPLICATE(
                    f"already given in row {seen[identity]}", file=str(target), row=number
                )
            )
            continue
        seen[identity] = number
        figures.append(found)
    return FiguresFile(target, tuple(figures), tuple(problems), digest)


def _figure(
    row: Mapping[str, str],
    number: int,
    file: str,
    known: Mapping[str, Mapping[str, frozenset[str]]],
) -> tuple[PublishedFigure | None, list[Problem]]:
    """One row as a figure, or None with its problems (every field is checked)."""
    problems: list[Problem] = []

    def fail(kind: object, message: str, field: str, value: str) -> None:
        assert callable(kind)
        problems.append(kind(message, file=file, row=number, field=field, value=value))

    table = row["table"]
    dims = known.get(table)
    if dims is None:
        fail(FIGURE_UNKNOWN, f"no table {table!r}: a table of the publication or "
             f"{ESTIMATES!r}", "table", table)  # fmt: skip
    years = _years(row["year"])
    if years is None:
        fail(FIGURE_YEAR_INVALID, "expected YYYY or a period YYYY-YYYY", "year", row["year"])
    key = _key(row["key"], table, dims, fail) if dims is not None else None
    value, low, high = _values(row, table, years, fail)
    if not row["source"]:
        fail(FIGURE_SOURCE_MISSING, "every figure needs its source", "source", "")
    if problems or years is None or key is None or value is None:
        return None, problems
    note = row.get("note", "")
    return PublishedFigure(number, table, years, key, value, low, high, row["source"], note), []


def _years(text: str) -> tuple[str, ...] | None:
    found = _YEAR.fullmatch(text)
    if found is None:
        return None
    first, last = int(found[1]), int(found[2] or found[1])
    if last <= first and found[2] is not None:
        return None
    return tuple(str(y) for y in range(first, last + 1))


def _key(
    text: str, table: str, dims: Mapping[str, frozenset[str]], fail: object
) -> tuple[tuple[str, str], ...] | None:
    assert callable(fail)
    pairs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        dim, sep, code = (s.strip() for s in part.partition("="))
        if not sep or dim not in dims:
            fail(FIGURE_UNKNOWN, f"{table} has no dimension {dim!r} (it has: "
                 f"{', '.join(dims) or 'only year'})", "key", part)  # fmt: skip
            return None
        if dims[dim] and code not in dims[dim]:
            fail(FIGURE_UNKNOWN, f"{dim} has no category {code!r} (it has: "
                 f"{', '.join(sorted(dims[dim]))})", "key", part)  # fmt: skip
            return None
        pairs[dim] = code
    if table != ESTIMATES and set(pairs) != set(dims):
        fail(FIGURE_UNKNOWN, f"{table} needs a category for each of "
             f"{', '.join(dims) or 'nothing (leave key empty)'}", "key", text)  # fmt: skip
        return None
    if table == ESTIMATES and "age_group" in pairs and "form_group" not in pairs:
        fail(FIGURE_UNKNOWN, "an estimate by age is given within a form_group", "key", text)
        return None
    return tuple((d, pairs[d]) for d in dims if d in pairs)


def _values(
    row: Mapping[str, str], table: str, years: tuple[str, ...] | None, fail: object
) -> tuple[float | None, float | None, float | None]:
    """(value, low, high): a table's count (a mean when a period), an estimate's interval."""
    assert callable(fail)
    text, low_text, high_text = row["value"], row.get("low", ""), row.get("high", "")
    period = years is not None and len(years) > 1
    pattern = _MEAN if period or table == ESTIMATES else _COUNT
    if pattern.fullmatch(text) is None:
        what = "a mean per year" if period else "a count" if table != ESTIMATES else "a number"
        fail(FIGURE_VALUE_INVALID, f"expected {what} in digits (a qualifier such as 'ruim' "
             "goes in note)", "value", text)  # fmt: skip
        return None, None, None
    value = float(text)
    if table != ESTIMATES:
        if low_text or high_text:
            fail(FIGURE_VALUE_INVALID, "only an estimate has an interval", "low", low_text)
        return value, None, None
    if bool(low_text) != bool(high_text):
        fail(FIGURE_VALUE_INVALID, "give both ends of the interval, or neither", "low", low_text)
        return None, None, None
    if not low_text:
        return value, None, None
    if _MEAN.fullmatch(low_text) is None or _MEAN.fullmatch(high_text) is None:
        fail(FIGURE_VALUE_INVALID, "the interval's ends are numbers", "high", high_text)
        return None, None, None
    low, high = float(low_text), float(high_text)
    if not low <= value <= high:
        fail(FIGURE_VALUE_INVALID, f"the estimate {text} lies outside its interval "
             f"{low_text}-{high_text}", "value", text)  # fmt: skip
        return None, None, None
    return value, low, high
