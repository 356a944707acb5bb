"""The evidence rules: what a sentence of the factsheet may say about the figures it cites.

The number check (``editorial.py``) makes sure every number is a published figure as printed.
These rules look at the sentence around the numbers (``docs/methods/factsheet.md``):

* an estimate or coverage is given with its interval (both ends) and its year (VM808);
* "per jaar" / "a year" only for a statement over several years or their mean, and a range of
  yearly estimates from different models says so (VM809);
* a change word ("gedaald", "bijna gehalveerd", "verslechtert") needs a comparison of one
  series in the sentence that the trend rule calls a change in that direction and size: counts
  by the exact Poisson interval of ``findings/trends.py``, estimates and coverage only when their
  intervals do not overlap (VM810); a heading's words are checked against its section;
* a change between years that are further apart does not hide a turn: a fall after which the
  series rises again significantly names the turning year (VM811);
* no causal or concluding words in the text about the figures (VM812);
* a count of victims says that they are registered (VM813).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from victim_monitor.findings.trends import rate_ratio_interval
from victim_monitor.findings.wording import CAUSAL, PER_YEAR, REGISTERED, change_words, supports
from victim_monitor.reporting.figures import Figure, Lang, Part
from victim_monitor.reporting.published import Published

CHECKED_SECTIONS = ("intro", "headlines")  # the sections that speak about the figures
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a section, its figures, and the paragraph (or section) it stands in."""

    text: str  # the words, placeholders removed
    row: int
    figures: tuple[Figure, ...]
    estimate_literals: tuple[str, ...] = ()  # plain literals that can only be estimates
    paragraph: str = ""
    scope: tuple[Figure, ...] = ()  # a heading's section, else the sentence's figures
    complete: bool = True  # False when a placeholder failed: only that problem is reported


