"""``publish --from-figures``: a publication directory made from figures published before.

An office that has no register yet (or wants to reissue an old edition) has only the
figures its earlier publications gave. This builds the same directory ``publish`` writes
(``docs/methods/publication.md``) from a figures file (:mod:`.figures`): a table for every
table the file has a figure for, each cell with its figure and source, or ``not_available``
(never a zero); the published estimates (method ``published``); trends and findings computed
from those figures by the same rules as a register's. Disclosure control is not applied:
every figure is public already (the rapporteur published it), and nothing is counted here.

A few cells follow from another table's figure by definition (the margin of a table counted
once is the year's registered victims; domestic sexual exploitation's total by age is that
form's count): such a cell takes that figure and its source, and two figures for one cell
must agree (VM756).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from itertools import product
from pathlib import Path
from typing import Literal

from victim_monitor.findings import LEVEL, findings, trends
from victim_monitor.findings.trends import rate_ratio_interval, trend_id
from victim_monitor.problems import Problem
from victim_monitor.publication.codes import (
    FIGURE_INCONSISTENT,
    NO_PERSONS,
    PublicationError,
)
from victim_monitor.publication.figures import (
    ESTIMATES,
    FiguresFile,
    PublishedFigure,
    dimension_codes,
    read_figures,
)
from victim_monitor.published.model import (
    TOTAL,
    CellKey,
    Publication,
    PublishedCell,
    PublishedTable,
    Trend,
    YearEstimate,
    label_dict,
    title_of,
)
from victim_monitor.published.write import write_publication
from victim_monitor.tables import COUNTING, DIMENSION_LABELS, TABLES, category_label
from victim_monitor.tables.categories import categories
from victim_monitor.tables.specs import Spec
from victim_monitor.vocab import Label

KIND = "published_figures"  # manifest.json source.kind of such a publication
METHOD = "published"  # the estimates' method: taken as published, not estimated here
Key = tuple[tuple[str, str], ...]

NOT_AVAILABLE = Label(
    "Niet beschikbaar: voor deze cel is geen cijfer gepubliceerd (geen nul)",
    "Not available: no figure was published for this cell (not a zero)",
)
ESTIMATE_NOTE = Label(
    "Schattingen zoals eerder gepubliceerd, met de bron per schatting; niet opnieuw geschat. "
    "Een schatting voor een periode geldt per jaar voor elk jaar van die periode. Dekking = "
    "geregistreerd / geschat.",
    "Estimates as published before, with the source of each; not estimated again. An "
    "estimate for a period holds per year for each year of it. Coverage = registered / "
    "estimated.",
)
OUTCOMES = {
    "shown": Label("Gepubliceerd cijfer, met zijn bron", "Published figure, with its source"),
    "suppressed": Label(
        "Niet gepubliceerd, ter bescherming van slachtoffers (x)",
        "Not published, to protect victims (x)",
    ),
    "rounded": Label("Afgerond", "Rounded"),
    "not_available": NOT_AVAILABLE,
}
POLICY_NOTE = Label(
    "Geen statistische beveiliging toegepast: elk cijfer is al eerder openbaar gemaakt, met "
    "de beveiliging van de oorspronkelijke publicatie.",
    "No disclosure control applied: every figure was made public before, protected as its "
    "original publication protected it.",
)

# Cells that hold the same persons by definition: (table, key pattern) pairs; "*" is any code,
# the same on both sides. Besides these, a table's margin (every dimension Total) is the
# year's registered victims, unless the table is about a part of them (``fixed``).
SAME: tuple[tuple[tuple[str, Mapping[str, str]], tuple[str, Mapping[str, str]]], ...] = (
    (("domestic_sexual_by_age", {"age_group": "*"}),
     ("victims_by_form_age", {"form_group": "domestic_sexual", "age_group": "*"})),
    (("domestic_sexual_by_age", {"age_group": TOTAL}),
     ("victims_by_form", {"form_group": "domestic_sexual"})),
    (("police_reports_by_form", {"form_group": TOTAL}),
     ("victims_by_list", {"estimation_list": "P"})),
    (("victims_by_form_age", {"form_group": "*", "age_group": TOTAL}),
     ("victims_by_form", {"form_group": "*"})),
    (("victims_by_form_age", {"form_group": TOTAL, "age_group": "*"}),
     ("victims_by_age", {"age_group": "*"})),
)  # fmt: skip


@dataclass(frozen=True)
class FiguresResult:
    """What ``publish --from-figures`` wrote: the publication and the figures it came from."""

    out: Path
    publication: Publication
    figures: FiguresFile
    seconds: float

    def summary(self) -> str:
        pub = self.publication
        cells = [c for t in pub.tables.values() for c in t.cells]
        shown = sum(c.outcome == "shown" for c in cells)
        return "\n".join(
            [
                f"Publication {pub.title.en} from {len(self.figures.figures)} published figures "
                f"({self.figures.path})",
                f"  {len(pub.tables)} tables: {shown} cells with a figure, "
                f"{len(cells) - shown} not available; {len(pub.estimates)} estimates, "
                f"{len(pub.trends)} trends, {len(pub.findings)} findings",
                f"  written to {self.out} in {self.seconds:.1f} s",
            ]
        )


def publish_figures(figures: str | Path, years: Sequence[int], out: str | Path) -> FiguresResult:
    """Publish ``years`` from the figures file ``figures`` into ``out`` (all or nothing)."""
    started = time.perf_counter()
    found = read_figures(figures)
    if found.problems:
        raise PublicationError(found.problems)
    publication = from_figures(found, [str(y) for y in years])
    target = write_publication(publication, out)
    return FiguresResult(target, publication, found, time.perf_counter() - started)


def from_figures(found: FiguresFile, years: Sequence[str]) -> Publication:
    """The publication of ``years`` from checked figures (VM742, VM756 when it cannot be)."""
    within = [f for f in found.figures if set(f.years) <= set(years)]
    cells = {(f.table, f.years[0], f.key): f for f in within if not f.period}
    if not any(f.table != ESTIMATES for f in within):
        span = f"{years[0]}-{years[-1]}"
        problem = NO_PERSONS(f"no figure of a table in {span}", file=str(found.path))
        raise PublicationError([problem])
    codes = dimension_codes(tuple(years))
    problems: list[Problem] = []
    tables: dict[str, PublishedTable] = {}
    for spec in TABLES:
        if any(table == spec.name for table, _, _ in cells):
            tables[spec.name] = _table(spec, years, cells, codes[spec.name], found, problems)
    problems += _consistency(tables)
    if problems:
        raise PublicationError(problems)
    overall, strata = _estimates([f for f in within if f.table == ESTIMATES], years, tables)
    found_trends = (*trends(list(tables.values()), years, LEVEL), *_period_trends(within, tables))
    return Publication(
        title=title_of(years),
        years=tuple(years),
        snapshot=found.sha256,
        policy={"method": METHOD, "note": label_dict(POLICY_NOTE)},
        audit=_audit(tables),
        counting=dict(COUNTING),
        outcomes=OUTCOMES,
        tables=tables,
        estimates=overall,
        stratum_estimates=strata,
        trends=found_trends,
        findings=findings(tables, found_trends, (*overall, *strata), years),
        software=f"victim-monitor {metadata.version('victim-monitor')}",
        source={"kind": KIND, "snapshot": found.sha256, "figures": found.path.name},
        estimation={"method": METHOD, "level": None, "rounding": None,
                    "sensitivity_methods": [],
                    "method_labels": {METHOD: {"nl": "Gepubliceerde schatting",
                                               "en": "Published estimate"}},
                    "note": label_dict(ESTIMATE_NOTE)},
        trend_level=LEVEL,
    )  # fmt: skip


def cited(figure: PublishedFigure) -> str:
    """The figure's source as published beside it: the source, then the note if any."""
    return figure.source + (f" ({figure.note})" if figure.note else "")


