"""Score: a Fellegi-Sunter model (Splink) trained on the reports, and match probabilities.

The model's parameters come from the data: ``u`` (how often unrelated reports agree) from
random pairs with a fixed seed, ``m`` (how often reports of one person agree) by expectation
maximisation on blocked pairs, the prior from pairs that agree on name and birth date. Every
``m`` and ``u`` is then kept away from zero (``FLOOR``): a level never seen among matches in
training (a recorded sex that differs) must lower the score, not veto the pair for ever.

EM needs many of its blocked pairs to be matches. In a register of more than
``EM_MAX_REPORTS`` reports, namesakes and shared birth dates (1 January) outnumber them and EM
takes "same origin" for "same person" (measured on the synthetic population at 20 and 200
times the Dutch size: F1 0.80 and 0.11); there ``m``, which describes how reports of one
person differ (recording errors, not the register's size), is taken from the shipped model,
while ``u`` and the prior are always the register's own.

DuckDB is the default backend; it runs in memory with extension auto-loading switched off, so
linkage never downloads or loads anything. A trained model is a JSON-able dict (Splink's
settings with the parameters); the register keeps it, so that later runs score new reports
with the parameters earlier links were made with.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from splink import Linker, SettingsCreator
from splink.internals.duckdb.database_api import DuckDBAPI

from victim_monitor.linkage import block, compare

Model = dict[str, Any]

SEED = 20190101
U_MAX_PAIRS = 5e6
EM_MAX_PAIRS = 2e6
EM_MAX_REPORTS = 50_000
MAX_ITERATIONS = 50
MIN_ITERATIONS = 5
M_FLOOR = 1e-3
U_FLOOR = 1e-8


@dataclass(frozen=True, slots=True)
class Spec:
    """What a model compares and how it is trained: the pseudonymised model or its twin."""

    name: str
    comparisons: tuple[compare.Comparison, ...]
    rules: tuple[str, ...]
    training: tuple[str, ...]
    deterministic: tuple[str, ...]  # columns of the rule the prior is estimated from
    reference: str  # the shipped model in victim_monitor/data
    recall: float = block.DETERMINISTIC_RECALL


PSEUDONYMISED = Spec(
    "pseudonymised",
    tuple(compare.pseudonymised_comparisons()),
    block.PSEUDONYMISED_RULES,
    block.PSEUDONYMISED_TRAINING,
    block.PSEUDONYMISED_DETERMINISTIC,
    "linkage-model.json",
)
CLEAR = Spec(
    "clear",
    tuple(compare.clear_comparisons()),
    block.CLEAR_RULES,
    block.CLEAR_TRAINING,
    block.CLEAR_DETERMINISTIC,
    "linkage-model-clear.json",
)


def duckdb_api(threads: int | None = None, memory_limit: str | None = None) -> DuckDBAPI:
    """A Splink DuckDB backend in memory that cannot install or load extensions."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
    }
    if threads is not None:
        config["threads"] = threads
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    connection = duckdb.connect(":memory:", config=config)
    connection.execute("SET lock_configuration = true")
    return DuckDBAPI(connection)


def spark_api(session: Any = None, partitions: int = 8, memory: str = "4g") -> Any:
    """Splink's Spark backend, for registers beyond one machine (``victim-monitor[spark]``).

    ``session``: a running ``SparkSession``; by default a local one on all cores with
    ``memory`` for the driver (Spark's default, 1g, runs out at 20,000 reports). The
    pseudonymised model's SQL is the same on Spark (``bit_count`` on 64-bit words).
    """
    try:
        from pyspark.sql import SparkSession
        from splink.internals.spark.database_api import SparkAPI
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "the Spark backend needs pyspark: pip install 'victim-monitor[spark]'"
        ) from error
    if session is None:
        session = (
            SparkSession.builder.master("local[*]")
            .appName("victim-monitor linkage")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", memory)
            .config("spark.sql.shuffle.partitions", str(partitions))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )
    if session.sparkContext.getCheckpointDir() is None:
        # Splink breaks long query lineages by checkpointing.
        session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="victim-monitor-spark-"))
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=session, num_partitions_on_repartition=partitions
    )


BACKENDS = ("duckdb", "spark")


class BackendError(RuntimeError):
    """A linkage backend that is unknown or cannot run here; the message says what to do."""


def check_backend(name: str) -> None:
    """Fail early, with what to install, if backend ``name`` cannot run on this machine."""
    if name not in BACKENDS:
        raise BackendError(f"unknown linkage backend {name!r}: use duckdb or spark")
    if name != "spark":
        return
    if importlib.util.find_spec("pyspark") is None:
        raise BackendError(
            "the Spark backend needs pyspark, which is not installed: "
            "pip install 'victim-monitor[spark]' (or use --backend duckdb, the default)"
        )
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise BackendError("the Spark backend needs Java 17 or later: no JAVA_HOME and no java")


def backend(name: str) -> Any:
    """A fresh Splink backend by name: ``duckdb`` (default) or ``spark``."""
    check_backend(name)
    return spark_api() if name == "spark" else duckdb_api()


