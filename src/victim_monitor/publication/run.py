"""``publish``: the register's persons in, a protected, audited publication directory out.

Tabulate the years, protect all tables together and audit the release (nothing is written
unless the audit passes), turn the protected tables into published ones, estimate the number
of victims per year, compute trends and findings from the published numbers only, and write
the directory (``docs/methods/publication.md``) atomically and byte for byte reproducibly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

from sqlalchemy import Engine, func, select

from victim_monitor.disclosure import Outcome, Policy, ProtectedTable, Release, load_policy
from victim_monitor.estimation import EstimationError, estimate, parse_table
from victim_monitor.estimation.estimable import MIN_OBSERVED, Judged, judge
from victim_monitor.findings import LEVEL, findings, trends
from victim_monitor.linkage import last_quality, sensitivity
from victim_monitor.linkage.persons import histories_frame, pattern_counts
from victim_monitor.linkage.threshold import review_band
from victim_monitor.publication.codes import (
    AUDIT_FAILED,
    NO_PERSONS,
    PublicationError,
)
from victim_monitor.publication.protection import Protected, protect_tabulation
from victim_monitor.published.model import (
    CellKey,
    Publication,
    PublicOutcome,
    PublishedCell,
    PublishedTable,
    YearEstimate,
    label_dict,
    title_of,
)
from victim_monitor.published.write import write_publication
from victim_monitor.storage.schema import linkage_runs, organisations, persons
from victim_monitor.tables import (
    COUNTING,
    DIMENSION_LABELS,
    TOTAL,
    MonitorTable,
    Tabulation,
    category_label,
    tabulate,
)
from victim_monitor.vocab import Label

Progress = Callable[[str, int, int], None]
ROUNDING = 10  # estimates are published to the nearest 10 persons
LINKAGE = ", widened to the linkage's review band"
PUBLISHED_METHOD = "rcapture-mh-chao"  # docs/methods/estimation.md, "What is published"
#: Shown beside it per year, as sensitivity (estimates.json "sensitivity").
SENSITIVITY_METHODS = ("stepwise", "main", "latent-class")
METHOD_LABELS = {
    "rcapture-mh-chao": Label(
        "Heterogeniteitsmodel van Chao (Mh)", "Chao's heterogeneity model (Mh)"
    ),
    "stepwise": Label("Log-lineair, stapsgewijs gekozen", "Log-linear, chosen stepwise"),
    "main": Label("Onafhankelijke lijsten", "Independent lists"),
    "latent-class": Label("Latente klassen (Bayesiaans)", "Latent classes (Bayesian)"),
}
SEED = 2018  # the latent-class chain's: the same register publishes the same bytes
OUTCOMES = {
    "shown": Label("Gepubliceerd zoals geteld", "Published as counted"),
    "suppressed": Label(
        "Niet gepubliceerd, ter bescherming van slachtoffers (x)",
        "Not published, to protect victims (x)",
    ),
    "rounded": Label("Afgerond", "Rounded"),
}
ESTIMATE_NOTE = Label(
    "Geschat met multiple systems estimation over de lijsten P K I R O Z, met het "
    "heterogeniteitsmodel van Chao (Mh), dat rekening houdt met slachtoffers die "
    "gemakkelijker of moeilijker in beeld komen; het interval is verbreed voor de "
    "onzekerheid van de koppeling. Afgerond op tientallen. Dekking = geregistreerd / geschat.",
    "Estimated by multiple systems estimation over the lists P K I R O Z, with Chao's "
    "heterogeneity model (Mh), which allows for victims who are easier or harder to see; the "
    "interval is widened for the uncertainty of the linkage. Rounded to tens. Coverage = "
    "registered / estimated.",
)


@dataclass(frozen=True)
class PublishResult:
    """What ``publish`` wrote, the publication itself and the (confidential) release."""

    out: Path
    publication: Publication
    release: Release
    seconds: float

    def summary(self, findings: int = 3) -> str:
        lines = [self.publication.summary(), f"  written to {self.out} in {self.seconds:.1f} s"]
        lines += [f"  - {f.text.en}" for f in self.publication.findings[:findings]]
        return "\n".join(lines)


def publish(
    engine: Engine,
    years: Sequence[int],
    out: str | Path,
    *,
    policy: Policy | None = None,
    previous: Release | None = None,
    progress: Progress | None = None,
) -> PublishResult:
    """Publish ``years`` of the register into ``out`` (replaced only when all went well)."""
    started = time.perf_counter()
    step: Progress = progress or (lambda _name, _done, _total: None)
    policy = policy or load_policy()
    step("tabulate", 0, 1)
    tabulation = tabulate(engine, years)
    _check_years(tabulation)
    step("tabulate", 1, 1)
    step("protect and audit", 0, 1)
    protected = protect_tabulation(tabulation, policy, previous)
    if not protected.passed:
        first = "; ".join(
            f"{f.table} {'/'.join(f.key)}: {f.problem.code}" for f in protected.report.failures[:3]
        )
        raise PublicationError([AUDIT_FAILED(first)])
    step("protect and audit", 1, 1)
    names = _organisation_names(engine)
    tables = {
        t.name: published_table(t, protected.release.table(t.name), names)
        for t in tabulation.tables
    }
    estimates, stratum_estimates, others = _estimates(engine, tabulation.years, tables, step)
    step("trends and findings", 0, 1)
    found = trends(list(tables.values()), tabulation.years, LEVEL)
    sentences = findings(tables, found, (*estimates, *stratum_estimates), tabulation.years)
    step("trends and findings", 1, 1)
    publication = Publication(
        title=title_of(tabulation.years),
        years=tabulation.years,
        snapshot=tabulation.snapshot,
        policy=policy.to_dict(),
        audit=_audit_counts(protected),
        counting=dict(COUNTING),
        outcomes=OUTCOMES,
        tables=tables,
        estimates=estimates,
        stratum_estimates=stratum_estimates,
        trends=found,
        findings=sentences,
        software=f"victim-monitor {metadata.version('victim-monitor')}",
        source={"snapshot": tabulation.snapshot, "linkage_run": _last_run(engine)},
        estimation={"method": PUBLISHED_METHOD, "level": LEVEL, "rounding": ROUNDING,
                    "sensitivity_methods": list(SENSITIVITY_METHODS),
                    "method_labels": {k: label_dict(v) for k, v in METHOD_LABELS.items()},
                    "note": {"nl": ESTIMATE_NOTE.nl, "en": ESTIMATE_NOTE.en}},
        trend_level=LEVEL,
        sensitivity=others,
    )  # fmt: skip
    step("write", 0, 1)
    target = write_publication(publication, out)
    step("write", 1, 1)
    return PublishResult(target, publication, protected.release, time.perf_counter() - started)


def published_table(
    source: MonitorTable, protected: ProtectedTable, names: dict[str, Label]
) -> PublishedTable:
    """A protected table with its definitions and labels, and nothing confidential."""
    cells = tuple(
        PublishedCell(c.key, c.published if _public(c.outcome) != "suppressed" else None,
                      _public(c.outcome))
        for c in protected.cells
    )  # fmt: skip
    categories = {
        d: tuple(cats) for d, cats in zip(protected.dimensions, protected.categories, strict=True)
    }
    return PublishedTable(
        name=source.name,
        title=source.title,
        definition=source.definition,
        measure=source.measure,
        counting=source.counting,
        counting_label=COUNTING[source.counting],
        dimensions=source.dimensions,
        dimension_labels={d: DIMENSION_LABELS[d] for d in source.dimensions},
        categories=categories,
        labels={
            d: {c: (Label(c, c) if d == "year" else category_label(d, c, names)) for c in cats}
            for d, cats in categories.items()
        },
        margins=source.margins,
        overlapping=source.overlapping,
        fixed=dict(source.fixed),
        cells=cells,
    )


def _public(outcome: Outcome) -> PublicOutcome:
    """Primary and secondary are one outcome outside: which it was would tell a cell's size."""
    if outcome.hidden:
        return "suppressed"
    return "rounded" if outcome is Outcome.ROUNDED else "shown"


