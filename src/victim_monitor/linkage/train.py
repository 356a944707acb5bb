"""Train: the model's parameters, estimated on the register itself and robust to namesakes.

- ``u`` (how often reports of two persons agree): Splink's random sampling of pairs.
- ``m`` (how often reports of one person agree): expectation maximisation in two *sessions*,
  each on the pairs that agree on one identifier, so that the other comparisons can be
  learnt there: pairs with the same (uncommon) birth date teach the names, sex and report
  date; pairs with the same names and nationality teach the birth date, report date and
  organisation. Within a session the two classes are fitted to the session's own pairs,
  ``u`` included: reports of different persons who share a name do not agree on the other
  fields as random pairs do (they share an origin, a period, the organisations that see that
  origin), and a fixed ``u`` would let the "same person" class absorb that excess (this is
  how the EM of earlier versions took namesakes for matches). ``m`` has a Dirichlet prior
  centred on the shipped model (``PRIOR_STRENGTH`` pseudo-matches), which steadies small
  registers and is outweighed in large ones. Each session learns only the comparisons whose
  agreement among different persons is independent of what the session's pairs share; the
  others are *passive* there: their ``m`` is read off the session's final posterior without
  feeding back into it (nationality, which the same birth date does not make independent of
  the rest: placeholder dates such as 1 January belong to asylum seekers).
- the prior (the probability that two random reports are one person): each session's
  expected number of matching pairs, divided by the share of all matching pairs the session
  holds (from the trained ``m``), is an estimate of the register's matching pairs; the
  geometric mean of the two is kept, with the reports it was estimated on, so that later
  runs scale it to the register's size (:func:`with_prior`).

Everything runs on pattern counts (pairs grouped by their comparison levels), so sessions of
millions of pairs cost seconds; a session larger than ``SESSION_MAX_PAIRS`` is estimated on a
seeded sample of its reports. Method and measurements: docs/methods/linkage.md.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from victim_monitor.linkage import score
from victim_monitor.linkage.model import Comparison, Level, Model
from victim_monitor.linkage.score import Spec

SEED = score.SEED
U_MAX_PAIRS = 5e6
SESSION_MAX_PAIRS = 2_000_000
PRIOR_STRENGTH = 50.0
"""Pseudo-matches of the shipped model's ``m`` in each comparison's Dirichlet prior."""
COMMON_DATE = 5.0
"""A birth date held by more than this many times the median date's reports is a placeholder
(1 January of asylum seekers) and is left out of the birth-date session."""
UNCOMMON = "uncommon_birth_date"
SURE = 0.95
"""A passive comparison's ``m`` is read off the session's pairs at least this likely one
person: among matches its agreement does not depend on the others'."""
MAX_ITERATIONS = 2000
TOLERANCE = 1e-7
SMALLEST = 1e-9


@dataclass(frozen=True, slots=True)
class Session:
    """A training session: pairs that agree on ``columns``; what they teach."""

    name: str
    columns: tuple[str, ...]
    active: tuple[str, ...]  # comparisons estimated by EM here
    passive: tuple[str, ...]  # comparisons read off the posterior here


@dataclass(frozen=True, slots=True)
class SessionFit:
    """What one session found."""

    name: str
    pairs: int  # pairs in the session (all of them, not only the sample)
    sampled: float  # the share of reports the session was estimated on
    prior: float  # the share of the session's pairs that are one person
    matches: float  # expected matching pairs in the session
    recall: float  # the session's share of all matching pairs (from the trained m)
    iterations: int

    @property
    def true_pairs(self) -> float:
        """The register's matching pairs, as this session estimates them."""
        return self.matches / self.recall if self.recall > 0 else math.nan


@dataclass(frozen=True, slots=True)
class Training:
    """A trained model and how it was estimated."""

    model: Model
    reports: int
    true_pairs: float  # estimated matching pairs in the register
    sessions: tuple[SessionFit, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "reports": self.reports,
            "true_pairs": self.true_pairs,
            "sessions": [asdict(s) | {"true_pairs": s.true_pairs} for s in self.sessions],
        }


