"""Figures: the numbers the factsheet may print, named, evaluated and formatted per language.

A figure reference is a small expression over the publication (see ``docs/methods/factsheet.md``):

    victims_by_year[2018]                       a cell of a published table, keys in its order
    victims_by_form[2018, domestic_sexual]
    estimates[2018], estimates[2018].low        the estimate of a year (point, low, high)
    coverage[2018], coverage[2018].high         registered / estimate, as a percentage
    change(victims_by_year[2014], victims_by_year[2018])   relative change, a percentage
    share(a, b), mean(a, b, ...), sum(a, b, ...), abs(x)

References are parsed with :mod:`ast` and only these forms are accepted, so an editorial file
can never run code. A hidden cell has no value: citing it, directly or inside a function, is an
error (the text must not suggest a number that disclosure control withheld).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from victim_monitor.reporting.published import Published

Lang = Literal["nl", "en"]


class Kind(StrEnum):
    COUNT = "count"  # a published cell: exact
    ESTIMATE = "estimate"  # a model estimate: printed rounded to two significant digits
    PERCENT = "percent"  # a fraction, printed as a percentage


class FigureError(ValueError):
    """A reference that cannot be evaluated; ``hidden`` when it needs a withheld cell."""

    def __init__(self, message: str, *, hidden: bool = False) -> None:
        super().__init__(message)
        self.hidden = hidden


@dataclass(frozen=True, slots=True)
class Figure:
    """A number that may be printed, with what kind of number it is and where it comes from."""

    value: float
    kind: Kind
    source: str

    def shown(self) -> float:
        """The value as printed (before the language's separators)."""
        if self.kind is Kind.ESTIMATE:
            return float(round_significant(self.value, direction=_end(self.source)))
        if self.kind is Kind.PERCENT:
            return _round_percent(self.value, percent_decimals(self.value), _end(self.source))
        return self.value

    def display(self, lang: Lang) -> str:
        if self.kind is Kind.PERCENT:
            if _end(self.source) == "nearest":
                return format_percent(self.value, lang)
            return format_percent(self.shown() / 100, lang)
        return format_int(round(self.shown()), lang)

    def matches(self, number: float, percent: bool, decimals: int) -> bool:
        """Whether a literal number written in the text states this figure."""
        if percent != (self.kind is Kind.PERCENT):
            return False
        if percent:
            # "60% fewer" states a change of -60%: the sign is in the words.
            return math.isclose(round(abs(self.value) * 100, decimals), number)
        if self.kind is Kind.ESTIMATE:
            return number in (self.shown(), float(round(self.value)))
        return math.isclose(self.value, number)


Direction = Literal["nearest", "down", "up"]


def _end(source: str) -> Direction:
    """The lower end of an interval is rounded down and the upper end up, never inwards."""
    if source.endswith(".low"):
        return "down"
    if source.endswith(".high"):
        return "up"
    return "nearest"


def _rounded(scaled: float, direction: Direction) -> int:
    if direction == "down":
        return math.floor(scaled + 1e-9)
    if direction == "up":
        return math.ceil(scaled - 1e-9)
    return round(scaled)


def round_significant(value: float, digits: int = 2, direction: Direction = "nearest") -> int:
    """Round to ``digits`` significant digits (7,480 -> 7,500), as estimates are published.

    Interval ends are rounded outwards (``direction`` "down" for the lower, "up" for the
    upper end), so that a printed interval never claims more precision than the estimate.
    """
    if value == 0 or not math.isfinite(value):
        return 0
    magnitude = math.floor(math.log10(abs(value)))
    step = 10 ** max(magnitude - digits + 1, 0)
    return int(_rounded(value / step, direction) * step)


def _round_percent(fraction: float, decimals: int, direction: Direction) -> float:
    scale = 10.0**decimals
    return _rounded(fraction * 100 * scale, direction) / scale


def percent_decimals(fraction: float) -> int:
    """Whole percentages, one decimal below 10% (a coverage of 2.4% is not "2%")."""
    return 1 if abs(fraction) < 0.1 else 0


def format_int(value: int, lang: Lang) -> str:
    """5.000 in Dutch, 5,000 in English; a minus sign, not a hyphen."""
    text = f"{abs(value):,}"
    if lang == "nl":
        text = text.replace(",", ".")
    return ("−" if value < 0 else "") + text


def format_percent(fraction: float, lang: Lang) -> str:
    decimals = percent_decimals(fraction)
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
        raise FigureError("change() from zero is undefined")
    return Figure(after.value / before.value - 1, Kind.PERCENT, source)


@_function("share")
def _share(args: list[Figure], source: str) -> Figure:
    _arity(args, 2, "share")
    part, whole = args
    if whole.value == 0:
        raise FigureError("share() of zero is undefined")
    return Figure(part.value / whole.value, Kind.PERCENT, source)


@_function("sum")
def _sum(args: list[Figure], source: str) -> Figure:
    kinds = {a.kind for a in args}
    kind = Kind.ESTIMATE if Kind.ESTIMATE in kinds else Kind.COUNT
    return Figure(sum(a.value for a in args), kind, source)


@_function("mean")
def _mean(args: list[Figure], source: str) -> Figure:
    if not args:
        raise FigureError("mean() of nothing")
    # A mean of counts is no published count: it is printed rounded, like an estimate.
    return Figure(sum(a.value for a in args) / len(args), Kind.ESTIMATE, source)


@_function("abs")
def _abs(args: list[Figure], source: str) -> Figure:
    _arity(args, 1, "abs")
    return Figure(abs(args[0].value), args[0].kind, source)


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
        name = _name(node.value)
        if name is None:
            raise FigureError(f"not a table cell: {source!r}")
        table = self.published.tables.get(name)
        if table is None:
            known = ", ".join(sorted(self.published.tables))
            raise FigureError(f"no published table {name!r} (published: {known})")
        parts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        key = tuple(_key_part(p, source) for p in parts)
        if len(key) != len(table.dimensions):
            dims = ", ".join(table.dimensions)
            raise FigureError(f"{name} has {len(table.dimensions)} dimensions ({dims}): {source}")
        cell = table.cells.get(key)
        if cell is None:
            raise FigureError(f"{name} has no cell {', '.join(key)}")
        if cell.value is None:
            raise FigureError(f"{source} is suppressed by disclosure control", hidden=True)
        return Figure(float(cell.value), Kind.COUNT, source)

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
            raise FigureError(f"no published estimate for {year} (published: {known})")
        index = _PARTS.index(part)
        if what == "estimates":
            value = (estimate.point, estimate.low, estimate.high)[index]
            return Figure(value, Kind.ESTIMATE, source)
        if estimate.coverage is None:
            raise FigureError(f"no coverage for {year}: its registered count is not published")
        return Figure(estimate.coverage[index], Kind.PERCENT, source)

    def universe(self) -> Iterator[Figure]:
        """Every figure a literal number may state without naming it."""
        for name, table in self.published.tables.items():
            for key, cell in table.cells.items():
                if cell.value is not None:
                    yield Figure(float(cell.value), Kind.COUNT, f"{name}[{', '.join(key)}]")
        for year, estimate in self.published.estimates.items():
            for part in _PARTS:
                yield self.evaluate(f"estimates[{year}].{part}")
                if estimate.coverage is not None:
                    yield self.evaluate(f"coverage[{year}].{part}")


_ESTIMATES = ("estimates", "coverage")
_PARTS = ("point", "low", "high")


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else None


def _key_part(node: ast.expr, source: str) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | str):
        return str(node.value)
    if isinstance(node, ast.Name):
        return node.id
    raise FigureError(f"a cell key is a year or a category code: {source}")


def _known() -> str:
    return ", ".join(sorted(_FUNCTIONS))