@contextmanager
def quiet() -> Iterator[None]:
    """Keep Splink's progress messages out of the caller's output (warnings still show)."""
    logger = logging.getLogger("splink")
    before = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


def settings(spec: Spec) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[dict(c) for c in spec.comparisons],
        blocking_rules_to_generate_predictions=[{"blocking_rule": r} for r in spec.rules],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=MAX_ITERATIONS,
        em_convergence=0.0001,
    )


def _linker(
    api: Any, frame: pd.DataFrame, model: SettingsCreator | Model, *, validate: bool = False
) -> Linker:
    table = api.register(frame)
    return Linker(table, model, log_level=None, validate_settings=validate)


def train(
    frame: pd.DataFrame,
    spec: Spec = PSEUDONYMISED,
    *,
    seed: int = SEED,
    u_max_pairs: float = U_MAX_PAIRS,
    api: Any = None,
) -> Model:
    """Estimate the prior, ``u`` and ``m`` on ``frame`` (the standardised reports)."""
    db = api or duckdb_api()
    with quiet():
        start = {**settings(spec).create_settings_dict(db.sql_dialect.sql_dialect_str)}
        start["probability_two_random_records_match"] = prior(frame, spec)
        linker = _linker(db, frame, start, validate=True)
        linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
        model = linker.misc.save_model_to_json()
        if len(frame) > EM_MAX_REPORTS:
            return floored(with_m(model, reference_model(spec)))
        for rule in spec.training:
            model = _maximise(db, frame, model, rule)
    return floored(model)


def reference_model(spec: Spec = PSEUDONYMISED) -> Model:
    """The model shipped with the package, trained on the development population.

    Used whole (with the register's own prior) by registers too small to train on, and for its
    ``m`` by registers too large for EM (``EM_MAX_REPORTS``).
    """
    text = resources.files("victim_monitor.data").joinpath(spec.reference).read_text("utf-8")
    model: Model = json.loads(text)
    return model


def with_m(model: Model, source: Model) -> Model:
    """``model`` with the ``m`` probabilities of ``source`` (the same comparisons)."""
    comparisons = []
    for mine, theirs in zip(model["comparisons"], source["comparisons"], strict=True):
        levels = [
            lv if lv.get("is_null_level") else {**lv, "m_probability": other["m_probability"]}
            for lv, other in zip(
                mine["comparison_levels"], theirs["comparison_levels"], strict=True
            )
        ]
        comparisons.append({**mine, "comparison_levels": levels})
    return {**model, "comparisons": comparisons}