def _table(
    spec: Spec,
    years: Sequence[str],
    cells: Mapping[tuple[str, str, Key], PublishedFigure],
    codes: Mapping[str, frozenset[str]],
    found: FiguresFile,
    problems: list[Problem],
) -> PublishedTable:
    dims = spec.dimensions[1:]
    categories: dict[str, tuple[str, ...]] = {"year": tuple(years)}
    for dim in dims:
        if codes[dim]:
            order = spec.categories.get(dim) or _order(dim, years)
            categories[dim] = (*[c for c in order if c != TOTAL], TOTAL)
        else:  # organisations: those the figures name, in the file's order
            named = dict.fromkeys(dict(k)[dim] for t, _, k in cells if t == spec.name)
            categories[dim] = (*[c for c in named if c != TOTAL], TOTAL)
    out: list[PublishedCell] = []
    for combo in product(*(categories[d] for d in spec.dimensions)):
        year, key = combo[0], tuple(zip(dims, combo[1:], strict=True))
        figure = _figure(spec, year, key, cells, found, problems)
        if figure is None:
            out.append(PublishedCell(combo, None, "not_available"))
        else:
            out.append(PublishedCell(combo, round(figure.value), "shown", cited(figure)))
    return PublishedTable(
        name=spec.name,
        title=Label(spec.nl, spec.en),
        definition=spec.definition,
        measure="persons",
        counting=spec.counting,
        counting_label=COUNTING[spec.counting],
        dimensions=spec.dimensions,
        dimension_labels={d: DIMENSION_LABELS[d] for d in spec.dimensions},
        categories=categories,
        labels={
            d: {c: (Label(c, c) if d == "year" else category_label(d, c)) for c in cats}
            for d, cats in categories.items()
        },
        margins=dims,
        overlapping=spec.overlapping,
        fixed=dict(spec.fixed),
        cells=tuple(out),
    )