def _check_years(tabulation: Tabulation) -> None:
    empty = [y for y in tabulation.years if tabulation.table("victims_by_year").cell(year=y) == 0]
    if empty:
        raise PublicationError(
            [NO_PERSONS(f"no active persons in {', '.join(empty)}: import and link first")]
        )


def _audit_counts(protected: Protected) -> dict[str, object]:
    counts = protected.release.outcomes()
    return {
        "passed": protected.passed,
        "cells": sum(counts.values()),
        "shown": counts.get(Outcome.SHOWN, 0),
        "suppressed": counts.get(Outcome.PRIMARY, 0) + counts.get(Outcome.SECONDARY, 0),
        "rounded": counts.get(Outcome.ROUNDED, 0),
    }


def _estimates(
    engine: Engine, years: Sequence[str], tables: Mapping[str, PublishedTable], step: Progress
) -> tuple[tuple[YearEstimate, ...], tuple[YearEstimate, ...], tuple[YearEstimate, ...]]:
    """Per year, and per year and form of exploitation: the MSE estimate over the lists with
    anyone on them, and the coverage of the published count; and per year the estimates of
    the ``SENSITIVITY_METHODS``.

    An estimate that is not estimable (``estimation.estimable``) is published without a figure,
    with its reason; a form's year then falls back on the form's estimate over all years
    together, in proportion to the year's registered persons, where that one is estimable."""
    patterns = _patterns(engine, years)
    band = _band_histories(engine)
    totals, forms = tables["victims_by_year"], tables["victims_by_form"]
    strata = [f for f in forms.categories["form_group"] if f not in (TOTAL, "unknown")]
    pooled: dict[str, Fitted] = {}
    for form in strata:
        counts: dict[str, int] = {}
        for (_y, f, lists), n in patterns.items():
            if f == form:
                counts[lists] = counts.get(lists, 0) + n
        pooled[form] = fit_table(counts)
    overall: list[YearEstimate] = []
    by_form: list[YearEstimate] = []
    others: list[YearEstimate] = []
    for done, year in enumerate(years):
        step("estimate", done, len(years))
        counts = {}
        for (y, _form, lists), n in patterns.items():
            if y == year:
                counts[lists] = counts.get(lists, 0) + n
        cell = CellKey.of(totals.name, {"year": year})
        alternatives = [by_year.get(year, {}) for by_year in band]
        whole = fit_table(counts, alternatives=alternatives)
        overall.append(_estimate(whole, year, totals.value(year=year), cell, ()))
        for method in SENSITIVITY_METHODS:
            other = fit_table(counts, method, alternatives=alternatives)
            estimate = _estimate(other, year, totals.value(year=year), cell, ())
            others.append(replace(estimate, method=method))
        for form in strata:
            counts = {lst: n for (y, f, lst), n in patterns.items() if y == year and f == form}
            key = {"year": year, "form_group": form}
            registered = forms.value(**key)
            stratum = (("form_group", form),)
            cell = CellKey.of(forms.name, key)
            fitted = widen_like(fit_table(counts), whole)
            by_form.append(_estimate(fitted, year, registered, cell, stratum, pooled[form]))
    step("estimate", len(years), len(years))
    return tuple(overall), tuple(by_form), tuple(others)