@dataclass(frozen=True, slots=True)
class Breach:
    """A rule a sentence breaks: the code's name in ``codes.py`` and why."""

    code: str  # INTERVAL_MISSING, PER_YEAR, CHANGE_UNSUPPORTED, TURN_HIDDEN, CAUSAL, UNREGISTERED
    message: str
    row: int
    sentence: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two periods of one series as the trend rule sees them."""

    series: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    ratio: float
    low: float
    high: float
    direction: str  # up, down, none
    table: str = ""
    key: tuple[str, ...] = ()

    def describe(self, lang: Lang) -> str:
        a, b = _period(self.before), _period(self.after)
        if lang == "nl":
            return f"{self.series} {a} tegen {b}: verhouding {self.ratio:.2f} ({self.how})"
        return f"{self.series} {a} against {b}: ratio {self.ratio:.2f} ({self.how})"

    @property
    def how(self) -> str:
        return f"{self.low:.2f}-{self.high:.2f}, {self.direction}"


def check(
    sentences: Iterable[Sentence], section: str, published: Published, lang: Lang
) -> list[Breach]:
    """Every rule every sentence of ``section`` breaks."""
    out: list[Breach] = []
    for s in sentences:
        out += _interval(s)
        if section not in CHECKED_SECTIONS or not s.complete:
            continue
        out += _per_year(s, published, lang)
        out += _change(s, published, lang)
        if CAUSAL[lang].search(s.text.lower()):
            word = CAUSAL[lang].search(s.text.lower())
            assert word is not None
            out.append(
                Breach(
                    "CAUSAL",
                    f"'{word.group(0)}' draws a conclusion or names a cause "
                    "that counts of registered victims cannot show",
                    s.row,
                    s.text,
                )
            )
        out += _registered(s, lang)
    return out


def _interval(s: Sentence) -> list[Breach]:
    out = [
        Breach(
            "INTERVAL_MISSING",
            f"{lit} can only be an estimate or coverage: write it as "
            "a reference with its interval ({{ estimates[YEAR].low }} to ...high)",
            s.row,
            s.text,
        )
        for lit in s.estimate_literals
    ]
    ends: dict[tuple[str, str], set[str]] = {}
    for p in _parts(s.figures):
        if p.estimated:
            ends.setdefault((p.table, p.year), set()).add(p.end)
    for (table, year), have in sorted(ends.items()):
        if not {"low", "high"} <= have:
            out.append(
                Breach(
                    "INTERVAL_MISSING",
                    f"{table}[{year}] without its interval: give "
                    f"{table}[{year}].low and .high in the same sentence",
                    s.row,
                    s.text,
                )
            )
    years = sorted({year for _, year in ends})
    said = set(_YEAR.findall(s.text))
    if years and not {years[0], years[-1]} <= said:
        out.append(
            Breach(
                "INTERVAL_MISSING",
                f"an estimate without its year: the sentence must name {_period(tuple(years))}",
                s.row,
                s.text,
            )
        )
    return out


def _per_year(s: Sentence, published: Published, lang: Lang) -> list[Breach]:
    match = PER_YEAR[lang].search(s.text.lower())
    if match is None or not s.figures:
        return []
    years = {p.year for p in _parts(s.figures)}
    means = any(f.op == "mean" and len({p.year for p in f.parts}) > 1 for f in _all(s.figures))
    if len(years) < 2 and not means:
        return [
            Breach(
                "PER_YEAR",
                f"'{match.group(0)}' but every figure is of {_period(tuple(years))} "
                "only: name the year, or give the range or mean over years",
                s.row,
                s.text,
            )
        ]
    estimated = sorted({p.year for p in _parts(s.figures) if p.estimated})
    models = {published.estimates[y].model for y in estimated if y in published.estimates}
    if len(models) > 1 and "model" not in s.paragraph.lower():
        return [
            Breach(
                "PER_YEAR",
                f"the estimates of {_period(tuple(estimated))} come from "
                f"different models ({', '.join(sorted(models))}): say so",
                s.row,
                s.text,
            )
        ]
    return []


def _change(s: Sentence, published: Published, lang: Lang) -> list[Breach]:
    words = change_words(s.text, lang)
    if not words:
        return []
    comparisons = compare(s.scope or s.figures, published)
    out: list[Breach] = []
    for word in words:
        fits = [
            c
            for c in comparisons
            if supports(word, c.direction, c.ratio) and (not word.view or c.table == "coverage")
        ]
        if not comparisons:
            out.append(
                Breach(
                    "CHANGE_UNSUPPORTED",
                    f"'{word.text}' names a change, but the "
                    "sentence compares no two years or periods of one series "
                    "(cite both as placeholders)",
                    s.row,
                    s.text,
                )
            )
        elif not fits:
            seen = "; ".join(c.describe(lang) for c in comparisons)
            out.append(
                Breach(
                    "CHANGE_UNSUPPORTED",
                    f"'{word.text}' is not what the trend rule finds: {seen}",
                    s.row,
                    s.text,
                )
            )
        for c in fits:
            turn = _turn(c, published, s.scope or s.figures)
            if turn is not None:
                out.append(
                    Breach(
                        "TURN_HIDDEN",
                        f"'{word.text}' from {_period(c.before)} to "
                        f"{_period(c.after)}, but {c.series} {turn}; name that year",
                        s.row,
                        s.text,
                    )
                )
    return out


def _registered(s: Sentence, lang: Lang) -> list[Breach]:
    victims = [p for p in _parts(s.figures) if not p.estimated and "reports" not in p.table]
    if victims and not REGISTERED[lang].search(s.text.lower()):
        words = "'geregistreerd', 'gemeld', 'in beeld'" if lang == "nl" else "'registered'"
        return [
            Breach(
                "UNREGISTERED",
                f"a count of {victims[0].table} is a count of registered victims: say so ({words})",
                s.row,
                s.text,
            )
        ]
    return []


def compare(figures: Sequence[Figure], published: Published) -> list[Comparison]:
    """The comparisons of one series a sentence makes: its earliest period against its latest."""
    periods: dict[tuple[str, tuple[str, ...]], set[tuple[str, ...]]] = {}
    for figure in figures:
        for table, series, years in _periods(figure):
            periods.setdefault((table, series), set()).add(years)
    out: list[Comparison] = []
    for (table, series), found in periods.items():
        if len(found) < 2:
            continue
        before = min(found, key=lambda p: (max(p), -len(p)))
        after = max(found, key=lambda p: (max(p), -len(p)))
        if set(before) & set(after):
            continue
        made = _compare(published, table, series, before, after)
        if made is not None:
            out.append(made)
    return out


def _periods(figure: Figure) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(table, series, years) of each period a figure names; change(a, b) names two."""
    if figure.op in ("change", "abs", "share", "min", "max"):
        return [p for a in figure.args for p in _periods(a)]
    groups: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for p in figure.parts:
        groups.setdefault(
            (p.table if not p.estimated else f"{p.table}.{p.end}", p.series), set()
        ).add(p.year)
    return [(t, s, tuple(sorted(ys))) for (t, s), ys in groups.items()]