def sessions(spec: Spec) -> tuple[Session, ...]:
    """The two sessions of a model: on the birth date, and on the names with nationality."""
    names = "pn_name_sorted" if spec.name == "pseudonymised" else "name_sorted"
    return (
        Session(
            "birth date",
            (UNCOMMON,),
            active=("name", "report_date", "organisation"),
            passive=("sex", "nationality"),
        ),
        Session(
            "names",
            (names, "nationality"),
            active=("birth", "report_date", "organisation"),
            passive=("sex",),
        ),
    )


def train(
    frame: pd.DataFrame,
    spec: Spec = score.PSEUDONYMISED,
    *,
    seed: int = SEED,
    u_max_pairs: float = U_MAX_PAIRS,
    api: Any = None,
) -> Training:
    """Estimate ``u``, ``m`` and the prior on ``frame`` (the standardised reports)."""
    db = api or score.duckdb_api()
    frame = with_uncommon_date(frame, spec)
    with score.quiet():
        settings = score.settings(spec).create_settings_dict(db.sql_dialect.sql_dialect_str)
        start = Model.from_json(settings).with_prior(1e-4)
        linker = score.linker(db, frame, start, validate=True)
        linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
        estimated = linker.misc.save_model_to_json()
        estimated.pop("linker_uid", None)  # this linker's random name, not the model's
        model = score.floored(Model.from_json(estimated))
    reference = score.reference_model(spec)
    centre = _centre(model, reference)
    fits: list[SessionFit] = []
    learnt: dict[str, list[tuple[NDArray[np.float64], float, bool]]] = {}
    rng = np.random.default_rng(seed)
    for session in sessions(spec):
        patterns, pairs, share = _patterns(db, frame, model, session, rng)
        fit, m = _fit(patterns, model, session, centre)
        fits.append(
            SessionFit(
                session.name, pairs, share, float(fit[0]), fit[1] / share**2, math.nan, fit[2]
            )
        )
        for name, values in m.items():
            learnt.setdefault(name, []).append((values, fit[1], name in session.active))
    model = _with_m(model, learnt, centre)
    fits = [
        _with_recall(f, s, model, frame, spec) for f, s in zip(fits, sessions(spec), strict=True)
    ]
    estimates = [f.true_pairs for f in fits if f.true_pairs > 0]
    true_pairs = float(np.exp(np.mean(np.log(estimates)))) if estimates else 1.0
    n = len(frame)
    model = model.with_prior(prior_from(true_pairs, n))
    return Training(score.floored(model), n, true_pairs, tuple(fits))


def prior_from(true_pairs: float, reports: int) -> float:
    """The probability that two random reports are one person, from the matching pairs."""
    pairs = reports * (reports - 1) / 2
    return float(min(max(true_pairs, 1.0) / pairs, 0.5)) if pairs else 0.5


def with_prior(model: Model, trained_on: int, reports: int) -> Model:
    """``model`` with its prior scaled from ``trained_on`` reports to ``reports``.

    The matching pairs grow in proportion to the reports (each person has about as many
    reports whatever the register's size), all pairs with their square; so the prior falls as
    ``(trained_on - 1) / (reports - 1)``.
    """
    prior = model.prior
    if reports > 1 and trained_on > 1:
        prior = min(prior * (trained_on - 1) / (reports - 1), 0.5)
    return model.with_prior(prior)


def birth_date_column(spec: Spec) -> str:
    return "pn_birth_date" if spec.name == "pseudonymised" else "birth_date"


def with_uncommon_date(frame: pd.DataFrame, spec: Spec = score.PSEUDONYMISED) -> pd.DataFrame:
    """``frame`` with ``UNCOMMON``: the full birth date, unless it is a placeholder (NULL).

    A date held by more than ``COMMON_DATE`` times as many reports as the median date is a
    convention (1 January for an unknown date), not a coincidence of two births.
    """
    column = birth_date_column(spec)
    counts = frame[column].value_counts()
    limit = COMMON_DATE * float(counts.median()) if len(counts) else 0.0
    uncommon = frame[column].map(counts) <= limit
    return frame.assign(**{UNCOMMON: frame[column].where(uncommon, None)})