def _order(dim: str, years: Sequence[str]) -> tuple[str, ...]:
    return tuple(categories([int(y) for y in years], [])[dim])


def _figure(
    spec: Spec,
    year: str,
    key: Key,
    cells: Mapping[tuple[str, str, Key], PublishedFigure],
    found: FiguresFile,
    problems: list[Problem],
) -> PublishedFigure | None:
    """The figure of one cell: given for it, or for a cell with the same persons."""
    given = cells.get((spec.name, year, key))
    for table, other in _same(spec, key):
        alias = cells.get((table, year, other))
        if alias is None:
            continue
        if given is None:
            given = alias
        elif round(given.value) != round(alias.value) and given.row < alias.row:
            # (reported once: from the table of the earlier row)
            problems.append(
                FIGURE_INCONSISTENT(
                    f"{spec.name} {year} {_text(key)} is {given.value:g} (row {given.row}) but "
                    f"{table} {year} {_text(other)} is {alias.value:g}: the same persons",
                    file=str(found.path),
                    row=alias.row,
                    field="value",
                )
            )
    return given


def _same(spec: Spec, key: Key) -> list[tuple[str, Key]]:
    """The cells of other tables that hold the same persons as ``key`` of ``spec``."""
    out: list[tuple[str, Key]] = []
    if all(code == TOTAL for _, code in key) and not spec.fixed and spec.name != "victims_by_year":
        out.append(("victims_by_year", ()))
    here = dict(key)
    for left, right in SAME:
        for (table, pattern), (other, template) in ((left, right), (right, left)):
            if table != spec.name or set(pattern) != set(here):
                continue
            wild = {d: here[d] for d, p in pattern.items() if p == "*"}
            if any(p not in ("*", here[d]) for d, p in pattern.items()):
                continue
            filled = {d: (wild[d] if p == "*" else p) for d, p in template.items()}
            out.append((other, tuple(sorted(filled.items(), key=lambda p: _rank(other, p[0])))))
    return out


def _rank(table: str, dim: str) -> int:
    spec = next(s for s in TABLES if s.name == table)
    return spec.dimensions.index(dim)


def _text(key: Key) -> str:
    return ";".join(f"{d}={c}" for d, c in key) or "(all)"


def _consistency(tables: Mapping[str, PublishedTable]) -> list[Problem]:
    """A part larger than its table's total, or parts of an additive dimension adding up to
    more than it: two figures that cannot both be right."""
    problems: list[Problem] = []
    for table in tables.values():
        if len(table.dimensions) != 2:
            continue
        dim = table.dimensions[1]
        for year in table.categories["year"]:
            total = table.value(year=year, **{dim: TOTAL})
            if total is None:
                continue
            parts = [(c, table.value(year=year, **{dim: c})) for c in table.categories[dim][:-1]]
            given = [(c, v) for c, v in parts if v is not None]
            over = [c for c, v in given if v > total]
            additive = dim not in table.overlapping
            if over or (additive and sum(v for _, v in given) > total):
                what = ", ".join(over) if over else "the parts together"
                problems.append(
                    FIGURE_INCONSISTENT(
                        f"{table.name} {year}: {what} more than the total {total}",
                        field="value",
                    )
                )
    return problems


