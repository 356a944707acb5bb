"""Indicator series: the monitor's figures per year, with the uncertainty the tables carry.

A monitor indicator names a series from :data:`SERIES`: a cell of one of the monitor's tables
(e.g. ``domestic_sexual_by_age`` at ``age_group = minor``) followed over the years. Where the
counts come from is a small interface, :class:`SeriesSource`: for anything public it is the
published, disclosure-protected release (:class:`PublicationSource`); an analyst
may pass any other source (tests use a small fake), never person rows on a public page.
Counts get exact (Garwood) Poisson intervals; a hidden (suppressed) cell is a gap, never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from scipy.stats import chi2

from victim_monitor.published import TOTAL, Publication
from victim_monitor.vocab import Label

LEVEL = 0.95


@dataclass(frozen=True, slots=True)
class SeriesSpec:
    """A monitor series: one cell of a table by year (a count), or the coverage of the
    register, registered / estimated (a share, from the publication's estimates)."""

    name: str
    title: Label
    table: str
    where: Mapping[str, str]
    unit: str = "count"


def _spec(name: str, nl: str, en: str, table: str, **where: str) -> tuple[str, SeriesSpec]:
    return name, SeriesSpec(name, Label(nl, en), table, where)


SERIES: dict[str, SeriesSpec] = dict(
    (
        _spec("registered_victims", "Geregistreerde slachtoffers", "Registered victims",
              "victims_by_year"),
        _spec("registered_minors", "Geregistreerde minderjarige slachtoffers",
              "Registered minor victims", "victims_by_age", age_group="minor"),
        _spec("registered_domestic_sexual",
              "Geregistreerde slachtoffers van binnenlandse seksuele uitbuiting",
              "Registered victims of domestic sexual exploitation",
              "victims_by_form", form_group="domestic_sexual"),
        _spec("registered_minors_domestic_sexual",
              "Geregistreerde minderjarige slachtoffers van binnenlandse seksuele uitbuiting",
              "Registered minor victims of domestic sexual exploitation",
              "domestic_sexual_by_age", age_group="minor"),
        _spec("registered_labour", "Geregistreerde slachtoffers van arbeidsuitbuiting",
              "Registered victims of labour exploitation", "victims_by_form",
              form_group="labour"),
        _spec("registered_criminal", "Geregistreerde slachtoffers van criminele uitbuiting",
              "Registered victims of criminal exploitation", "victims_by_form",
              form_group="criminal"),
        _spec("reported_by_non_investigative",
              "Slachtoffers gemeld door niet-opsporingsinstanties",
              "Victims reported by non-investigative organisations",
              "victims_by_reporter_type", reporter_type="non_investigative"),
        _spec("reported_by_investigative", "Slachtoffers gemeld door opsporingsinstanties",
              "Victims reported by investigative organisations",
              "victims_by_reporter_type", reporter_type="investigative"),
        _spec("police_domestic_sexual",
              "Politiemeldingen van binnenlandse seksuele uitbuiting",
              "Police reports of domestic sexual exploitation",
              "police_reports_by_form", form_group="domestic_sexual"),
        _spec("police_sexual_african",
              "Politiemeldingen van grensoverschrijdende seksuele uitbuiting (Afrikaans)",
              "Police reports of cross-border sexual exploitation (African)",
              "police_reports_by_form", form_group="cross_border_sexual_african"),
        _spec("dublin_claimants", "Dublinclaimanten onder slachtoffers",
              "Dublin claimants among victims", "dublin_claimants", dublin_claimant="yes"),
    )
)  # fmt: skip
SERIES["coverage"] = SeriesSpec(
    "coverage",
    Label("Dekking: geregistreerd gedeeld door geschat aantal slachtoffers",
          "Coverage: registered divided by the estimated number of victims"),
    "estimates", {}, "share",
)  # fmt: skip
for _form, _nl, _en in (
    ("domestic_sexual", "binnenlandse seksuele uitbuiting", "domestic sexual exploitation"),
    ("labour", "arbeidsuitbuiting", "labour exploitation"),
    ("criminal", "criminele uitbuiting", "criminal exploitation"),
):
    SERIES[f"coverage_{_form}"] = SeriesSpec(
        f"coverage_{_form}",
        Label(f"Dekking bij {_nl}", f"Coverage of {_en}"),
        "estimates", {"form_group": _form}, "share",
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Observation:
    """One year of a series: the value (None when hidden or missing) and its interval."""

    year: int
    value: float | None
    lower: float | None = None
    upper: float | None = None
    hidden: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
            "hidden": self.hidden,
        }


class SeriesSource(Protocol):
    """Where monitor counts come from: a table's cell per year, None where it is hidden."""

    @property
    def description(self) -> Label: ...

    def counts(self, table: str, where: Mapping[str, str]) -> Mapping[int, int | None]: ...

    def coverage(
        self, where: Mapping[str, str]
    ) -> Mapping[int, tuple[float, float | None, float | None] | None]:
        """Coverage per year of a stratum ({} for all) with its interval; None for a year
        without an estimate."""
        ...


@dataclass(frozen=True, slots=True)
class PublicationSource:
    """Counts read from a published, disclosure-protected directory: the source for the public.

    A dimension the series does not fix is read at its margin (``Total``); a suppressed cell
    stays hidden. A rounded cell (controlled rounding) is taken as its count.
    """

    publication: Publication

    @property
    def description(self) -> Label:
        title = self.publication.title
        return Label(f"Gepubliceerde tabellen: {title.nl}", f"Published tables: {title.en}")

    def counts(self, table: str, where: Mapping[str, str]) -> Mapping[int, int | None]:
        found = self.publication.tables.get(table)
        if found is None:
            return {}
        key: dict[str, str] = {}
        for dim in found.dimensions:
            if dim == "year":
                continue
            if dim in where:
                key[dim] = where[dim]
            elif dim in found.margins:
                key[dim] = TOTAL
            else:
                return {}
        out: dict[int, int | None] = {}
        for year in found.categories.get("year", ()):
            try:
                out[int(year)] = found.value(year=year, **key)
            except KeyError:
                return {}
        return out

    def coverage(
        self, where: Mapping[str, str]
    ) -> Mapping[int, tuple[float, float | None, float | None] | None]:
        return _coverage(self.publication, where)


def _coverage(
    publication: Publication, where: Mapping[str, str]
) -> dict[int, tuple[float, float | None, float | None] | None]:
    stratum = tuple(sorted(where.items()))
    rows = publication.estimates if not where else publication.stratum_estimates
    out: dict[int, tuple[float, float | None, float | None] | None] = {}
    for e in rows:
        if tuple(sorted(e.stratum)) != stratum:
            continue
        share = None if e.coverage is None else (e.coverage, e.coverage_low, e.coverage_high)
        out[int(e.year)] = share
    return out


def poisson_interval(count: int, level: float = LEVEL) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count."""
    alpha = 1 - level
    lower = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count)) / 2
    upper = float(chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return lower, upper


def monitor_series(spec: SeriesSpec, source: SeriesSource) -> tuple[Observation, ...]:
    """The series from ``source``: each shown count with its Poisson interval, or each
    coverage with the interval the estimate gives."""
    out: list[Observation] = []
    if spec.unit == "share":
        for year, share in sorted(source.coverage(spec.where).items()):
            out.append(Observation(year, None) if share is None else Observation(year, *share))
        return tuple(out)
    for year, count in sorted(source.counts(spec.table, spec.where).items()):
        if count is None:
            out.append(Observation(year, None, hidden=True))
        else:
            lower, upper = poisson_interval(count)
            out.append(Observation(year, float(count), lower, upper))
    return tuple(out)


def external_series(
    values: Sequence[tuple[int, float, float | None, float | None]], unit: str
) -> tuple[Observation, ...]:
    """Entered values (year, value, lower, upper); a whole-number count without bounds gets a
    Poisson interval, anything else keeps the bounds its source gave (or none)."""
    out: list[Observation] = []
    for year, value, lower, upper in sorted(values):
        if lower is None and upper is None and unit == "count" and _whole(value):
            lower, upper = poisson_interval(int(value))
        out.append(Observation(year, value, lower, upper))
    return tuple(out)


def _whole(value: float) -> bool:
    return math.isfinite(value) and value >= 0 and float(value).is_integer()
