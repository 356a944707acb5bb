"""Quality: linkage measured against the synthetic population, which knows who is who.

Two measures, for the pseudonymised model (what the register holds) and its clear-text twin
(the same reports with clear names and birth dates, from the organisations' raw files):

- **pairwise** precision, recall and F1: over all pairs of reports, a pair is predicted when
  both reports are in one person, true when both belong to one true person;
- the **error in persons per year**: linked persons (year of first report) against true
  registered persons, relative, per year.

Both models are trained and clustered in memory with the same seed and threshold; nothing is
written to the register. The synthetic register is built as the demo builds it: generate,
write the raw files, encode each at "the organisation" with a fresh key, import.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy import Engine

from victim_monitor.linkage import score
from victim_monitor.linkage.cluster import cluster, edges
from victim_monitor.linkage.standardise import read_reports, standardise, standardise_clear


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


@dataclass(frozen=True, slots=True)
class Measured:
    """One model at one threshold."""

    model: str
    threshold: float
    quality: PairwiseQuality
    persons_by_year: dict[int, int]
    truth_by_year: dict[int, int]
    seconds: float

    @property
    def year_errors(self) -> dict[int, float]:
        """Relative error of persons per year (linked / true - 1)."""
        return {
            y: self.persons_by_year.get(y, 0) / n - 1 for y, n in self.truth_by_year.items() if n
        }

    @property
    def max_year_error(self) -> float:
        return max((abs(e) for e in self.year_errors.values()), default=0.0)

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
        return out


@dataclass(frozen=True, slots=True)
class QualityReport:
    reports: int
    true_persons: int
    rows: tuple[Measured, ...]

    def row(self, model: str, threshold: float) -> Measured:
        return next(r for r in self.rows if r.model == model and r.threshold == threshold)

    def summary(self) -> str:
        lines = [
            f"{self.reports:,} reports of {self.true_persons:,} true persons",
            "model          threshold  precision  recall     F1   max |error| persons/year",
        ]
        for r in self.rows:
            q = r.quality
            lines.append(
                f"{r.model:<14} {r.threshold:>9.2f} {q.precision:>10.4f} {q.recall:>7.4f} "
                f"{q.f1:>7.4f} {r.max_year_error:>12.2%}"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reports": self.reports,
            "true_persons": self.true_persons,
            "rows": [r.as_dict() for r in self.rows],
        }


def link_in_memory(
    frame: pd.DataFrame,
    spec: score.Spec = score.PSEUDONYMISED,
    *,
    thresholds: tuple[float, ...],
    seed: int = score.SEED,
    floor: float | None = None,
) -> tuple[dict[float, NDArray[np.int64]], pd.DataFrame]:
    """Train, score and cluster ``frame`` (standardised) at each threshold; nothing stored."""
    model = score.train(frame, spec, seed=seed)
    pairs = score.predict(frame, model, floor=min(thresholds) if floor is None else floor)
    ids = frame["unique_id"].to_numpy(np.int64)
    labels = {t: cluster(ids, edges(pairs[pairs["match_probability"] >= t])) for t in thresholds}
    return labels, pairs


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


def evaluate(
    engine: Engine,
    root: Path,
    *,
    thresholds: tuple[float, ...] = (0.8,),
    models: tuple[str, ...] = ("pseudonymised", "clear"),
    seed: int = score.SEED,
) -> QualityReport:
    """Link the register in memory with each model and compare with the truth in ``root``.

    ``root`` is the synthetic output directory (``raw/`` and ``truth/``).
    """
    reports = read_reports(engine)
    truth = truth_labels(reports, root / "truth")
    true_years = persons_per_year(truth, reports)
    rows: list[Measured] = []
    for name in models:
        started = time.perf_counter()
        if name == "pseudonymised":
            frame, spec = standardise(reports), score.PSEUDONYMISED
        else:
            frame, spec = standardise_clear(reports, root / "raw"), score.CLEAR
        labels, _ = link_in_memory(frame, spec, thresholds=thresholds, seed=seed)
        seconds = time.perf_counter() - started
        for t in thresholds:
            rows.append(
                Measured(
                    name,
                    t,
                    pairwise(labels[t], truth),
                    persons_per_year(labels[t], reports),
                    true_years,
                    seconds,
                )
            )
    return QualityReport(len(reports), len(set(truth)), tuple(rows))