def _compare(
    published: Published,
    table: str,
    series: tuple[str, ...],
    a: tuple[str, ...],
    b: tuple[str, ...],
) -> Comparison | None:
    name = ", ".join((table, *series))
    if "." in table:  # an estimate or coverage: a change only when the intervals do not overlap
        kind = table.split(".")[0]
        ea, eb = _interval_of(published, kind, a), _interval_of(published, kind, b)
        if ea is None or eb is None:
            return None
        direction = "down" if eb[2] < ea[1] else "up" if eb[1] > ea[2] else "none"
        return Comparison(kind, a, b, eb[0] / ea[0], ea[1], ea[2], direction, kind)
    xa, xb = _sum(published, table, series, a), _sum(published, table, series, b)
    if xa is None or xb is None or xa == 0:
        return None
    ratio, low, high = rate_ratio_interval(xa, len(a), xb, len(b))
    direction = "down" if high < 1 else "up" if low > 1 else "none"
    return Comparison(name, a, b, ratio, low, high, direction, table, series)


def _interval_of(
    published: Published, kind: str, years: tuple[str, ...]
) -> tuple[float, float, float] | None:
    if len(years) != 1 or years[0] not in published.estimates:
        return None
    e = published.estimates[years[0]]
    return (e.point, e.low, e.high) if kind == "estimates" else e.coverage


def _sum(
    published: Published, table: str, series: tuple[str, ...], years: Iterable[str]
) -> int | None:
    values = [series_value(published, table, series, y) for y in years]
    if any(v is None for v in values):  # a mean published for the period (--from-figures)
        period = published.periods.get((table, series, tuple(years)))
        return None if period is None else round(period.value * len(values))
    return sum(v for v in values if v is not None)


def series_value(
    published: Published, table: str, series: tuple[str, ...], year: str
) -> int | None:
    """The shown count of a series in a year, ``None`` when suppressed or absent."""
    t = published.tables.get(table)
    if t is None or "year" not in t.dimensions:
        return None
    key = list(series)
    key.insert(t.dimensions.index("year"), year)
    cell = t.by_key.get(tuple(key))
    return None if cell is None else cell.value


def _turn(c: Comparison, published: Published, scope: Sequence[Figure]) -> str | None:
    """The turn a first-to-last change hides: a significant move back after the lowest (for a
    fall) or highest (for a rise) year in between, when the scope does not cite that year."""
    if not c.table or len(c.before) != 1 or len(c.after) != 1 or c.direction == "none":
        return None
    first, last = int(c.before[0]), int(c.after[0])
    between = [str(y) for y in range(first + 1, last)]
    values = {y: series_value(published, c.table, c.key, y) for y in between}
    shown = {y: v for y, v in values.items() if v is not None}
    end = series_value(published, c.table, c.key, c.after[0])
    if not shown or end is None:
        return None
    if len(shown) == len(between):  # the mean of the earlier years must agree (the seed's way)
        start = series_value(published, c.table, c.key, c.before[0])
        earlier = (start or 0) + sum(shown.values())
        _, low, high = rate_ratio_interval(earlier, len(between) + 1, end, 1)
        if (c.direction == "down" and high >= 1) or (c.direction == "up" and low <= 1):
            mean = round(earlier / (len(between) + 1))
            return f"averaged {mean} a year in {c.before[0]}-{last - 1}: no clear change to {end}"
    pick = min if c.direction == "down" else max
    year = pick(shown, key=lambda y: shown[y])
    if shown[year] == 0:
        return None
    _, low, high = rate_ratio_interval(shown[year], 1, end, 1)
    back = low > 1 if c.direction == "down" else high < 1
    cited = any(p.table == c.table and p.series == c.key and p.year == year for p in _parts(scope))
    if not back or cited:
        return None
    move = "rose" if c.direction == "down" else "fell"
    return f"{move} again from {shown[year]} in {year} to {end} in {last}"


def _parts(figures: Iterable[Figure]) -> list[Part]:
    return [p for f in figures for p in f.parts]


def _all(figures: Iterable[Figure]) -> list[Figure]:
    out: list[Figure] = []
    for f in figures:
        out.append(f)
        out += _all(f.args)
    return out


def _period(years: tuple[str, ...]) -> str:
    if not years:
        return "one year"
    return years[0] if len(years) == 1 else f"{years[0]}-{years[-1]}"
