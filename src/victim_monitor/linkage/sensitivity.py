"""Sensitivity: persons per year and capture histories as the match threshold moves.

Estimates of the hidden number rest on the capture-history table, which rests on the links;
this shows how much both move when the threshold does (published with every estimate). For
each threshold the register's stored links (every pair scored at least ``LINK_FLOOR`` by the
model of its run) are clustered as a full relink would cluster them, with the reviewers'
decisions and the soft cannot-links the runs found inside persons; the register itself is
not changed. A lower threshold joins reports into larger groups than any run scored in full,
so its rows can hold a few joins a relink at that threshold would refuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from victim_monitor.linkage import cluster as clustering
from victim_monitor.linkage.persons import LISTS, histories_frame, union
from victim_monitor.linkage.review import decisions
from victim_monitor.linkage.standardise import read_reports
from victim_monitor.linkage.threshold import LINK_FLOOR
from victim_monitor.storage.schema import linkage_runs, person_reports, report_links

THRESHOLDS = (0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.99)
"""The default thresholds, with the last run's own added."""


@dataclass(frozen=True, slots=True)
class Sensitivity:
    """Per threshold: persons per year and the capture-history table per year."""

    thresholds: tuple[float, ...]
    persons_by_year: dict[float, dict[int, int]]
    histories: dict[float, dict[int, pd.DataFrame]]
    unlinked: int = 0
    """Current reports no link run has seen yet (each counts as a person of its own)."""

    def summary(self) -> str:
        years = sorted({y for row in self.persons_by_year.values() for y in row})
        lines = ["persons by year of first report, and persons on two or more lists:"]
        lines.append("threshold " + " ".join(f"{y:>7}" for y in years) + "   on 2+ lists")
        for t in self.thresholds:
            row = self.persons_by_year[t]
            multi = sum(
                int(h.loc[h[list(LISTS)].sum(axis=1) >= 2, "count"].sum())
                for h in self.histories[t].values()
            )
            cells = " ".join(f"{row.get(y, 0):>7,}" for y in years)
            lines.append(f"{t:>9.2f} {cells}   {multi:>11,}")
        if self.unlinked:
            lines.append(
                f"{self.unlinked:,} current reports are not linked yet: run victim-monitor link"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "thresholds": list(self.thresholds),
            "unlinked": self.unlinked,
            "persons_by_year": {
                str(t): {str(y): n for y, n in row.items()}
                for t, row in self.persons_by_year.items()
            },
            "histories": {
                str(t): {str(y): h.to_dict(orient="records") for y, h in by_year.items()}
                for t, by_year in self.histories.items()
            },
        }


def sensitivity(
    engine: Engine,
    thresholds: tuple[float, ...] | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> Sensitivity:
    """Re-cluster the stored links at each threshold (at least ``LINK_FLOOR``; by default
    ``THRESHOLDS`` and the last run's threshold)."""
    if thresholds is not None and (
        not thresholds or any(not LINK_FLOOR <= t < 1 for t in thresholds)
    ):
        raise ValueError(f"thresholds must lie in [{LINK_FLOOR}, 1): {thresholds}")
    step = progress or (lambda _name, _done, _total: None)
    step("read the stored links", 0, 1)
    with engine.connect() as conn:
        last = conn.scalar(select(linkage_runs.c.threshold).order_by(linkage_runs.c.id.desc()))
        if thresholds is None:
            thresholds = (*THRESHOLDS, *(() if last is None else (round(float(last), 4),)))
        reports = read_reports(conn)
        decided = decisions(conn, reports)
        links = pd.DataFrame(
            conn.execute(
                select(
                    report_links.c.report_id_l,
                    report_links.c.report_id_r,
                    report_links.c.match_probability,
                )
            ).all(),
            columns=["unique_id_l", "unique_id_r", "match_probability"],
        )
        seen = pd.Index([r for (r,) in conn.execute(select(person_reports.c.report_id))])
    step("read the stored links", 1, 1)
    thresholds = tuple(sorted(set(thresholds)))
    ids = reports["unique_id"].to_numpy(np.int64)
    low = links[links["match_probability"] < clustering.UNLIKELY]
    soft = list(zip(low["unique_id_l"].tolist(), low["unique_id_r"].tolist(), strict=True))
    same = pd.DataFrame(list(decided.same), columns=["unique_id_l", "unique_id_r"])
    by_year: dict[float, dict[int, int]] = {}
    histories: dict[float, dict[int, pd.DataFrame]] = {}
    for done, t in enumerate(thresholds):
        step("cluster at each threshold", done, len(thresholds))
        parts = [
            clustering.edges(links[links["match_probability"] >= t]),
            clustering.edges(same, clustering.DECIDED),
        ]
        graph = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
        labels = clustering.cluster(ids, graph, decided.different.keys(), soft)
        persons = _persons(reports, labels)
        by_year[t] = {}
        histories[t] = {}
        for year in sorted(set(persons["year"])):
            group = persons[persons["year"] == year]
            by_year[t][year] = len(group)
            counts: dict[str, int] = {}
            for lists in group["lists"]:
                counts[lists] = counts.get(lists, 0) + 1
            histories[t][year] = histories_frame(counts)
    step("cluster at each threshold", len(thresholds), len(thresholds))
    unlinked = int((~reports["unique_id"].isin(seen)).sum())
    return Sensitivity(thresholds, by_year, histories, unlinked)


def _persons(reports: pd.DataFrame, labels: np.ndarray[Any, np.dtype[np.int64]]) -> pd.DataFrame:
    """Year of first report and the lists, per cluster."""
    frame = pd.DataFrame(
        {
            "label": labels,
            "date": reports["report_date"].to_numpy(),
            "list": reports["estimation_list"].to_numpy(),
        }
    ).sort_values(["label", "date"], kind="stable")
    first = frame.groupby("label", sort=True)["date"].first()
    lists = union(frame["label"], frame["list"], LISTS, "").reindex(first.index)
    return pd.DataFrame({"year": [d.year for d in first], "lists": lists.to_numpy()})
