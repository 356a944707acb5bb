"""Quality: linkage measured against the synthetic population, which knows who is who.

Measures, for the pseudonymised model (what the register holds) and its clear-text twin
(the same reports with clear names and birth dates, from the organisations' raw files):

- **pairwise** precision, recall and F1: over all pairs of reports, a pair is predicted when
  both reports are in one person, true when both belong to one true person;
- the **error in persons per year**: linked persons (year of first report) against true
  registered persons, relative, per year;
- the **overlaps** the estimate of the hidden number rests on: persons on two or more lists,
  and persons on each two lists (the two-list patterns), linked against true.

Both models are linked in memory as a first full run of the register links (train, score,
choose the threshold, cluster with the model's soft cannot-links; ``link_in_memory``), with
the same seed; nothing is written to the register. The synthetic register is built as the
demo builds it: generate, write the raw files, encode each at "the organisation" with a fresh
key, import.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy import Engine

from victim_monitor.linkage import cluster as clustering
from victim_monitor.linkage import score
from victim_monitor.linkage import threshold as thresholds
from victim_monitor.linkage.cluster import edges
from victim_monitor.linkage.link import cluster_persons, fresh_model
from victim_monitor.linkage.model import Model
from victim_monitor.linkage.persons import LISTS, union
from victim_monitor.linkage.standardise import read_reports, standardise, standardise_clear
from victim_monitor.linkage.threshold import LINK_FLOOR, Expected

PATTERN_SMALLEST = 30
"""Two-list patterns of fewer true persons are not held to a relative error."""


@dataclass(frozen=True, slots=True)
class PairwiseQuality:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs_within(*labels: NDArray[Any]) -> int:
    frame = pd.DataFrame({f"k{i}": np.asarray(x) for i, x in enumerate(labels)})
    counts = frame.groupby(list(frame.columns), sort=False).size().to_numpy(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pairwise(predicted: NDArray[Any], truth: NDArray[Any]) -> PairwiseQuality:
    """Pairwise quality of a clustering (one label per report) against the true labels."""
    return PairwiseQuality(
        true_pairs=_pairs_within(truth),
        predicted_pairs=_pairs_within(predicted),
        correct_pairs=_pairs_within(predicted, truth),
    )


def persons_per_year(labels: NDArray[Any], reports: pd.DataFrame) -> dict[int, int]:
    """Persons by the year of their first report, from cluster labels."""
    frame = pd.DataFrame({"label": labels, "date": reports["report_date"].to_numpy()})
    first = frame.groupby("label")["date"].min()
    counts: dict[int, int] = {}
    for d in first:
        counts[d.year] = counts.get(d.year, 0) + 1
    return dict(sorted(counts.items()))


def histories_by_year(labels: NDArray[Any], reports: pd.DataFrame) -> dict[int, dict[str, int]]:
    """Persons by the year of their first report and capture history (``{"PR": 12, ...}``,
    lists in ``LISTS`` order), from cluster labels: the tables the estimate is made from."""
    frame = pd.DataFrame(
        {
            "label": labels,
            "date": reports["report_date"].to_numpy(),
            "list": reports["estimation_list"].to_numpy(),
        }
    )
    first = frame.groupby("label", sort=True)["date"].min()
    held = union(frame["label"], frame["list"], LISTS, "").reindex(first.index)
    found: dict[int, dict[str, int]] = {}
    for date, pattern in zip(first, held, strict=True):
        year = found.setdefault(date.year, {})
        year[pattern] = year.get(pattern, 0) + 1
    return dict(sorted(found.items()))


def overlaps(labels: NDArray[Any], lists: NDArray[Any]) -> dict[str, int]:
    """Persons on two or more lists (``2+``) and on each two lists (``PR``, ``PZ``, ...)."""
    frame = pd.DataFrame({"person": labels, "list": lists})
    held = frame.groupby("person")["list"].agg(lambda x: "".join(sorted(set(x))))
    found = {"2+": int((held.str.len() >= 2).sum())}
    for i, a in enumerate(LISTS):
        for b in LISTS[i + 1 :]:
            found[a + b] = int((held.str.contains(a) & held.str.contains(b)).sum())
    return found


@dataclass(frozen=True, slots=True)
class Measured:
    """One model at one threshold."""

    model: str
    threshold: float
    quality: PairwiseQuality
    persons_by_year: dict[int, int]
    truth_by_year: dict[int, int]
    seconds: float
    overlaps: dict[str, int] = field(default_factory=dict)
    true_overlaps: dict[str, int] = field(default_factory=dict)
    expected: Expected | None = None

    @property
    def year_errors(self) -> dict[int, float]:
        """Relative error of persons per year (linked / true - 1)."""
        return {
            y: self.persons_by_year.get(y, 0) / n - 1 for y, n in self.truth_by_year.items() if n
        }

    @property
    def max_year_error(self) -> float:
        return max((abs(e) for e in self.year_errors.values()), default=0.0)

    @property
    def overlap_error(self) -> float:
        """Relative error of the persons on two or more lists."""
        true = self.true_overlaps.get("2+", 0)
        return self.overlaps.get("2+", 0) / true - 1 if true else 0.0

    def pattern_errors(self, smallest: int = PATTERN_SMALLEST) -> dict[str, float]:
        """Relative error of each two-list pattern of at least ``smallest`` true persons."""
        return {
            k: self.overlaps.get(k, 0) / n - 1
            for k, n in self.true_overlaps.items()
            if k != "2+" and n >= smallest
        }

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["quality"] = {
            **asdict(self.quality),
            "precision": self.quality.precision,
            "recall": self.quality.recall,
            "f1": self.quality.f1,
        }
        out["year_errors"] = {str(y): e for y, e in self.year_errors.items()}
        out["persons_by_year"] = {str(y): n for y, n in self.persons_by_year.items()}
        out["truth_by_year"] = {str(y): n for y, n in self.truth_by_year.items()}
        out["overlap_error"] = self.overlap_error
        out["pattern_errors"] = self.pattern_errors()
        out["expected"] = None if self.expected is None else self.expected.as_dict()
        return out


@dataclass(frozen=True, slots=True)
class QualityReport:
    reports: int
    true_persons: int
    rows: tuple[Measured, ...]

    def row(self, model: str, threshold: float | None = None) -> Measured:
        return next(r for r in self.rows if r.model == model and threshold in (None, r.threshold))

    def summary(self) -> str:
        lines = [
            f"{self.reports:,} reports of {self.true_persons:,} true persons",
            "model          threshold  precision  recall     F1   max |error| persons/year"
            "   persons on 2+ lists",
        ]
        for r in self.rows:
            q = r.quality
            lines.append(
                f"{r.model:<14} {r.threshold:>9.3f} {q.precision:>10.4f} {q.recall:>7.4f} "
                f"{q.f1:>7.4f} {r.max_year_error:>12.2%}   {r.overlap_error:>+19.1%}"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reports": self.reports,
            "true_persons": self.true_persons,
            "rows": [r.as_dict() for r in self.rows],
        }


@dataclass(frozen=True, slots=True)
class InMemory:
    """A register linked in memory: persons (labels by row), pairs, model and threshold;
    ``within``: the soft cannot-links found inside persons (scored pairs below
    ``cluster.UNLIKELY``), which the register stores beside the pairs."""

    labels: NDArray[np.int64]
    pairs: pd.DataFrame
    model: Model
    threshold: float
    expected: Expected
    within: pd.DataFrame = field(default_factory=pd.DataFrame)

    def recluster(self, ids: NDArray[np.int64], threshold: float) -> NDArray[np.int64]:
        """Persons at another threshold from the same scores, as ``linkage.sensitivity``
        clusters a run's stored links (the run's soft cannot-links kept, nothing rescored).

        ``ids``: the ``unique_id`` of each row of the linked frame.
        """
        kept = self.pairs[self.pairs["match_probability"] >= threshold]
        soft = clustering.unlikely(self.within) if len(self.within) else []
        return clustering.cluster(ids, edges(kept), (), soft)


def link_in_memory(
    frame: pd.DataFrame,
    spec: score.Spec = score.PSEUDONYMISED,
    *,
    lists: pd.Series | None = None,
    threshold: float | None = None,
    seed: int = score.SEED,
    api: Any = None,
) -> InMemory:
    """Link ``frame`` (standardised) as a register's first full run would; nothing stored.

    Train (or the shipped model on a small register: ``link.fresh_model``), score, choose the
    threshold (unless given), cluster with the model's soft cannot-links
    (``link.cluster_persons``), as ``link_register`` does. ``lists``: each row's
    estimation list, for the run's own estimate of its overlap error.
    """
    n = len(frame)
    model, _ = fresh_model(frame, spec, seed=seed, api=api)
    pairs = score.predict(frame, model, floor=LINK_FLOOR, api=api)
    expected_pairs = thresholds.true_pairs(model, n)
    rule = "given" if threshold is not None else "chosen"
    if threshold is None:
        threshold = thresholds.choose(pairs["match_probability"], expected_pairs)
    links = edges(pairs[pairs["match_probability"] >= threshold])
    labels, within = cluster_persons(frame, model, links, api=api)
    by_id = pd.Series(
        lists.to_numpy() if lists is not None else np.full(n, ""), index=frame["unique_id"]
    )
    expected = thresholds.expected(
        pairs,
        by_id,
        pd.Series(labels, index=frame["unique_id"]),
        threshold=threshold,
        rule=rule,
        expected_pairs=expected_pairs,
    )
    return InMemory(labels, pairs, model, threshold, expected, within)


def truth_labels(reports: pd.DataFrame, truth_dir: Path) -> NDArray[Any]:
    """The true person of each report, from ``truth/reports.csv``."""
    truth = pd.read_csv(truth_dir / "reports.csv", dtype=str, keep_default_na=False)
    keys = zip(truth["organisation"], truth["case_reference"], strict=True)
    person = dict(zip(keys, truth["person_id"], strict=True))
    return np.array(
        [
            person[(o, c)]
            for o, c in zip(reports["organisation_code"], reports["case_reference"], strict=True)
        ]
    )


def measure(
    name: str,
    linked: NDArray[Any],
    truth: NDArray[Any],
    reports: pd.DataFrame,
    *,
    threshold: float,
    seconds: float,
    expected: Expected | None = None,
) -> Measured:
    """One linkage of ``reports`` (a label per report) against the truth."""
    lists = reports["estimation_list"].to_numpy()
    return Measured(
        name,
        threshold,
        pairwise(linked, truth),
        persons_per_year(linked, reports),
        persons_per_year(truth, reports),
        seconds,
        overlaps(linked, lists),
        overlaps(truth, lists),
        expected,
    )


def evaluate(
    engine: Engine,
    root: Path,
    *,
    threshold: float | None = None,
    models: tuple[str, ...] = ("pseudonymised", "clear"),
    seed: int = score.SEED,
) -> QualityReport:
    """Link the register in memory with each model and compare with the truth in ``root``.

    ``root`` is the synthetic output directory (``raw/`` and ``truth/``); ``threshold``: a
    fixed one (by default each model chooses its own).
    """
    reports = read_reports(engine)
    truth = truth_labels(reports, root / "truth")
    rows: list[Measured] = []
    for name in models:
        started = time.perf_counter()
        if name == "pseudonymised":
            frame, spec = standardise(reports), score.PSEUDONYMISED
        else:
            frame, spec = standardise_clear(reports, root / "raw"), score.CLEAR
        linked = link_in_memory(
            frame, spec, lists=reports["estimation_list"], threshold=threshold, seed=seed
        )
        seconds = time.perf_counter() - started
        rows.append(
            measure(
                name,
                linked.labels,
                truth,
                reports,
                threshold=linked.threshold,
                seconds=seconds,
                expected=linked.expected,
            )
        )
    return QualityReport(len(reports), len(set(truth)), tuple(rows))
