"""The public dashboard's queries: one function per page, used by the HTML page and its JSON twin.

Everything here reads a :class:`~victim_monitor.publication.Publication` (protected tables,
estimates, findings), never the register. A suppressed cell stays ``None`` with
``suppressed: true``; it is never turned into a zero.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from victim_monitor.published import TOTAL, Publication, PublishedTable, YearEstimate
from victim_monitor.web.charts import Series, line_chart
from victim_monitor.web.i18n import Lang


class QueryError(ValueError):
    """A filter names a year or group the table does not have."""


@dataclass(frozen=True, slots=True)
class Figure:
    year: str
    value: int | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class EstimateRow:
    year: str
    registered: int | None
    estimate: float | None
    low: float | None
    high: float | None
    coverage: float | None
    coverage_low: float | None
    coverage_high: float | None
    model: str
    not_estimable: str = ""  # the reason, in the page's language, when there is no estimate
    pooled: bool = False  # a form's coverage over all years applied to this year


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """Every year's estimate by another method: ``rows`` by year, one entry per method."""

    methods: list[str]  # the methods' names in the page's language
    rows: list[tuple[str, list[EstimateRow]]]


@dataclass(frozen=True, slots=True)
class TableLink:
    name: str
    title: str
    dimensions: list[str]


@dataclass(frozen=True, slots=True)
class Overview:
    """The front page: registered and estimated victims per year, findings, the tables."""

    lang: str
    title: str
    years: list[str]
    registered: list[Figure]
    estimates: list[EstimateRow]
    estimate_note: str
    sensitivity: Sensitivity | None
    findings: list[str]
    tables: list[TableLink]
    cells: int
    suppressed_cells: int
    suppressed_note: str
    threshold: int | None


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class ViewCell:
    value: int | None
    suppressed: bool
    outcome: str


@dataclass(frozen=True, slots=True)
class ViewRow:
    year: str
    cells: list[ViewCell]


@dataclass(frozen=True, slots=True)
class TableView:
    """One protected table, filtered by a year range and a group of its second dimension."""

    lang: str
    name: str
    title: str
    definition: str
    counting: str
    dimension: str
    dimension_label: str
    years: list[str]
    groups: list[Category]
    year_from: str
    year_to: str
    group: str | None
    columns: list[Category]
    rows: list[ViewRow]
    suppressed_cells: int
    suppressed_note: str


def _note(pub: Publication, lang: Lang) -> str:
    found = pub.outcomes.get("suppressed")
    return found(lang) if found else ""


def overview(pub: Publication, lang: Lang) -> Overview:
    registered: list[Figure] = []
    by_year = pub.tables.get("victims_by_year")
    if by_year is not None:
        for year in by_year.categories["year"]:
            cell = by_year.cell(year=year)
            registered.append(Figure(year, cell.value, cell.suppressed))
    estimates = [_row(e, lang) for e in pub.estimates]
    note = pub.estimation.get("note")
    cells = [c for t in pub.tables.values() for c in t.cells]
    threshold = pub.policy.get("threshold")
    return Overview(
        lang=lang,
        title=pub.title(lang),
        years=list(pub.years),
        registered=registered,
        estimates=estimates,
        estimate_note=str(note.get(lang, "")) if isinstance(note, dict) else "",
        sensitivity=_sensitivity(pub, lang),
        findings=[f.text(lang) for f in pub.findings],
        tables=[TableLink(t.name, t.title(lang), list(t.dimensions)) for t in pub.tables.values()],
        cells=len(cells),
        suppressed_cells=sum(c.suppressed for c in cells),
        suppressed_note=_note(pub, lang),
        threshold=int(threshold) if isinstance(threshold, int) else None,
    )


def _row(e: YearEstimate, lang: Lang) -> EstimateRow:
    return EstimateRow(
        e.year, e.registered, e.estimate, e.low, e.high,
        e.coverage, e.coverage_low, e.coverage_high, e.model,
        "" if e.reason is None else (e.reason.nl if lang == "nl" else e.reason.en),
        e.basis == "pooled_years",
    )  # fmt: skip