def prior(frame: pd.DataFrame, spec: Spec = PSEUDONYMISED) -> float:
    """The probability that two random reports are one person.

    The share of all pairs that agree on every column of ``spec.deterministic`` (full name and
    birth date: almost always one person), divided by the rule's assumed recall; at least one
    such pair is assumed, so that a tiny register still gets a positive prior.
    """
    n = len(frame)
    pairs = n * (n - 1) / 2
    if pairs == 0:
        return 0.5
    columns = list(spec.deterministic)
    sizes = frame.dropna(subset=columns).groupby(columns).size().to_numpy(np.int64)
    agreeing = max(int((sizes * (sizes - 1) // 2).sum()), 1)
    return float(min(agreeing / spec.recall / pairs, 0.5))


def _maximise(api: Any, frame: pd.DataFrame, model: Model, rule: str) -> Model:
    """One EM session; started again with fewer iterations if an ``m`` underflows.

    On small registers a level absent from the blocked pairs sends its ``m`` towards zero
    geometrically, and Splink refuses values below 1e-300 rather than flooring them; fewer
    iterations stop before that (the floor is applied afterwards anyway).
    """
    iterations = MAX_ITERATIONS
    while True:
        linker = _linker(api, frame, {**model, "max_iterations": iterations})
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=EM_MAX_PAIRS
            )
        except ValueError as error:
            if "below the minimum" not in str(error) or iterations <= MIN_ITERATIONS:
                raise
            iterations //= 2
            continue
        trained = linker.misc.save_model_to_json()
        return {**trained, "max_iterations": MAX_ITERATIONS}


def with_prior(frame: pd.DataFrame, model: Model, spec: Spec = PSEUDONYMISED) -> Model:
    """``model`` with the prior re-estimated on ``frame`` (it falls as the register grows).

    The chance that two random reports are one person is about (reports per person - 1)
    divided by the number of reports, so a prior estimated on another register, or on this
    one when it was smaller, would be too high; ``m`` and ``u`` carry over.
    """
    return {**model, "probability_two_random_records_match": prior(frame, spec)}


def floored(model: Model) -> Model:
    """The model with every ``m`` at least ``M_FLOOR`` and ``u`` at least ``U_FLOOR``.

    Each comparison's probabilities are renormalised to sum to one.
    """
    out: Model = dict(model)
    comparisons = []
    for comparison in model["comparisons"]:
        levels = [dict(lv) for lv in comparison["comparison_levels"]]
        for key, floor in (("m_probability", M_FLOOR), ("u_probability", U_FLOOR)):
            scored = [lv for lv in levels if not lv.get("is_null_level")]
            for lv in scored:
                lv[key] = max(float(lv.get(key) or 0.0), floor)
            total = sum(lv[key] for lv in scored)
            for lv in scored:
                lv[key] = lv[key] / total
        comparisons.append({**comparison, "comparison_levels": levels})
    out["comparisons"] = comparisons
    return out


PAIR_COLUMNS = ("unique_id_l", "unique_id_r", "match_weight", "match_probability")


def _pairs(result: Any) -> pd.DataFrame:
    frame: pd.DataFrame = result.as_pandas_dataframe()
    gammas = [c for c in frame.columns if c.startswith("gamma_")]
    frame = frame[[*PAIR_COLUMNS, *gammas]].copy()
    left = frame["unique_id_l"].astype("int64")
    right = frame["unique_id_r"].astype("int64")
    swap = left > right
    frame["unique_id_l"] = left.where(~swap, right)
    frame["unique_id_r"] = right.where(~swap, left)
    frame["match_weight"] = frame["match_weight"].astype(float)
    frame["match_probability"] = frame["match_probability"].astype(float)
    for name in gammas:
        frame[name] = frame[name].astype("int64")
    return frame


def predict(
    frame: pd.DataFrame,
    model: Model,
    *,
    floor: float,
    new: Sequence[int] | None = None,
    api: Any = None,
) -> pd.DataFrame:
    """Scored pairs with a match probability of at least ``floor``.

    ``new`` (report ids): score only pairs with at least one new report, new against all the
    others and new among themselves; the other pairs were scored by earlier runs. Columns:
    ``unique_id_l < unique_id_r``, ``match_weight``, ``match_probability`` and one
    ``gamma_<comparison>`` per comparison (the level reached, -1 for null).
    """
    # Matching columns are what brings the gamma (level) columns out of Splink 5's predict;
    # only pairs above ``floor`` carry them, and only the gammas are kept.
    settings_dict = {**model, "retain_intermediate_calculation_columns": False}
    settings_dict["retain_matching_columns"] = True
    with quiet():
        db = api or duckdb_api()
        if new is None:
            linker = _linker(db, frame, settings_dict)
            result = linker.inference.predict(
                threshold_match_probability=floor, warning_mode="never"
            )
            return _pairs(result)
        is_new = frame["unique_id"].isin(pd.Index(new))
        linker = _linker(db, frame, settings_dict)
        for column in _tf_columns(model):
            linker.table_management.compute_tf_table(column)
        fresh = db.register(frame[is_new].reset_index(drop=True))
        parts = [
            linker.inference.predict_within(
                fresh, threshold_match_probability=floor, warning_mode="never"
            )
        ]
        if (~is_new).any():
            older = db.register(frame[~is_new].reset_index(drop=True))
            parts.append(
                linker.inference.predict_between(
                    older, fresh, threshold_match_probability=floor, warning_mode="never"
                )
            )
        return pd.concat([_pairs(p) for p in parts], ignore_index=True)


def log_likelihood(pairs: pd.DataFrame, model: Model) -> float:
    """Mean log-likelihood of scored pairs under the model's two-class mixture.

    ``log(λ Π m_k(γ_k) + (1 − λ) Π u_k(γ_k))`` per pair, from the ``gamma_`` columns of
    :func:`predict` (null levels count 1, term frequencies are left out). Models are compared
    on the same pairs: how well each explains the register's blocked pairs.
    """
    prior = float(model["probability_two_random_records_match"])
    log_m = np.zeros(len(pairs))
    log_u = np.zeros(len(pairs))
    for comparison in model["comparisons"]:
        gamma = pairs[f"gamma_{comparison['output_column_name']}"].to_numpy()
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for i, level in enumerate(levels):
            at = gamma == len(levels) - 1 - i  # Splink counts the levels up from "else" (0)
            log_m[at] += np.log(level["m_probability"])
            log_u[at] += np.log(level["u_probability"])
    both = np.logaddexp(np.log(prior) + log_m, np.log1p(-prior) + log_u)
    return float(both.mean()) if len(both) else 0.0


def levels(model: Model) -> list[tuple[str, int]]:
    """Each comparison's name and number of levels: models with equal ``levels`` compare."""
    return [(c["output_column_name"], len(c["comparison_levels"])) for c in model["comparisons"]]


def _tf_columns(model: Model) -> list[str]:
    found: list[str] = []
    for comparison in model["comparisons"]:
        for lv in comparison["comparison_levels"]:
            column = lv.get("tf_adjustment_column")
            if column and column not in found:
                found.append(column)
    return found


def comparison_labels(model: Model) -> dict[str, dict[int, str]]:
    """Per comparison, the label of each level by its gamma value (-1 is null)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        scored = [lv for lv in levels if not lv.get("is_null_level")]
        names = {len(scored) - 1 - i: str(lv["label_for_charts"]) for i, lv in enumerate(scored)}
        names[-1] = "unknown"
        labels[str(comparison["output_column_name"])] = names
    return labels
