"""Score: the Fellegi-Sunter model (Splink) and match probabilities of blocked pairs.

A model (``model.Model``) is the prior and each comparison's levels with their parameters;
``train`` estimates them, this module scores pairs with them. Every ``m`` and ``u`` is kept
away from zero (``floored``): a level never seen among matches (a recorded sex that differs)
must lower the score, not veto the pair for ever. The register keeps each run's model, so
that later runs score new reports with the parameters earlier links were made with.

DuckDB is the default backend; it runs in memory with extension auto-loading switched off, so
linkage never downloads or loads anything. Spark is the backend for registers beyond one
machine (``victim-monitor[spark]``).
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
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from splink import DuckDBAPI, Linker, SettingsCreator

from victim_monitor.linkage import block, compare
from victim_monitor.linkage.codes import NO_JAVA, NO_PYSPARK, UNKNOWN_BACKEND, BackendError
from victim_monitor.linkage.model import Comparison, Level, Model

SEED = 20190101
M_FLOOR = 1e-3
U_FLOOR = 1e-8


@dataclass(frozen=True, slots=True)
class Spec:
    """What a model compares and blocks on: the pseudonymised model or its clear-text twin."""

    name: str
    comparisons: tuple[compare.Comparison, ...]
    rules: tuple[str, ...]
    reference: str  # the shipped model in victim_monitor/data


PSEUDONYMISED = Spec(
    "pseudonymised",
    tuple(compare.pseudonymised_comparisons()),
    block.PSEUDONYMISED_RULES,
    "linkage-model.json",
)
CLEAR = Spec(
    "clear",
    tuple(compare.clear_comparisons()),
    block.CLEAR_RULES,
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
        from splink import SparkAPI
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


def check_backend(name: str) -> None:
    """Fail early, with what to install, if backend ``name`` cannot run on this machine."""
    if name not in BACKENDS:
        raise BackendError(
            [UNKNOWN_BACKEND(f"unknown linkage backend {name!r}: use duckdb or spark")]
        )
    if name != "spark":
        return
    if importlib.util.find_spec("pyspark") is None:
        raise BackendError(
            [
                NO_PYSPARK(
                    "the Spark backend needs pyspark, which is not installed: "
                    "pip install 'victim-monitor[spark]' (or use --backend duckdb, the default)"
                )
            ]
        )
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise BackendError(
            [NO_JAVA("the Spark backend needs Java 17 or later: no JAVA_HOME and no java")]
        )


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
    )


def linker(
    api: Any,
    frame: pd.DataFrame,
    model: SettingsCreator | Model,
    *,
    blocking_rules: Sequence[str] | None = None,
    retain_matching_columns: bool | None = None,
    term_frequencies: bool = True,
    validate: bool = False,
) -> Linker:
    """A Splink linker of ``frame`` on backend ``api`` (``model``: settings or parameters).

    The one place a model is handed to Splink, as its settings dict
    (``Model.splink_settings``, with the overrides given here).
    """
    table = api.register(frame)
    settings = (
        model
        if isinstance(model, SettingsCreator)
        else model.splink_settings(
            blocking_rules=blocking_rules,
            retain_matching_columns=retain_matching_columns,
            term_frequencies=term_frequencies,
        )
    )
    return Linker(table, settings, log_level=None, validate_settings=validate)


def reference_model(spec: Spec = PSEUDONYMISED) -> Model:
    """The model shipped with the package, trained on the development population.

    Used whole (with the register's own prior) by registers too small to train on, and as
    the centre of the prior on ``m`` by every training (``train``).
    """
    text = resources.files("victim_monitor.data").joinpath(spec.reference).read_text("utf-8")
    return Model.from_json(json.loads(text))


def reference_training(spec: Spec = PSEUDONYMISED) -> dict[str, Any]:
    """How the shipped model was trained (``train.Training.as_dict``): its reports and the
    matching pairs it estimated, so that its prior can be scaled to another register."""
    name = spec.reference.removesuffix(".json") + ".training.json"
    text = resources.files("victim_monitor.data").joinpath(name).read_text("utf-8")
    found: dict[str, Any] = json.loads(text)
    return found


def floored(model: Model) -> Model:
    """The model with every ``m`` at least ``M_FLOOR`` and ``u`` at least ``U_FLOOR``.

    Each comparison's probabilities are renormalised to sum to one.
    """
    return model.with_comparisons([_floored(c) for c in model.comparisons])


def _floored(comparison: Comparison) -> Comparison:
    scored = comparison.scored
    m = [max(lv.m or 0.0, M_FLOOR) for lv in scored]
    u = [max(lv.u or 0.0, U_FLOOR) for lv in scored]
    shares = iter(zip([x / sum(m) for x in m], [x / sum(u) for x in u], strict=True))
    levels: list[Level] = []
    for level in comparison.levels:
        if level.is_null:
            levels.append(level)
        else:
            new_m, new_u = next(shares)
            levels.append(replace(level, m=new_m, u=new_u))
    return comparison.with_levels(levels)


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
    with quiet():
        db = api or duckdb_api()
        if new is None:
            scorer = linker(db, frame, model, retain_matching_columns=True)
            result = scorer.inference.predict(
                threshold_match_probability=floor, warning_mode="never"
            )
            return _pairs(result)
        is_new = frame["unique_id"].isin(pd.Index(new))
        scorer = linker(db, frame, model, retain_matching_columns=True)
        for column in model.term_frequency_columns():
            scorer.table_management.compute_tf_table(column)
        fresh = db.register(frame[is_new].reset_index(drop=True))
        parts = [
            scorer.inference.predict_within(
                fresh, threshold_match_probability=floor, warning_mode="never"
            )
        ]
        if (~is_new).any():
            older = db.register(frame[~is_new].reset_index(drop=True))
            parts.append(
                scorer.inference.predict_between(
                    older, fresh, threshold_match_probability=floor, warning_mode="never"
                )
            )
        return pd.concat([_pairs(p) for p in parts], ignore_index=True)


GROUP = "link_group"


def within(
    frame: pd.DataFrame,
    model: Model,
    groups: pd.Series,
    *,
    below: float = 1.0,
    api: Any = None,
) -> pd.DataFrame:
    """The pairs of reports in one group that score below ``below``, whether blocking
    compared them or not.

    ``groups``: a group label per row of ``frame`` (NA: in no group). Used for the persons
    of the link graph (at most ``cluster.LARGEST`` reports each: all their pairs are
    scored), so that clustering sees how each report compares with every other report it
    would be joined to. Term frequencies come from the whole of ``frame``.
    """
    grouped = frame.assign(**{GROUP: groups.astype("Int64").to_numpy()})
    with quiet():
        scorer = linker(
            api or duckdb_api(),
            grouped,
            model,
            blocking_rules=[f"l.{GROUP} = r.{GROUP}"],
            retain_matching_columns=True,
        )
        result = scorer.inference.predict(threshold_match_probability=0.0, warning_mode="never")
        kept = result.query_sql(f"SELECT * FROM {{this}} WHERE match_probability < {below!r}")
        return _pairs(kept)


def within_persons(
    frame: pd.DataFrame,
    model: Model,
    labels: NDArray[np.int64],
    new: pd.Series | None = None,
    *,
    below: float = 1.0,
    api: Any = None,
) -> pd.DataFrame:
    """The pairs of reports inside each cluster of three or more reports that score below
    ``below`` (:func:`within`).

    ``labels``: a cluster per row of ``frame``. With ``new`` (report ids: an incremental
    run) only the clusters a new report is in are looked at, and only the pairs with a new
    report are kept: earlier persons are held together as they are.
    """
    ids = frame["unique_id"].to_numpy(np.int64)
    clusters = pd.Series(labels)
    wanted = (clusters.map(clusters.value_counts()) >= 3).to_numpy()
    if new is not None:
        wanted &= np.isin(labels, labels[np.isin(ids, new.to_numpy(np.int64))])
    if not wanted.any():
        return no_pairs(model)
    pairs = within(frame, model, clusters.where(wanted), below=below, api=api)
    if new is not None:
        fresh = set(new.tolist())
        pairs = pairs[pairs["unique_id_l"].isin(fresh) | pairs["unique_id_r"].isin(fresh)]
    return pairs.reset_index(drop=True)


def log_likelihood(pairs: pd.DataFrame, model: Model) -> float:
    """Mean log-likelihood of scored pairs under the model's two-class mixture.

    ``log(λ Π m_k(γ_k) + (1 − λ) Π u_k(γ_k))`` per pair, from the ``gamma_`` columns of
    :func:`predict` (null levels count 1, term frequencies are left out). Models are compared
    on the same pairs: how well each explains the register's blocked pairs.
    """
    log_m = np.zeros(len(pairs))
    log_u = np.zeros(len(pairs))
    for comparison in model.comparisons:
        gamma = pairs[f"gamma_{comparison.name}"].to_numpy()
        levels = comparison.scored
        for i, level in enumerate(levels):
            at = gamma == len(levels) - 1 - i  # Splink counts the levels up from "else" (0)
            log_m[at] += np.log(level.m or 0.0)
            log_u[at] += np.log(level.u or 0.0)
    both = np.logaddexp(np.log(model.prior) + log_m, np.log1p(-model.prior) + log_u)
    return float(both.mean()) if len(both) else 0.0


def levels(model: Model) -> list[tuple[str, int]]:
    """Each comparison's name and number of levels: models with equal ``levels`` compare."""
    return model.levels()


def no_pairs(model: Model) -> pd.DataFrame:
    """An empty frame of scored pairs, with the columns :func:`predict` gives."""
    gammas = [f"gamma_{c.name}" for c in model.comparisons]
    return pd.DataFrame(columns=[*PAIR_COLUMNS, *gammas])


def comparison_labels(model: Model) -> dict[str, dict[int, str]]:
    """Per comparison, the label of each level by its gamma value (-1 is null)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model.comparisons:
        scored = comparison.scored
        names = {len(scored) - 1 - i: lv.label for i, lv in enumerate(scored)}
        names[-1] = "unknown"
        labels[comparison.name] = names
    return labels