def _sensitivity(pub: Publication, lang: Lang) -> Sensitivity | None:
    """The other methods' estimates per year, in the order the publication lists them."""
    if not pub.sensitivity:
        return None
    methods = list(dict.fromkeys(e.method for e in pub.sensitivity))
    labels = pub.estimation.get("method_labels", {})
    names = [str(labels.get(m, {}).get(lang, m)) for m in methods]
    rows = []
    for year in dict.fromkeys(e.year for e in pub.sensitivity):
        found = {e.method: e for e in pub.sensitivity if e.year == year}
        rows.append((year, [_row(found[m], lang) for m in methods if m in found]))
    return Sensitivity(names, rows)


def _label(table: PublishedTable, dim: str, code: str, lang: Lang) -> str:
    found = table.labels.get(dim, {}).get(code)
    return found(lang) if found else code


def table_view(
    pub: Publication,
    name: str,
    lang: Lang,
    *,
    year_from: int | None = None,
    year_to: int | None = None,
    group: str | None = None,
) -> TableView | None:
    """The table ``name`` (None when not published), filtered by years and group."""
    table = pub.tables.get(name)
    if table is None:
        return None
    years = list(table.categories["year"])
    first = str(year_from) if year_from is not None else years[0]
    last = str(year_to) if year_to is not None else years[-1]
    if first not in years or last not in years or first > last:
        raise QueryError(f"years must lie within {years[0]}-{years[-1]}, first before last")
    rest = table.dimensions[1:]
    dim = rest[0] if rest else ""
    groups = [Category(c, _label(table, dim, c, lang)) for c in table.categories.get(dim, ())]
    if group is not None and group not in {g.code for g in groups}:
        raise QueryError(f"table {name} has no group {group!r}")
    # Columns: every combination of the non-year dimensions, the first one filtered by group.
    choices = [
        [c for c in table.categories[d] if i > 0 or group is None or c == group]
        for i, d in enumerate(rest)
    ]
    combos = list(itertools.product(*choices))
    columns = [
        Category(
            "|".join(combo) or TOTAL,
            " / ".join(_label(table, d, c, lang) for d, c in zip(rest, combo, strict=True))
            or ("Totaal" if lang == "nl" else "Total"),
        )
        for combo in combos
    ]
    rows = []
    for year in years:
        if not first <= year <= last:
            continue
        cells = []
        for combo in combos:
            try:
                cell = table.cell(**dict(zip(table.dimensions, (year, *combo), strict=True)))
            except KeyError:
                cells.append(ViewCell(None, False, "absent"))
                continue
            cells.append(ViewCell(cell.value, cell.suppressed, cell.outcome))
        rows.append(ViewRow(year, cells))
    return TableView(
        lang=lang,
        name=table.name,
        title=table.title(lang),
        definition=table.definition(lang),
        counting=table.counting_label(lang),
        dimension=dim,
        dimension_label=table.dimension_labels[dim](lang) if dim in table.dimension_labels else "",
        years=years,
        groups=groups,
        year_from=first,
        year_to=last,
        group=group,
        columns=columns,
        rows=rows,
        suppressed_cells=sum(c.suppressed for r in rows for c in r.cells),
        suppressed_note=_note(pub, lang),
    )


def chart(view: TableView, limit: int = 7) -> str:
    """The view as an SVG line chart: one line per column (at most ``limit``, totals last)."""
    parts = [(i, c) for i, c in enumerate(view.columns) if not c.code.endswith(TOTAL)]
    chosen = parts[:limit] or list(enumerate(view.columns))[:limit]
    series = [Series(col.label, [row.cells[i].value for row in view.rows]) for i, col in chosen]
    return line_chart(view.title, [r.year for r in view.rows], series)