def _audit(tables: Mapping[str, PublishedTable]) -> dict[str, object]:
    cells = [c for t in tables.values() for c in t.cells]
    shown = sum(c.outcome == "shown" for c in cells)
    return {
        "passed": True,  # nothing to hide: every figure was published before
        "applied": False,
        "cells": len(cells),
        "shown": shown,
        "suppressed": 0,
        "rounded": 0,
        "not_available": len(cells) - shown,
    }


def _estimates(
    given: Sequence[PublishedFigure], years: Sequence[str], tables: Mapping[str, PublishedTable]
) -> tuple[tuple[YearEstimate, ...], tuple[YearEstimate, ...]]:
    """Each published estimate for each year it holds for: all victims, then the strata."""
    overall: list[YearEstimate] = []
    strata: list[YearEstimate] = []
    for figure in given:
        for year in figure.years:
            if year not in years:
                continue
            cell = _registered_cell(year, figure.key)
            registered = None
            if cell.table in tables:
                registered = tables[cell.table].value(**dict(cell.key))
            estimate = _estimate(figure, year, cell, registered)
            (strata if figure.key else overall).append(estimate)
    order = {y: i for i, y in enumerate(years)}
    overall.sort(key=lambda e: order[e.year])
    strata.sort(key=lambda e: (e.stratum, order[e.year]))
    return tuple(overall), tuple(strata)


def _registered_cell(year: str, key: Key) -> CellKey:
    stratum = dict(key)
    if not stratum:
        return CellKey.of("victims_by_year", {"year": year})
    if set(stratum) == {"form_group"}:
        return CellKey.of("victims_by_form", {"year": year, **stratum})
    if stratum.get("form_group") == "domestic_sexual":
        age = stratum["age_group"]
        return CellKey.of("domestic_sexual_by_age", {"year": year, "age_group": age})
    return CellKey.of("victims_by_form_age", {"year": year, **stratum})


def _estimate(
    figure: PublishedFigure, year: str, cell: CellKey, registered: int | None
) -> YearEstimate:
    point, low, high = figure.value, figure.low, figure.high
    known = registered is not None and point > 0
    return YearEstimate(
        year=year,
        registered=registered,
        registered_cell=cell,
        estimate=point,
        low=low,
        high=high,
        interval_method=METHOD if low is not None else "",
        coverage=round(registered / point, 3) if known and registered is not None else None,
        coverage_low=_ratio(registered, high),
        coverage_high=_ratio(registered, low),
        lists=(),
        model=METHOD,
        stratum=tuple(sorted(figure.key)),
        basis=METHOD,
        source=cited(figure),
    )


def _ratio(registered: int | None, estimate: float | None) -> float | None:
    if registered is None or estimate is None or estimate <= 0:
        return None
    return round(registered / estimate, 3)


def _period_trends(
    figures: Sequence[PublishedFigure], tables: Mapping[str, PublishedTable]
) -> list[Trend]:
    """A published mean over a period against each later year's figure of the same cell:
    the change as the rapporteur states it ("550 a year in 2014-2017, 150 in 2018")."""
    out: list[Trend] = []
    for f in figures:
        table = tables.get(f.table)
        if not f.period or table is None:
            continue
        later = [y for y in table.categories["year"] if y > f.years[-1]]
        for year in later:
            value = table.value(year=year, **dict(f.key))
            if value is None or f.value <= 0:
                continue
            n = len(f.years)
            ratio, low, high = rate_ratio_interval(round(f.value * n), n, value, 1, LEVEL)
            direction: Literal["up", "down", "none"] = (
                "down" if high < 1.0 else "up" if low > 1.0 else "none"
            )
            out.append(
                Trend(
                    id=trend_id(f.table, f.key, f.years, (year,)),
                    table=f.table,
                    key=tuple(sorted(f.key)),
                    from_years=f.years,
                    to_years=(year,),
                    from_value=round(f.value, 4),
                    to_value=float(value),
                    ratio=round(ratio, 4),
                    low=round(low, 4),
                    high=round(high, 4),
                    direction=direction,
                    cells=(CellKey.of(f.table, {"year": year, **dict(f.key)}),),
                    source=cited(f),
                )
            )
    return out