# --- sessions ---------------------------------------------------------------------------


def _centre(model: Model, reference: Model) -> dict[str, NDArray[np.float64]]:
    """The prior's centre per comparison: the shipped model's ``m`` if it has the same levels.

    A comparison the shipped model does not have (another version) gets a vague centre:
    agreement more likely than not, halving level by level.
    """
    shipped = {c.name: c for c in reference.comparisons}
    centre: dict[str, NDArray[np.float64]] = {}
    for comparison in model.comparisons:
        levels = comparison.scored
        theirs = shipped.get(comparison.name)
        labels = [lv.label for lv in levels]
        if theirs is not None and [lv.label for lv in theirs.scored] == labels:
            values = np.array([float(lv.m or 0.0) for lv in theirs.scored])
        else:
            values = 0.5 ** np.arange(len(levels), dtype=float)
            values[-1] = 0.02
        centre[comparison.name] = values / values.sum()
    return centre


def _rule(session: Session) -> str:
    return " AND ".join(f"l.{c} = r.{c}" for c in session.columns)


def _patterns(
    db: Any, frame: pd.DataFrame, model: Model, session: Session, rng: np.random.Generator
) -> tuple[pd.DataFrame, int, float]:
    """The session's pairs grouped by comparison levels; its size; the share sampled.

    Term frequencies are left out (levels do not depend on them); a session of more than
    ``SESSION_MAX_PAIRS`` pairs is taken on a random share of the reports, which keeps the
    share of matching pairs (both sides are sampled alike).
    """
    keys = frame.dropna(subset=list(session.columns))
    sizes = keys.groupby(list(session.columns)).size().to_numpy(np.int64)
    pairs = int((sizes * (sizes - 1) // 2).sum())
    share = min(1.0, math.sqrt(SESSION_MAX_PAIRS / pairs)) if pairs else 1.0
    sample = frame if share >= 1.0 else frame[rng.random(len(frame)) < share]
    gammas = ", ".join(f"gamma_{c.name}" for c in model.comparisons)
    with score.quiet():
        linker = score.linker(
            db,
            sample.reset_index(drop=True),
            model,
            blocking_rules=[_rule(session)],
            retain_matching_columns=True,
            term_frequencies=False,
        )
        result = linker.inference.predict(warning_mode="never")
        # In a fixed order: DuckDB's groups come in any order, and EM's sums over them then
        # differed in the last bits from run to run.
        counted: Any = result.query_sql(
            f"SELECT {gammas}, count(*) AS n FROM {{this}} GROUP BY ALL ORDER BY ALL"
        )
        patterns: pd.DataFrame = counted.as_pandas_dataframe()
    return patterns, pairs, share


def _fit(
    patterns: pd.DataFrame,
    model: Model,
    session: Session,
    centre: dict[str, NDArray[np.float64]],
) -> tuple[tuple[float, float, int], dict[str, NDArray[np.float64]]]:
    """EM on the session's pattern counts: (prior, matches, iterations) and ``m`` by name.

    Both classes are fitted (``u`` starts from random pairs but follows the session's own
    pairs); ``m`` has a Dirichlet prior of ``PRIOR_STRENGTH`` pseudo-matches at ``centre``.
    Passive comparisons get the level shares of the final posterior, with the same prior.
    """
    comparisons = {c.name: c for c in model.comparisons}
    counts = patterns["n"].to_numpy(float)
    index: dict[str, NDArray[np.intp]] = {}
    for name in (*session.active, *session.passive):
        levels = len(comparisons[name].scored)
        gamma = patterns[f"gamma_{name}"].to_numpy(np.int64)
        index[name] = np.where(gamma >= 0, levels - 1 - gamma, -1).astype(np.intp)
    m = {name: centre[name].copy() for name in session.active}
    u = {
        name: np.array([float(lv.u or 0.0) for lv in comparisons[name].scored])
        for name in session.active
    }
    prior, weighted, posterior, iterations = 0.05, counts * 0.05, counts * 0.0, 0
    if counts.sum() == 0:
        return (0.0, 0.0, 0), {}
    while iterations < MAX_ITERATIONS:
        iterations += 1
        log_m = np.zeros(len(counts))
        log_u = np.zeros(len(counts))
        for name in session.active:
            at = index[name]
            known = at >= 0
            log_m[known] += np.log(m[name][at[known]])
            log_u[known] += np.log(u[name][at[known]])
        odds = np.log(prior) + log_m - np.log1p(-prior) - log_u
        posterior = 1.0 / (1.0 + np.exp(-np.clip(odds, -700, 700)))
        weighted = counts * posterior
        change = abs(weighted.sum() / counts.sum() - prior)
        prior = min(max(weighted.sum() / counts.sum(), SMALLEST), 1 - SMALLEST)
        for name in session.active:
            levels = len(u[name])
            new_m = _shares(index[name], weighted, levels, centre[name])
            new_u = _shares(index[name], counts - weighted, levels)
            change = max(change, float(np.abs(new_m - m[name]).max()))
            m[name], u[name] = new_m, new_u
        if change < TOLERANCE:
            break
    learnt = dict(m)
    sure = counts * (posterior >= SURE)
    for name in session.passive:
        learnt[name] = _shares(index[name], sure, len(centre[name]), centre[name])
    return (prior, float(weighted.sum()), iterations), learnt


def _shares(
    at: NDArray[np.intp],
    weights: NDArray[np.float64],
    levels: int,
    centre: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Weighted level shares (null levels left out), with the Dirichlet prior at ``centre``."""
    known = at >= 0
    counted: NDArray[np.float64] = np.bincount(at[known], weights=weights[known], minlength=levels)[
        :levels
    ].astype(float)
    if centre is not None:
        counted += PRIOR_STRENGTH * centre
    counted = np.maximum(counted, SMALLEST)
    shares: NDArray[np.float64] = counted / counted.sum()
    return shares


def _with_m(
    model: Model,
    learnt: dict[str, list[tuple[NDArray[np.float64], float, bool]]],
    centre: dict[str, NDArray[np.float64]],
) -> Model:
    """The model with each comparison's ``m``: the match-weighted mean over the sessions that
    estimated it (by EM where any did, else read off a posterior; else the prior's centre)."""
    comparisons: list[Comparison] = []
    for comparison in model.comparisons:
        found = learnt.get(comparison.name, [])
        chosen = [f for f in found if f[2]] or found
        total = sum(w for _, w, _ in chosen)
        values = (
            np.sum([v * w for v, w, _ in chosen], axis=0) / total
            if total > 0
            else centre[comparison.name]
        )
        scored = iter(np.asarray(values, dtype=float).tolist())
        levels: list[Level] = [
            lv if lv.is_null else replace(lv, m=next(scored)) for lv in comparison.levels
        ]
        comparisons.append(comparison.with_levels(levels))
    return model.with_comparisons(comparisons)


def _m(model: Model, comparison: str) -> dict[str, float]:
    return {lv.label: float(lv.m or 0.0) for lv in model.comparison(comparison).scored}


def _with_recall(
    fit: SessionFit, session: Session, model: Model, frame: pd.DataFrame, spec: Spec
) -> SessionFit:
    """The session's share of all matching pairs, from the trained ``m``.

    Both reports of a pair must hold the session's fields (known shares, squared: missing
    values are taken as independent between the two reports) and agree on them: the birth
    date (``m`` of "same date"; and an uncommon date, the share of full dates that are), or
    all name parts (``m`` of "full name" and "same name parts") and nationality.
    """

    def known(column: str) -> float:
        return float(frame[column].notna().mean())

    if session.name == "birth date":
        full = frame[birth_date_column(spec)].notna()
        uncommon = float(frame.loc[full, UNCOMMON].notna().mean()) if full.any() else 0.0
        recall = known("birth_year") ** 2 * _m(model, "birth")["same date"] * uncommon
    else:
        names = _m(model, "name")
        recall = (
            known(session.columns[0]) ** 2
            * (names["full name"] + names["same name parts"])
            * known("nationality") ** 2
            * _m(model, "nationality")["equal"]
        )
    return SessionFit(
        fit.name, fit.pairs, fit.sampled, fit.prior, fit.matches, recall, fit.iterations
    )
