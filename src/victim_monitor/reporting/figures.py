"""Figures: the numbers the factsheet may print, named, evaluated and formatted per language.

A figure reference is a small expression over the publication (see ``docs/methods/factsheet.md``):

    victims_by_year[2018]                       a cell of a published table, keys in its order
    victims_by_form[2018, domestic_sexual]
    estimates[2018], estimates[2018].low        the estimate of a year (point, low, high)
    coverage[2018], coverage[2018].high         registered / estimate, as a percentage
    change(victims_by_year[2014], victims_by_year[2018])   relative change, a percentage
    share(a, b), mean(a, b, ...), sum(a, b, ...), abs(x), min(a, ...), max(a, ...)

References are parsed with :mod:`ast` and only these forms are accepted, so an editorial file
can never run code. A hidden cell has no value: citing it, directly or inside a function, is an
error (the text must not suggest a number that disclosure control withheld).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from victim_monitor.reporting.published import Published
from victim_monitor.rounding import Direction as Direction  # the one rounding rule
from victim_monitor.rounding import percent_decimals as percent_decimals
from victim_monitor.rounding import round_percent
from victim_monitor.rounding import round_significant as round_significant
from victim_monitor.tables.specs import TABLES as TABLE_SPECS

Lang = Literal["nl", "en"]


class Kind(StrEnum):
    COUNT = "count"  # a published cell: exact
    ESTIMATE = "estimate"  # a model estimate: printed rounded to two significant digits
    PERCENT = "percent"  # a fraction, printed as a percentage
    MEAN = "mean"  # a mean of counts: printed as a whole number, as the findings print it


class FigureError(ValueError):
    """A reference that cannot be evaluated; ``hidden`` when it needs a withheld cell,
    ``absent`` when the publication lacks the number though the reference is well formed (a
    suppressed cell, a year without an estimate or coverage, a change from zero)."""

    def __init__(self, message: str, *, hidden: bool = False, absent: bool = False) -> None:
        super().__init__(message)
        self.hidden = hidden
        self.absent = absent or hidden


@dataclass(frozen=True, slots=True)
class Part:
    """One published number a figure rests on: a table cell, or a year's estimate or coverage.

    ``series`` is the cell's key without its year (empty for estimates); ``end`` is point,
    low or high for an estimate or coverage, "" for a cell.
    """

    table: str  # a table's name, or "estimates" / "coverage"
    series: tuple[str, ...]
    year: str
    end: str = ""

    @property
    def estimated(self) -> bool:
        return self.table in _ESTIMATES


@dataclass(frozen=True, slots=True)
class Figure:
    """A number that may be printed, with what kind of number it is and where it comes from."""

    value: float
    kind: Kind
    source: str
    parts: tuple[Part, ...] = ()  # the published numbers it rests on
    op: str = ""  # the function that made it (change, mean, ...), "" for a plain number
    args: tuple[Figure, ...] = ()  # the function's arguments
    rounded: Direction | None = None  # how a computed end of a range rounds (min of lows: down)
    decimals: int | None = None  # a percentage's decimals when its range sets them (8,0-15,7%)

    def _direction(self) -> Direction:
        return self.rounded or _end(self.source)

    def shown(self) -> float:
        """The value as printed (before the language's separators)."""
        if self.kind is Kind.ESTIMATE:
            return float(round_significant(self.value, direction=self._direction()))
        if self.kind is Kind.PERCENT:
            places = percent_decimals(self.value) if self.decimals is None else self.decimals
            return _round_percent(self.value, places, self._direction())
        if self.kind is Kind.MEAN:
            return float(round(self.value))
        return self.value

    def display(self, lang: Lang) -> str:
        if self.kind is Kind.PERCENT:
            if self._direction() == "nearest" and self.decimals is None:
                return format_percent(self.value, lang)
            places = percent_decimals(self.value) if self.decimals is None else self.decimals
            return format_percent(self.shown() / 100, lang, places)
        return format_int(round(self.shown()), lang)

    def matches(self, number: float, percent: bool, decimals: int) -> bool:
        """Whether a literal number written in the text states this figure."""
        if percent != (self.kind is Kind.PERCENT):
            return False
        if percent:
            # "60% fewer" states a change of -60%: the sign is in the words. One rounding rule:
            # the literal has the decimals the figure is printed with (15,7%, not also 16%).
            places = percent_decimals(self.value) if self.decimals is None else self.decimals
            return decimals == places and math.isclose(abs(self.shown()), number)
        if self.kind in (Kind.ESTIMATE, Kind.MEAN):
            return number == self.shown()  # one rounding rule: 3.100, never also 3.170
        return math.isclose(self.value, number)

    def matches_unrounded(self, number: float, percent: bool, decimals: int) -> bool:
        """Whether a literal states this figure under another rounding than the rule's.

        An estimate written exactly (3.170 for 3.100) or a change rounded to fives (65% for
        63%): the same fact printed two ways in one factsheet.
        """
        if percent != (self.kind is Kind.PERCENT) or self.matches(number, percent, decimals):
            return False
        if percent:
            exact = abs(self.value) * 100
            return abs(exact - number) < (5 if number % 5 == 0 else 1)
        if self.kind is Kind.ESTIMATE:
            return abs(self.value - number) < 1 or abs(self.value - number) <= 0.05 * self.value
        return False


def _end(source: str) -> Direction:
    """The lower end of an interval is rounded down and the upper end up, never inwards."""
    if source.endswith(".low"):
        return "down"
    if source.endswith(".high"):
        return "up"
    return "nearest"


def _round_percent(fraction: float, decimals: int, direction: Direction) -> float:
    return round_percent(fraction, direction, decimals)


def format_int(value: int, lang: Lang) -> str:
    """5.000 in Dutch, 5,000 in English; a minus sign, not a hyphen."""
    text = f"{abs(value):,}"
    if lang == "nl":
        text = text.replace(",", ".")
    return ("−" if value < 0 else "") + text


def format_percent(fraction: float, lang: Lang, decimals: int | None = None) -> str:
    decimals = percent_decimals(fraction) if decimals is None else decimals
    number = f"{abs(fraction) * 100:.{decimals}f}"
    if lang == "nl":
        number = number.replace(".", ",")
    return ("−" if fraction < 0 else "") + number + "%"


def format_percent_range(low: float, high: float, lang: Lang) -> str:
    """Both ends with the same decimals, rounded outwards: 9.0%-13.5%, not 9.0%-13%."""
    decimals = percent_decimals(min(abs(low), abs(high)))
    ends = (_round_percent(low, decimals, "down"), _round_percent(high, decimals, "up"))
    texts = [f"{v:.{decimals}f}" for v in ends]
    if lang == "nl":
        texts = [t.replace(".", ",") for t in texts]
    return f"{texts[0]}-{texts[1]}%"


_FUNCTIONS: dict[str, Callable[[list[Figure], str], Figure]] = {}


def _function(name: str) -> Callable[[Callable[[list[Figure], str], Figure]], None]:
    def register(fn: Callable[[list[Figure], str], Figure]) -> None:
        _FUNCTIONS[name] = fn

    return register


def _arity(args: list[Figure], n: int, name: str) -> None:
    if len(args) != n:
        raise FigureError(f"{name}() takes {n} figures, got {len(args)}")


@_function("change")
def _change(args: list[Figure], source: str) -> Figure:
    _arity(args, 2, "change")
    before, after = args
    if before.value == 0:
        raise FigureError("change() from zero is undefined", absent=True)
    return _made(after.value / before.value - 1, Kind.PERCENT, source, "change", args)


@_function("share")
def _share(args: list[Figure], source: str) -> Figure:
    _arity(args, 2, "share")
    part, whole = args
    if whole.value == 0:
        raise FigureError("share() of zero is undefined", absent=True)
    return _made(part.value / whole.value, Kind.PERCENT, source, "share", args)


@_function("sum")
def _sum(args: list[Figure], source: str) -> Figure:
    kinds = {a.kind for a in args}
    kind = Kind.ESTIMATE if Kind.ESTIMATE in kinds else Kind.COUNT
    return _made(sum(a.value for a in args), kind, source, "sum", args)


@_function("mean")
def _mean(args: list[Figure], source: str) -> Figure:
    if not args:
        raise FigureError("mean() of nothing")
    # A mean of counts is no published count: printed as a whole number, as the findings do.
    kind = Kind.ESTIMATE if any(a.kind is Kind.ESTIMATE for a in args) else Kind.MEAN
    return _made(sum(a.value for a in args) / len(args), kind, source, "mean", args)


@_function("abs")
def _abs(args: list[Figure], source: str) -> Figure:
    _arity(args, 1, "abs")
    return _made(abs(args[0].value), args[0].kind, source, "abs", args)


@_function("min")
def _min(args: list[Figure], source: str) -> Figure:
    """The least of several figures: the lower end of a range over years."""
    if not args:
        raise FigureError("min() of nothing")
    return _made(min(a.value for a in args), _one_kind(args), source, "min", args)


@_function("max")
def _max(args: list[Figure], source: str) -> Figure:
    if not args:
        raise FigureError("max() of nothing")
    return _made(max(a.value for a in args), _one_kind(args), source, "max", args)


def _one_kind(args: list[Figure]) -> Kind:
    kinds = {a.kind for a in args}
    if len(kinds) > 1:
        raise FigureError("min() and max() take figures of one kind")
    return kinds.pop()


def _made(value: float, kind: Kind, source: str, op: str, args: list[Figure]) -> Figure:
    """A figure computed from others: it rests on all their parts.

    Its source ends like its arguments' (".low", ".high") when they all do, so that
    ``min(estimates[2016].low, ...)`` is rounded down like a lower end.
    """
    parts = tuple(p for a in args for p in a.parts)
    ends = {a._direction() for a in args}
    rounded = ends.pop() if op in ("min", "max", "abs") and len(ends) == 1 else None
    return Figure(value, kind, source, parts, op, tuple(args), rounded)


class Figures:
    """Evaluates figure references against one publication."""

    def __init__(self, published: Published) -> None:
        self.published = published

    def evaluate(self, reference: str) -> Figure:
        """The figure a reference names; :class:`FigureError` when it names none."""
        text = reference.strip()
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError as exc:
            raise FigureError(f"not a figure reference: {text!r}") from exc
        return self._node(tree.body, text)

    def _node(self, node: ast.expr, source: str) -> Figure:
        extended = self._extended(node, source)
        if extended is not None:
            return extended
        if isinstance(node, ast.Subscript) and _name(node.value) in _ESTIMATES:
            return self._estimate(node, "point", source)
        if isinstance(node, ast.Subscript):
            return self._cell(node, source)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Subscript):
            return self._estimate(node.value, node.attr, source)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            fn = _FUNCTIONS.get(node.func.id)
            if fn is None:
                raise FigureError(f"unknown function {node.func.id}(); known: {_known()}")
            return fn([self._node(a, ast.unparse(a)) for a in node.args], source)
        raise FigureError(f"not a figure reference: {source!r}")

    def _cell(self, node: ast.Subscript, source: str) -> Figure:
        name = _table_name(node.value)
        if name is None:
            raise FigureError(f"not a table cell: {source!r}")
        table = self.published.tables.get(name)
        if table is None:
            known = ", ".join(sorted(self.published.tables))
            # A table of the monitor that this publication does not hold (one made from
            # published figures, an older one) is absent, so an optional block leaves it out;
            # any other name is a mistake in the text.
            absent = name in _MONITOR_TABLES
            message = f"no published table {name!r} (published: {known})"
            raise FigureError(message, absent=absent)
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        key = tuple(_key_part(p, source) for p in parts)
        if len(key) != len(table.dimensions):
            dims = ", ".join(table.dimensions)
            raise FigureError(f"{name} has {len(table.dimensions)} dimensions ({dims}): {source}")
        cell = table.by_key.get(key)
        if cell is None:
            raise FigureError(f"{name} has no cell {', '.join(key)}")
        if cell.value is None and cell.not_available:
            raise FigureError(f"{source}: no figure was published for it", hidden=True)
        if cell.value is None:
            raise FigureError(f"{source} is suppressed by disclosure control", hidden=True)
        at = table.dimensions.index("year") if "year" in table.dimensions else None
        year = key[at] if at is not None else ""
        series = tuple(k for i, k in enumerate(key) if i != at)
        return Figure(float(cell.value), Kind.COUNT, source, (Part(name, series, year),))

    def _estimate(self, node: ast.Subscript, part: str, source: str) -> Figure:
        what = _name(node.value)
        if what not in _ESTIMATES or part not in _PARTS:
            raise FigureError(
                f"expected estimates[YEAR].point|low|high or coverage[YEAR]: {source}"
            )
        year = _key_part(node.slice, source)
        estimate = self.published.estimates.get(year)
        if estimate is None:
            known = ", ".join(sorted(self.published.estimates)) or "none"
            absent = int(year) in self.published.years if year.isdigit() else False
            raise FigureError(
                f"no published estimate for {year} (published: {known})", absent=absent
            )
        index = _PARTS.index(part)
        parts = (Part(what, (), year, part),)
        if what == "estimates":
            value = (estimate.point, estimate.low, estimate.high)[index]
            return Figure(value, Kind.ESTIMATE, source, parts)
        if estimate.coverage is None:
            raise FigureError(
                f"no coverage for {year}: its registered count is not published", absent=True
            )
        # Both ends of a coverage interval carry the decimals of the lower (8,0% tot 15,7%).
        places = percent_decimals(min(estimate.coverage[1], estimate.coverage[2]))
        return Figure(estimate.coverage[index], Kind.PERCENT, source, parts, decimals=places)

    def _extended(self, node: ast.expr, source: str) -> Figure | None:
        """A stratum's estimate, ``estimates[2014, domestic_sexual, minor]`` (``.low``,
        ``.high``), or the mean over a range of years, ``mean(table[2014:2017, code])``; None
        for any other reference."""
        attr = "point"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Subscript):
            attr, node = node.attr, node.value
        if (
            isinstance(node, ast.Subscript)
            and _name(node.value) in _ESTIMATES
            and isinstance(node.slice, ast.Tuple)
        ):
            what = str(_name(node.value))
            return self._stratum(what, node.slice.elts, attr, source)
        if (
            isinstance(node, ast.Call)
            and _name(node.func) == "mean"
            and len(node.args) == 1
            and isinstance(node.args[0], ast.Subscript)
            and isinstance(node.args[0].slice, ast.Tuple | ast.Slice)
        ):
            return self._period(node.args[0], source)
        return None

    def _stratum(self, what: str, parts: list[ast.expr], attr: str, source: str) -> Figure:
        """``estimates[2018, domestic_sexual]``, or ``coverage[...]``: the stratum's registered
        count over its estimate, the interval turned round, both ends with one precision."""
        key = tuple(_key_part(p, source) for p in parts)
        found = self.published.stratum_estimates.get(key)
        if found is None:
            raise _absent(f"no published estimate for {', '.join(key)}")
        value = {"point": found.point, "low": found.low, "high": found.high}.get(attr)
        if value is None:
            raise _absent(f"{source}: no {attr} published for this estimate")
        if what == "estimates":
            return Figure(value, Kind.ESTIMATE, source)
        registered = self._registered(key, source)
        ends = (found.high, found.low)
        if any(e is None or e <= 0 for e in ends) or found.point <= 0:
            raise _absent(f"{source}: no interval to turn into a coverage")
        share = {"point": found.point, "low": found.high, "high": found.low}[attr]
        assert share is not None
        places = percent_decimals(min(registered / e for e in ends if e))
        return Figure(registered / share, Kind.PERCENT, source, decimals=places)

    def _registered(self, key: tuple[str, ...], source: str) -> float:
        """The published count of a stratum's year: its form (and age) group."""
        year, *codes = key
        if len(codes) == 1:
            reference = f"victims_by_form[{year}, {codes[0]}]"
        elif codes[:1] == ["domestic_sexual"]:
            reference = f"domestic_sexual_by_age[{year}, {codes[1]}]"
        else:
            reference = f"victims_by_form_age[{year}, {', '.join(codes)}]"
        return self.evaluate(reference).value

    def _period(self, node: ast.Subscript, source: str) -> Figure:
        """The mean per year over a range of years (the bounds included): of the published
        cells when all are shown, else the period's mean as published (``PeriodFigure``)."""
        name = _table_name(node.value)
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        span = next((e for e in elts if isinstance(e, ast.Slice)), None)
        if name is None or span is None or span.lower is None or span.upper is None:
            raise FigureError(f"a range of years is written TABLE[2014:2017, ...]: {source}")
        first, last = _key_part(span.lower, source), _key_part(span.upper, source)
        years = tuple(str(y) for y in range(int(first), int(last) + 1))
        series = tuple(_key_part(e, source) for e in elts if e is not span)
        position = elts.index(span)
        cells = []
        for year in years:
            key = [*series[:position], year, *series[position:]]
            cells.append(f"{name}[{', '.join(key)}]")
        try:
            return self._node(ast.parse(f"mean({', '.join(cells)})", mode="eval").body, source)
        except FigureError:
            published = self.published.periods.get((name, series, years))
            if published is None:
                raise
        parts = tuple(Part(name, series, year) for year in years)
        return Figure(published.value, Kind.MEAN, source, parts, "mean")

    def universe(self) -> Iterator[Figure]:
        """Every figure a literal number may state without naming it."""
        for name, table in self.published.tables.items():
            for cell in table.cells:
                if cell.value is not None:
                    yield Figure(float(cell.value), Kind.COUNT, f"{name}[{', '.join(cell.key)}]")
        for year, estimate in self.published.estimates.items():
            for part in _PARTS:
                yield self.evaluate(f"estimates[{year}].{part}")
                if estimate.coverage is not None:
                    yield self.evaluate(f"coverage[{year}].{part}")


_ESTIMATES = ("estimates", "coverage")
_MONITOR_TABLES = frozenset(spec.name for spec in TABLE_SPECS)
_PARTS = ("point", "low", "high")

# Former names of published tables that an editorial text may still use, and the name the
# publication gives the table. The factsheet called the police table police_reports_by_group
# (an early draft of publication.md did), while every publication names it
# police_reports_by_form; texts written before keep working.
TABLE_ALIASES: Mapping[str, str] = {"police_reports_by_group": "police_reports_by_form"}


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _table_name(node: ast.expr) -> str | None:
    """The published name of the table a reference names (a former name read as today's)."""
    name = _name(node)
    return None if name is None else TABLE_ALIASES.get(name, name)


def _key_part(node: ast.expr, source: str) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | str):
        return str(node.value)
    if isinstance(node, ast.Name):
        return node.id
    raise FigureError(f"a cell key is a year or a category code: {source}")


def _absent(message: str) -> FigureError:
    """Not in this publication though well formed: an optional block leaves it out."""
    error = FigureError(message)
    error.absent = True  # type: ignore[attr-defined,unused-ignore]
    return error


def _known() -> str:
    return ", ".join(sorted(_FUNCTIONS))
