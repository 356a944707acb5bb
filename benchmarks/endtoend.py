"""End-to-end validation of the hidden number: registers of known size, as the monitor sees them.

Each population is a synthetic register (``SyntheticConfig.at(difficulty, seed=...,
scale=..., heterogeneity=...)``) built as the linkage grid builds it (generate, write each
organisation's raw file, encode it with a fresh key, read the submissions as the register
would), linked in memory as a first full run links it (``quality.link_in_memory``) and
reclustered at the two ends of the review band as the publication's sensitivity does
(``InMemory.recluster``). Per year of first report, each method estimates the hidden number
from the linked capture histories as the monitor publishes it (``publish.fit_table``, with the
band's histories as ``alternatives``, which widen its interval), and from the **true** capture
histories of the same persons (``truth/persons.csv``): the true histories have no linkage
error, so their error is the model's, and the difference is the linkage's. The truth also
holds every victim never registered, so the true number per year is known.

A population keeps its capture-history tables, so that a method can be added later without
building and linking again (:func:`estimate`). The true histories do not depend on the
difficulty (names come from their own random stream), so one cache of fits (``Fits``) serves
the difficulties of a seed, scale and heterogeneity. Seeds 201-205 are used nowhere else.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tests.linkage.testbed import build

from benchmarks.linkage_scale import reports_from_submissions
from victim_monitor.estimation import METHODS as KNOWN_METHODS
from victim_monitor.linkage.persons import LISTS
from victim_monitor.linkage.quality import histories_by_year, link_in_memory
from victim_monitor.linkage.standardise import standardise
from victim_monitor.linkage.threshold import review_band
from victim_monitor.publication.run import fit_table

YEARS = (2014, 2015, 2016, 2017, 2018)
SEEDS = (201, 202, 203, 204, 205)
SCALES = (0.5, 1.0)
FULL_SCALES = (0.5, 1.0, 2.0)
HETEROGENEITY = (0.0, 1.0, 2.0)
DIFFICULTIES = ("standard", "hardest")
#: Chao's Mh is published (``publish.PUBLISHED_METHOD``), the next three are its
#: sensitivity. BIC ranks 32,768 models per table (5-8 s each on the shared machine) and Mth
#: is Mh with list effects: only with --full or when asked for.
WANTED_METHODS = (
    "rcapture-mh-chao", "stepwise", "main", "latent-class", "bic", "rcapture-mth-chao"
)  # fmt: skip
METHODS = tuple(m for m in WANTED_METHODS if m in KNOWN_METHODS)
DEFAULT_METHODS = tuple(m for m in METHODS if m not in {"bic", "rcapture-mth-chao"})
SOURCES = ("linked", "true")

Counts = Mapping[str, int]
Fits = dict[tuple[Any, ...], "Estimate"]


@dataclass(frozen=True, slots=True)
class Setting:
    """One synthetic population of the grid."""

    seed: int
    scale: float
    heterogeneity: float
    difficulty: str

    @property
    def key(self) -> tuple[int, float, float, str]:
        return (self.seed, self.scale, self.heterogeneity, self.difficulty)

    @property
    def name(self) -> str:
        return f"{self.difficulty}-{self.scale:g}x-h{self.heterogeneity:g}-{self.seed}"


@dataclass(frozen=True, slots=True)
class Estimate:
    """One method on one year's capture histories, as the monitor would publish it.

    ``estimate``, ``low``, ``high`` are None when not estimable (``reason``); ``narrow_low``,
    ``narrow_high``: the interval before it was widened for the linkage (None if it was not);
    ``seconds``: 0 when the same table was fitted before (the cache).
    """

    method: str
    source: str
    observed: int
    estimate: float | None
    low: float | None
    high: float | None
    reason: str | None
    model: str
    narrow_low: float | None
    narrow_high: float | None
    seconds: float


@dataclass(frozen=True, slots=True)
class Year:
    """One year of a population: the truth, the capture histories and the estimates.

    ``histories``: persons by capture history, ``linked`` (the run's threshold), ``low`` and
    ``high`` (the ends of the review band) and ``true``.
    """

    year: int
    true_n: int
    histories: dict[str, dict[str, int]]
    estimates: tuple[Estimate, ...] = ()

    def persons(self, source: str) -> int:
        return sum(self.histories[source].values())


@dataclass(frozen=True, slots=True)
class Population:
    """One population of the grid: its setting, linkage and years (JSON: ``as_dict``)."""

    setting: Setting
    reports: int
    threshold: float
    band: tuple[float, float]
    seconds: dict[str, float]
    years: tuple[Year, ...]

    def methods(self) -> set[str]:
        """The methods estimated in every year."""
        done = [{e.method for e in y.estimates} for y in self.years]
        return set.intersection(*done) if done else set()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Population:
        years = tuple(
            Year(
                y["year"],
                y["true_n"],
                y["histories"],
                tuple(Estimate(**e) for e in y["estimates"]),
            )
            for y in data["years"]
        )
        return cls(
            Setting(**data["setting"]),
            data["reports"],
            data["threshold"],
            (data["band"][0], data["band"][1]),
            data["seconds"],
            years,
        )


def link(root: Path, setting: Setting) -> Population:
    """Build and link one population: its capture-history tables, no estimates yet. The
    working files are removed."""
    target = root / setting.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    clock = time.perf_counter()
    try:
        bed = build(
            target,
            scale=setting.scale,
            seed=setting.seed,
            years=YEARS,
            difficulty=setting.difficulty,
            heterogeneity=setting.heterogeneity,
        )
        reports = reports_from_submissions(bed.files())
        truth = pd.read_csv(target / "truth" / "persons.csv", dtype=str, keep_default_na=False)
        built = time.perf_counter() - clock
        frame = standardise(reports)
        linked = link_in_memory(frame, lists=reports["estimation_list"])
        ids = frame["unique_id"].to_numpy(np.int64)
        band = review_band(linked.threshold)
        tables = {
            "linked": histories_by_year(linked.labels, reports),
            "low": histories_by_year(linked.recluster(ids, band[0]), reports),
            "high": histories_by_year(linked.recluster(ids, band[1]), reports),
        }
    finally:
        shutil.rmtree(target, ignore_errors=True)
    true_n, tables["true"] = _truth(truth)
    years = tuple(
        Year(year, true_n.get(year, 0), {k: t.get(year, {}) for k, t in tables.items()})
        for year in YEARS
    )
    seconds = {"build": built, "link": time.perf_counter() - clock - built}
    return Population(setting, len(reports), linked.threshold, band, seconds, years)


def _truth(truth: pd.DataFrame) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """True victims per year, and the true capture histories of the registered ones."""
    true_n = {int(str(y)): int(n) for y, n in truth["year"].value_counts().items()}
    seen = truth[truth["registered"] == "True"]
    histories: dict[int, dict[str, int]] = {}
    for y, held in zip(seen["year"].astype(int), seen["capture_history"], strict=True):
        pattern = "".join(x for x in LISTS if x in held)
        counts = histories.setdefault(int(y), {})
        counts[pattern] = counts.get(pattern, 0) + 1
    return true_n, histories


def estimate(
    population: Population, methods: Sequence[str], fits: Fits | None = None
) -> Population:
    """The population with every method of ``methods`` it lacks estimated, per year, on the
    linked histories (widened by the band's) and on the true ones."""
    fits = {} if fits is None else fits
    started = time.perf_counter()
    years = []
    for year in population.years:
        todo = [m for m in methods if m not in {e.method for e in year.estimates}]
        band = [year.histories["low"], year.histories["high"]]
        found = [
            *(_fit(year.histories["linked"], m, "linked", band, fits) for m in todo),
            *(_fit(year.histories["true"], m, "true", [], fits) for m in todo),
        ]
        years.append(replace(year, estimates=(*year.estimates, *found)))
    spent = population.seconds.get("estimate", 0.0) + time.perf_counter() - started
    return replace(
        population, years=tuple(years), seconds={**population.seconds, "estimate": spent}
    )


def forget(population: Population, methods: Sequence[str]) -> Population:
    """The population without the estimates of ``methods`` (to estimate them again from the
    stored histories after a change to the estimation)."""
    years = tuple(
        replace(y, estimates=tuple(e for e in y.estimates if e.method not in methods))
        for y in population.years
    )
    spent = sum(e.seconds for y in years for e in y.estimates)
    return replace(population, years=years, seconds={**population.seconds, "estimate": spent})


def _fit(
    counts: Counts, method: str, source: str, alternatives: Sequence[Counts], fits: Fits
) -> Estimate:
    """``fit_table`` on one table, cached by method and counts. An end of the band with the
    same histories is left out: it would widen nothing (and add a second chain's noise)."""
    others = [dict(a) for a in alternatives if dict(a) != dict(counts)]
    key = (
        method,
        tuple(sorted(counts.items())),
        tuple(tuple(sorted(a.items())) for a in others),
    )
    if key in fits:
        return replace(fits[key], source=source, seconds=0.0)
    started = time.perf_counter()
    fitted = fit_table(counts, method, alternatives=others)
    shown, narrow = fitted.shown, fitted.narrow
    widened = narrow is not None and narrow.reason is None
    found = Estimate(
        method=method,
        source=source,
        observed=fitted.observed,
        estimate=_number(shown.estimate),
        low=_number(shown.low),
        high=_number(shown.high),
        reason=None if shown.reason is None else shown.reason.code,
        model=fitted.model,
        narrow_low=_number(narrow.low) if narrow is not None and widened else None,
        narrow_high=_number(narrow.high) if narrow is not None and widened else None,
        seconds=time.perf_counter() - started,
    )
    fits[key] = found
    return found


def _number(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def run(
    root: Path, setting: Setting, methods: Sequence[str] = DEFAULT_METHODS, fits: Fits | None = None
) -> Population:
    """Build, link and estimate one population."""
    return estimate(link(root, setting), methods, fits)