def _band_histories(engine: Engine) -> list[dict[str, dict[str, int]]]:
    """Persons by year and capture history at the two ends of the last run's review band
    (``linkage.sensitivity``), or none when the run did not record its threshold's band."""
    quality = last_quality(engine)
    if quality is None:
        return []
    ends = review_band(quality.threshold)
    found = sensitivity(engine, ends)
    out = []
    for t in ends:
        out.append({str(year): pattern_counts(frame) for year, frame in found.histories[t].items()})
    return out


def _patterns(engine: Engine, years: Sequence[str]) -> dict[tuple[str, str, str], int]:
    """Persons by year, form group and capture history (``"PR"``: on lists P and R)."""
    query = (
        select(persons.c.year, persons.c.form_group, persons.c.lists, func.count())
        .where(persons.c.status == "active", persons.c.year.in_([int(y) for y in years]))
        .group_by(persons.c.year, persons.c.form_group, persons.c.lists)
    )
    with engine.connect() as conn:
        return {(str(y), str(f), str(lst)): int(n) for y, f, lst, n in conn.execute(query)}


@dataclass(frozen=True)
class Fitted:
    """The published estimate of one table as it may be shown, or why not.

    ``linkage``: the point estimates at the two ends of the linkage's review band, when the
    interval was widened to cover theirs (``narrow``: the interval before).
    """

    observed: int
    lists: tuple[str, ...]
    shown: Judged
    model: str = ""
    interval_method: str = ""
    warnings: tuple[str, ...] = ()
    linkage: tuple[float, float] | None = None
    narrow: Judged | None = None


def fit_table(
    counts: Mapping[str, int],
    method: str = PUBLISHED_METHOD,
    *,
    alternatives: Sequence[Mapping[str, int]] = (),
) -> Fitted:
    """The published method on persons by capture history (``{"PR": 12, ...}``), judged for
    publication: what the monitor publishes for one year or stratum.

    ``alternatives``: the same persons' capture histories as other link thresholds make them
    (the two ends of the review band); the interval is widened to hold their intervals too,
    and the estimate is not estimable when theirs is not (docs/methods/estimation.md,
    "Linkage uncertainty").
    """
    fitted = _fit_one(counts, method)
    if fitted.shown.reason is not None or not alternatives:
        return fitted
    others = [_fit_one(a, method).shown for a in alternatives]
    if any(o.reason is not None for o in others):
        failed = judge(fitted.observed, math.nan, math.nan, math.nan, linkage=False)
        return replace(fitted, shown=failed, narrow=fitted.shown)
    point = fitted.shown.estimate
    low = min(fitted.shown.low, *(o.low for o in others))
    high = max(fitted.shown.high, *(o.high for o in others))
    estimates = [o.estimate for o in others]
    return replace(
        fitted,
        shown=judge(fitted.observed, point, low, high),
        linkage=(min(estimates), max(estimates)),
        narrow=fitted.shown,
    )


def _fit_one(counts: Mapping[str, int], method: str) -> Fitted:
    observed = sum(counts.values())
    frame = histories_frame(dict(counts))
    lists = tuple(c for c in frame.columns if c != "count" and frame.loc[frame[c] == 1].size)
    failed = judge(observed, math.nan, math.nan, math.nan, too_small=len(lists) < 2)
    if len(lists) < 2 or observed < MIN_OBSERVED:
        return Fitted(observed, lists, failed)
    csv = frame.groupby(list(lists), as_index=False)["count"].sum().to_csv(index=False)
    table = parse_table(csv)
    if isinstance(table, list):
        return Fitted(observed, lists, failed, warnings=tuple(sorted({p.code for p in table})))
    try:
        result = estimate(table, method=method, sensitivity=0, seed=SEED)
    except EstimationError as exc:
        return Fitted(observed, lists, failed, warnings=(exc.problem.code,))
    return Fitted(
        observed,
        lists,
        result.judged,
        _model_name(result.model.terms, result.model.label, method),
        result.interval.method,
        tuple(sorted({p.code for p in result.warnings})),
    )


def _model_name(terms: Sequence[str], label: str, method: str) -> str:
    """The log-linear model's interaction terms; else the model's name (Rcapture, latent)."""
    if terms:
        return " ".join(terms)
    return "main effects" if method in ("stepwise", "bic", "aic", "main") else label


def widen_like(fitted: Fitted, year: Fitted) -> Fitted:
    """A stratum's interval widened for linkage as much, relatively, as its year's was."""
    narrow, wide = year.narrow, year.shown
    if narrow is None or narrow.reason is not None or fitted.shown.reason is not None:
        return fitted
    if wide.reason is not None:
        failed = judge(fitted.observed, math.nan, math.nan, math.nan, linkage=False)
        return replace(fitted, shown=failed, narrow=fitted.shown)
    s = fitted.shown
    low = s.low * wide.low / narrow.low if narrow.low > 0 else s.low
    high = s.high * wide.high / narrow.high
    return replace(fitted, shown=judge(fitted.observed, s.estimate, low, high), narrow=s)


def _estimate(
    fitted: Fitted,
    year: str,
    registered: int | None,
    cell: CellKey,
    stratum: tuple[tuple[str, str], ...],
    pooled: Fitted | None = None,
) -> YearEstimate:
    shown, basis, source = fitted.shown, "year", fitted
    if shown.reason is not None and pooled is not None and pooled.shown.reason is None:
        share = fitted.observed / pooled.observed  # the form's coverage over all years
        p = pooled.shown
        shown = judge(fitted.observed, p.estimate * share, p.low * share, p.high * share)
        basis, source = "pooled_years", pooled
    if shown.reason is not None or registered is None:
        reason = shown.reason.code if shown.reason is not None else "too_small"
        return YearEstimate(year, registered, cell, None, None, None, "", None, None, None,
                            fitted.lists, "", fitted.warnings, stratum, reason)  # fmt: skip
    high = _rounded(shown.high)
    return YearEstimate(
        year=year,
        registered=registered,
        registered_cell=cell,
        estimate=_rounded(shown.estimate),
        low=_rounded(shown.low),
        high=high,
        interval_method=source.interval_method + (LINKAGE if source.narrow else ""),
        coverage=round(registered / shown.estimate, 3),
        coverage_low=None if high is None else round(registered / shown.high, 3),
        coverage_high=round(registered / shown.low, 3) if shown.low > 0 else None,
        lists=fitted.lists,
        model=source.model,
        warnings=fitted.warnings,
        stratum=stratum,
        basis=basis,
    )


def _rounded(value: float) -> float | None:
    return float(ROUNDING * round(value / ROUNDING)) if math.isfinite(value) else None


def _organisation_names(engine: Engine) -> dict[str, Label]:
    query = select(organisations.c.code, organisations.c.name_nl, organisations.c.name_en)
    with engine.connect() as conn:
        return {str(c): Label(str(nl), str(en)) for c, nl, en in conn.execute(query)}


def _last_run(engine: Engine) -> int | None:
    with engine.connect() as conn:
        run = conn.execute(select(func.max(linkage_runs.c.id))).scalar_one_or_none()
    return None if run is None else int(run)
