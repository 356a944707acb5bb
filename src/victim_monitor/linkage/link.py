"""Link the register: reports into persons, incrementally, with every change logged.

:func:`link_register` is the one entry point (``victim-monitor link`` calls it). The first run
trains the model on the current reports (or takes the shipped one for a small register) and
clusters all of them; later runs score only the reports that are new since (or sent in a new
version), against all others, with the model of the last run, and keep every earlier link.
``full=True`` scores and clusters everything again with that same model; only
``full=True, retrain=True`` trains a new one (training depends on its random sample, so a model is
replaced only on request: docs/methods/linkage.md). So a closed year's persons change only
when a link decision changes: a new report that joins or bridges earlier persons, or a
reviewer's decision; attributes also follow the rules (``rules``), and a change of rule is
logged too. Everything is written in one transaction, or nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine, func, select

from victim_monitor.linkage import cluster as clustering
from victim_monitor.linkage import queue, review, rules, score, store, train
from victim_monitor.linkage import threshold as thresholds
from victim_monitor.linkage.changes import Assignment, ChangeCounts, Decided, assign, effective
from victim_monitor.linkage.codes import NOTHING_TO_LINK as NOTHING_TO_LINK
from victim_monitor.linkage.model import Model
from victim_monitor.linkage.persons import persons_per_year, resolve
from victim_monitor.linkage.standardise import read_reports, standardise
from victim_monitor.linkage.threshold import LINK_FLOOR as LINK_FLOOR
from victim_monitor.linkage.threshold import Expected
from victim_monitor.storage.schema import pair_decisions

THRESHOLD = 0.8
"""The threshold of runs before the threshold was chosen per run (and of the sensitivity
table's middle row); a full run now chooses its own (``threshold.choose``)."""
REVIEW_BAND = (0.5, 0.95)
"""The review band around ``THRESHOLD``; a run's band lies around its own threshold."""
MIN_TRAINING_REPORTS = 1000
"""Fewer current reports than this: the shipped model is used instead of training."""

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ModelFit:
    """A retrain's comparison: mean log-likelihood of the register's blocked pairs under the
    current model and the retrained one (higher fits better)."""

    current: float
    retrained: float


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkResult:
    """What a link run did and what the register holds afterwards."""

    run_id: int | None
    mode: str
    model_source: str
    threshold: float
    review_band: tuple[float, float]
    reports: int
    new_reports: int
    pairs_scored: int
    persons: int
    persons_by_year: dict[int, int] = field(default_factory=dict)
    changes: ChangeCounts = field(default_factory=ChangeCounts)
    """The change-log rows the run wrote, by action."""
    queued: int = 0
    pending_review: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    withdrawn: int = 0
    year_changes: dict[int, int] = field(default_factory=dict)
    """Persons per year after the run less before, for the years that changed (all logged)."""
    rule_changes: tuple[str, ...] = ()
    """What changed in the rules since the last run (the form rule, organisations' lists)."""
    attributes_changed: dict[str, int] = field(default_factory=dict)
    """Persons whose attribute changed though no report did (logged), by attribute."""
    first_run: bool = False
    retrained: bool = False
    """A new model was trained and used (the first run on 1,000 reports or more, or a retrain)."""
    model_fit: ModelFit | None = None
    """A retrain that could be compared with the current model: how well each fits."""
    expected: Expected | None = None
    """The run's own estimate of its quality (``threshold.Expected``)."""

    @classmethod
    def nothing(
        cls, threshold: float, review_band: tuple[float, float], seconds: float
    ) -> LinkResult:
        """A run on a register without current reports: nothing linked, nothing written."""
        return cls(
            run_id=None,
            mode="nothing",
            model_source="none",
            threshold=threshold,
            review_band=review_band,
            reports=0,
            new_reports=0,
            pairs_scored=0,
            persons=0,
            seconds=seconds,
        )

    def summary(self) -> str:
        lines = [
            f"Linkage run {self.run_id} ({self.mode}; model {self.model_source}; "
            f"threshold {self.threshold:.3g}): {self.reports:,} reports "
            f"({self.new_reports:,} new) -> {self.persons:,} persons; "
            f"{self.pairs_scored:,} pairs scored in {self.seconds:.1f} s.",
            "changes: "
            + (
                ", ".join(f"{n:,} {k}" for k, n in sorted(self.changes.as_dict().items())) or "none"
            ),
            f"review queue: {self.queued} added, "
            + (
                f"{self.withdrawn} withdrawn (scored again: outside the band), "
                if self.withdrawn
                else ""
            )
            + f"{self.pending_review} pending "
            + f"(band {self.review_band[0]:.3g}-{self.review_band[1]:.3g})",
        ]
        if self.expected is not None:
            lines.append(self.expected.summary())
        if self.persons_by_year:
            lines.append("persons by year: " + ", ".join(
                f"{y}: {n:,}" for y, n in sorted(self.persons_by_year.items())
            ))  # fmt: skip
        if self.year_changes and not self.first_run:
            lines.append("years changed (see the change log): " + ", ".join(
                f"{y}: {n:+,}" for y, n in sorted(self.year_changes.items())
            ))  # fmt: skip
        if self.rule_changes:
            lines.append("rules changed since the last run: " + "; ".join(self.rule_changes))
        if self.attributes_changed:
            lines.append(
                f"{self.changes.attributes_changed:,} persons changed attributes "
                "with no report changing (logged as attributes_changed): "
                + ", ".join(f"{a} {n:,}" for a, n in sorted(self.attributes_changed.items()))
            )
        lines.extend(self.notes)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["changes"] = self.changes.as_dict()
        out["model_fit"] = {} if self.model_fit is None else asdict(self.model_fit)
        out["persons_by_year"] = {str(y): n for y, n in sorted(self.persons_by_year.items())}
        out["year_changes"] = {str(y): n for y, n in sorted(self.year_changes.items())}
        out["review_band"] = list(self.review_band)
        out["notes"] = list(self.notes)
        out["expected"] = None if self.expected is None else self.expected.as_dict()
        return out


def link_register(
    engine: Engine,
    *,
    threshold: float | None = None,
    review_band: tuple[float, float] | None = None,
    full: bool = False,
    retrain: bool = False,
    force: bool = False,
    seed: int = score.SEED,
    backend: str = "duckdb",
    progress: Progress | None = None,
) -> LinkResult:
    """Link the register's current reports into persons (see the module docstring).

    ``threshold``: link pairs at or above this match probability; by default it is chosen
    from the model's estimate of the matching pairs (``threshold.choose``), over every pair
    the register has scored (in an incremental run: with the stored links of earlier runs).
    ``review_band``: by default around the threshold (``threshold.review_band``).

    ``full``: score and cluster every report again with the model of the last run (only the
    prior is scaled to the register), so that only the clustering is redone. ``full`` and
    ``retrain``: train a new model on the current reports and relink everything with it (on
    fewer than 1,000 reports the shipped model is taken instead); an incremental run always
    keeps the model. A retrained model replaces the current one only if it fits the
    register's blocked pairs at least as well (mean log-likelihood), or with ``force``.
    ``backend``: where Splink runs, ``duckdb`` (in memory, the default) or ``spark``
    (``pip install victim-monitor[spark]``).
    """
    _check(threshold, review_band)
    score.check_backend(backend)
    step: Progress = progress or (lambda _name, _done, _total: None)
    started = dt.datetime.now(dt.UTC)
    clock = time.perf_counter()
    with _step(step, "read the register"):
        register = _read(engine)
    if register.reports.empty:
        return LinkResult.nothing(
            threshold or THRESHOLD, review_band or REVIEW_BAND, time.perf_counter() - clock
        )
    scope = _scope(register, full=full)
    with _step(step, "train the model"):
        chosen = _model(register, scope, retrain, force=force, seed=seed, backend=backend)
    with _step(step, "score pairs"):
        pairs = _score(scope, chosen, backend)
    with _step(step, "cluster into persons"):
        linked = _cluster(
            engine, register, scope, chosen.model, pairs, threshold, review_band, backend
        )
    with _step(step, "write persons"):
        written = _write(engine, register, scope, chosen.model, pairs, linked, started)
    return _result(engine, register, scope, chosen, pairs, linked, written, clock)


@contextmanager
def _step(progress: Progress, name: str) -> Iterator[None]:
    """Report a step as begun and, if it does not fail, as done."""
    progress(name, 0, 1)
    yield
    progress(name, 1, 1)


@dataclass(frozen=True, slots=True)
class _Register:
    """What a run starts from, read together: the linkage state, the current reports, the
    reviewers' decisions and the rules in force."""

    state: store.State
    reports: pd.DataFrame
    decided: Decided
    applied: rules.Rules


def _read(engine: Engine) -> _Register:
    with engine.connect() as conn:
        state = store.read_state(conn)
        reports = read_reports(conn)
        return _Register(state, reports, review.decisions(conn, reports), rules.current(conn))


@dataclass(frozen=True, slots=True)
class _Scope:
    """Which reports a run scores: every one (a full run, or the first), or those without a
    person yet and those sent in a new version (an incremental run), against all others."""

    full: bool
    first: bool
    frame: pd.DataFrame  # the reports standardised, as the model reads them
    old: pd.Series  # each report's earlier person (NA: none)
    renewed: pd.Series  # reports sent in a new version since the last run
    new_ids: pd.Series  # the reports scored against all others


def _scope(register: _Register, *, full: bool) -> _Scope:
    reports, state = register.reports, register.state
    first = state.last_run is None
    full = full or first
    old = store.old_persons(reports, state.membership)
    renewed = reports.loc[store.renewed(reports, state.membership), "unique_id"]
    new_ids = reports.loc[old.isna(), "unique_id"] if not full else reports["unique_id"]
    if not full:
        new_ids = pd.concat([new_ids, renewed]).drop_duplicates()
    return _Scope(full, first, standardise(reports), old, renewed, new_ids)


@dataclass(frozen=True, slots=True)
class _Chosen:
    """The model a run links with, where it comes from, and a retrain's comparison."""

    model: Model
    source: str  # "trained", "shipped" or "of run <id>"
    scored: pd.DataFrame | None = None  # a retrained model's pairs, when it was taken
    fit: ModelFit | None = None

    @property
    def trained(self) -> bool:
        return self.source == "trained"


def _model(
    register: _Register, scope: _Scope, retrain: bool, *, force: bool, seed: int, backend: str
) -> _Chosen:
    """The last run's model with its prior scaled to the register, unless this is the first
    run or a full retrain: then a fresh one, which replaces the last run's only if it fits
    the register at least as well (or with ``force``)."""
    n = len(register.reports)
    last = register.state.last_run
    if last is not None and not (scope.full and retrain):
        return _Chosen(train.with_prior(last.model, last.reports, n), f"of run {last.id}")
    model, source = fresh_model(scope.frame, seed=seed, api=score.backend(backend))
    if source != "trained" or last is None:
        return _Chosen(model, source)
    current = train.with_prior(last.model, last.reports, n)
    model, scored, fit = _choose(scope.frame, model, current, force=force, backend=backend)
    return _Chosen(model, f"of run {last.id}" if model is current else source, scored, fit)


def _score(scope: _Scope, chosen: _Chosen, backend: str) -> pd.DataFrame:
    """The pairs scored at least ``LINK_FLOOR``: all of them in a full run, those with a new
    report in an incremental one (none if nothing is new)."""
    if chosen.scored is not None:
        return chosen.scored
    if scope.full or len(scope.new_ids):
        return score.predict(
            scope.frame,
            chosen.model,
            floor=LINK_FLOOR,
            new=None if scope.full else scope.new_ids.tolist(),
            api=score.backend(backend),
        )
    return score.no_pairs(chosen.model)


@dataclass(frozen=True, slots=True)
class _Linked:
    """The persons a run found, and how: threshold, review band, the soft cannot-links, the
    stable ids with the change log, the persons' attributes and the run's expected quality."""

    threshold: float
    band: tuple[float, float]
    labels: NDArray[np.int64]
    within: pd.DataFrame
    assignment: Assignment
    attributes: pd.DataFrame
    changes: list[dict[str, Any]]
    expected: Expected


def _cluster(
    engine: Engine,
    register: _Register,
    scope: _Scope,
    model: Model,
    pairs: pd.DataFrame,
    threshold: float | None,
    review_band: tuple[float, float] | None,
    backend: str,
) -> _Linked:
    """Choose the threshold (unless given), cluster the links into persons, give them stable
    ids and log what changed, and estimate the run's quality."""
    reports, state = register.reports, register.state
    every = _every_pair(engine, scope, model, pairs)
    expected_pairs = thresholds.true_pairs(model, len(reports))
    rule = "given" if threshold is not None else "chosen"
    if threshold is None:
        threshold = thresholds.choose(every["match_probability"], expected_pairs)
    band = review_band or thresholds.review_band(threshold)
    links = _links(
        pairs, threshold, register.decided, reports, scope.old, state, scope.full, engine
    )
    labels, within = cluster_persons(
        scope.frame,
        model,
        links,
        decided=register.decided,
        new=None if scope.full else scope.new_ids,
        api=score.backend(backend),
    )
    decided = register.decided
    result = assign(
        reports,
        labels,
        scope.old,
        next_id=state.next_person_id,
        pairs=pairs,
        decided=decided if scope.full else effective(decided, reports["unique_id"], scope.old),
        full=scope.full,
        renewed=frozenset(int(u) for u in scope.renewed),
    )
    attributes = resolve(reports, pd.Series(result.person))
    logged = {int(c["person_id"]) for c in result.changes}
    changes = [*result.changes, *rules.attribute_changes(state.persons, attributes, logged)]
    expected = thresholds.expected(
        every,
        reports.set_index("unique_id")["estimation_list"],
        pd.Series(labels, index=reports["unique_id"]),
        threshold=threshold,
        rule=rule,
        expected_pairs=expected_pairs,
    )
    return _Linked(threshold, band, labels, within, result, attributes, changes, expected)


def _every_pair(engine: Engine, scope: _Scope, model: Model, pairs: pd.DataFrame) -> pd.DataFrame:
    """Every pair the register has scored, which the threshold is chosen over: this run's,
    and in an incremental run the stored links of earlier runs, as the prior now weighs them."""
    every = pairs[[*score.PAIR_COLUMNS[:2], "match_probability"]]
    if scope.full:
        return every
    with engine.connect() as conn:
        earlier = store.stored_links(conn, model.prior)
    if len(earlier):
        every = pd.concat([earlier, every] if len(every) else [earlier], ignore_index=True)
        every = every.drop_duplicates(list(score.PAIR_COLUMNS[:2]), keep="last")
    return every


@dataclass(frozen=True, slots=True)
class _Written:
    """What the write transaction left: the run's id, the review queue's movements, and the
    persons per year the run started from."""

    run_id: int
    queued: int
    withdrawn: int
    pending: int
    before: dict[int, int]


def _write(
    engine: Engine,
    register: _Register,
    scope: _Scope,
    model: Model,
    pairs: pd.DataFrame,
    linked: _Linked,
    started: dt.datetime,
) -> _Written:
    """Write the run, persons, membership, links, review queue and change log in one
    transaction, after checking that no other run finished meanwhile."""
    reports, state, full = register.reports, register.state, scope.full
    with store.writing(engine) as conn:
        store.check_unchanged(conn, state)
        run_id = store.insert_run(
            conn,
            started=started,
            mode="full" if full else "incremental",
            threshold=linked.threshold,
            band=linked.band,
            model=model,
            counts={
                "reports_linked": len(reports),
                "new_reports": len(scope.new_ids),
                "pairs_scored": len(pairs),
                "persons": len(linked.attributes),
                "changes": len(linked.changes),
            },
            rules=register.applied.as_dict(),
            quality=linked.expected.as_dict(),
        )
        store.write_persons(conn, linked.attributes, linked.assignment, state, run_id)
        store.write_membership(conn, reports, linked.assignment.person, state, run_id)
        store.write_links(conn, _stored(pairs, linked.within), run_id, full)
        levels = score.comparison_labels(model)
        withdrawn = queue.refresh(
            conn,
            pairs,
            reports,
            band=linked.band,
            labels=levels,
            rescored=None if full else {int(u) for u in scope.new_ids},
        )
        queued = queue.add(conn, pairs, reports, band=linked.band, labels=levels, run_id=run_id)
        store.write_changes(conn, linked.changes, linked.attributes, state, run_id)
        return _Written(run_id, queued, withdrawn, _pending(conn), _years(state.persons))


def _result(
    engine: Engine,
    register: _Register,
    scope: _Scope,
    chosen: _Chosen,
    pairs: pd.DataFrame,
    linked: _Linked,
    written: _Written,
    clock: float,
) -> LinkResult:
    """What the run did, with the persons per year after it and what changed since."""
    after = persons_per_year(engine)
    before = written.before
    by_attribute: dict[str, int] = {}
    for change in linked.changes:
        for attribute in change.get("detail") or {}:
            by_attribute[attribute] = by_attribute.get(attribute, 0) + 1
    last = register.state.last_run
    changed_rules = () if last is None else rules.differences(last.rules, register.applied)
    return LinkResult(
        run_id=written.run_id,
        mode="full" if scope.full else "incremental",
        model_source=chosen.source,
        threshold=linked.threshold,
        review_band=linked.band,
        reports=len(register.reports),
        new_reports=len(scope.new_ids),
        pairs_scored=len(pairs),
        persons=len(linked.attributes),
        persons_by_year=after,
        changes=ChangeCounts.of(linked.changes),
        queued=written.queued,
        withdrawn=written.withdrawn,
        pending_review=written.pending,
        seconds=time.perf_counter() - clock,
        year_changes={
            y: after.get(y, 0) - before.get(y, 0)
            for y in sorted(set(after) | set(before))
            if after.get(y, 0) != before.get(y, 0)
        },
        rule_changes=changed_rules,
        attributes_changed=by_attribute,
        first_run=scope.first,
        retrained=chosen.trained,
        model_fit=chosen.fit,
        notes=_notes(chosen, scope, by_attribute, changed_rules),
        expected=linked.expected,
    )


def _notes(
    chosen: _Chosen, scope: _Scope, by_attribute: dict[str, int], changed_rules: tuple[str, ...]
) -> tuple[str, ...]:
    """What a reader of the run's summary should know beyond the counts."""
    notes: list[str] = []
    if by_attribute and not changed_rules:
        notes.append(
            "no recorded rule changed since the last run (it recorded none, or the rules in "
            "the software itself changed)"
        )
    if chosen.fit is not None:
        notes.append(_fit_note(chosen.fit, taken=chosen.trained))
    if chosen.trained and not scope.first:
        notes.append(
            "a new model was trained: its persons can differ from the last model's for reasons "
            "of the training sample alone; check them (link --sensitivity, a sample of the "
            "changes) before publishing"
        )
    return tuple(notes)


def fresh_model(
    frame: pd.DataFrame,
    spec: score.Spec = score.PSEUDONYMISED,
    *,
    seed: int = score.SEED,
    api: Any = None,
) -> tuple[Model, str]:
    """A model for a register without one: trained on ``frame`` (the standardised reports)
    from ``MIN_TRAINING_REPORTS`` on, else the shipped one with its prior scaled; and which."""
    if len(frame) >= MIN_TRAINING_REPORTS:
        return train.train(frame, spec, seed=seed, api=api).model, "trained"
    shipped = int(score.reference_training(spec)["reports"])
    return train.with_prior(score.reference_model(spec), shipped, len(frame)), "shipped"


def cluster_persons(
    frame: pd.DataFrame,
    model: Model,
    links: pd.DataFrame,
    *,
    decided: Decided | None = None,
    new: pd.Series | None = None,
    api: Any = None,
) -> tuple[NDArray[np.int64], pd.DataFrame]:
    """Persons (a label per row of ``frame``) from the edges ``links``, and their soft
    cannot-links: cut chains of namesakes (``cluster.thin``), cluster with the decisions,
    score every pair inside each person of three or more reports, cluster again with the
    pairs below ``cluster.UNLIKELY`` as soft cannot-links (those are returned, scored).

    ``new``: an incremental run's new report ids (only persons they join are looked at).
    """
    decided = decided or Decided()
    ids = frame["unique_id"].to_numpy(np.int64)
    links = clustering.thin(ids, links)
    labels = clustering.cluster(ids, links, decided.different.keys())
    within = score.within_persons(frame, model, labels, new, below=clustering.UNLIKELY, api=api)
    unlikely = clustering.unlikely(within, decided.same.keys())
    if unlikely:
        labels = clustering.cluster(ids, links, decided.different.keys(), unlikely)
    return labels, within


def _choose(
    frame: pd.DataFrame,
    candidate: Model,
    current: Model,
    *,
    force: bool,
    backend: str,
) -> tuple[Model, pd.DataFrame | None, ModelFit | None]:
    """The retrained model if it fits the register's blocked pairs at least as well, else the
    current one; with the retrained model's scored pairs when it is taken.

    Both are judged on every blocked pair (scored by the candidate; the levels reached do not
    depend on the model) by their mean log-likelihood, which on the register benchmark's
    population ranked four models as their F1 against the truth did (linkage.md). Models with
    other comparisons cannot be compared: the retrained one is taken.
    """
    if score.levels(candidate) != score.levels(current):
        return candidate, None, None
    every = score.predict(frame, candidate, floor=0.0, api=score.backend(backend))
    fit = ModelFit(
        current=score.log_likelihood(every, current),
        retrained=score.log_likelihood(every, candidate),
    )
    if fit.retrained < fit.current and not force:
        return current, None, fit
    kept = every[every["match_probability"] >= LINK_FLOOR].reset_index(drop=True)
    return candidate, kept, fit


def _fit_note(fit: ModelFit, *, taken: bool) -> str:
    versus = (
        f"mean log-likelihood of the blocked pairs {fit.retrained:.4f} retrained, "
        f"{fit.current:.4f} current"
    )
    if not taken:
        return (
            f"the retrained model was not taken: it fits the register worse ({versus}); the "
            "current model was used (--force takes a retrained model anyway)"
        )
    if fit.retrained < fit.current:
        return f"the retrained model was taken although it fits the register worse ({versus})"
    return f"the retrained model fits the register at least as well ({versus})"


def _years(persons: pd.DataFrame) -> dict[int, int]:
    """Active persons by year, from the state a run started from."""
    active = persons.loc[persons["status"] == "active", "year"].astype("int64")
    return {int(y): int(n) for y, n in zip(*np.unique(active, return_counts=True), strict=True)}


def _check(threshold: float | None, band: tuple[float, float] | None) -> None:
    if threshold is not None and not LINK_FLOOR <= threshold < 1:
        raise ValueError(f"threshold must lie in [{LINK_FLOOR}, 1), not {threshold}")
    if band is not None and not LINK_FLOOR <= band[0] <= band[1] <= 1:
        raise ValueError(f"review band must satisfy {LINK_FLOOR} <= low <= high <= 1: {band}")


def _stored(pairs: pd.DataFrame, unlikely: pd.DataFrame) -> pd.DataFrame:
    """The pairs a run keeps: those scored at least ``LINK_FLOOR``, and the soft cannot-links
    found inside persons (so that sensitivity clusters as the run did)."""
    if unlikely.empty:
        return pairs
    extra = unlikely[list(pairs.columns)]
    if pairs.empty:
        return extra.reset_index(drop=True)
    both = pd.concat([pairs, extra], ignore_index=True)
    return both.drop_duplicates(["unique_id_l", "unique_id_r"]).reset_index(drop=True)


def _links(
    pairs: pd.DataFrame,
    threshold: float,
    decided: Decided,
    reports: pd.DataFrame,
    old: pd.Series,
    state: store.State,
    full: bool,
    engine: Engine,
) -> pd.DataFrame:
    """The edges of the graph: model links, "same" decisions, and (incremental) the persons."""
    parts = [clustering.edges(pairs[pairs["match_probability"] >= threshold])]
    if decided.same:
        same = pd.DataFrame(list(decided.same), columns=["unique_id_l", "unique_id_r"])
        parts.append(clustering.edges(same, clustering.DECIDED))
    if not full:
        # Earlier persons hold together, except those a "different" decision now splits:
        # those are re-clustered from their stored links.
        split = store.persons_to_split(reports, old, decided)
        keep = old.notna() & ~old.isin(split)
        parts.append(
            clustering.edges(
                clustering.chain(reports.loc[keep, "unique_id"], old[keep]), clustering.KEPT
            )
        )
        if split:
            members = reports.loc[old.isin(split), "unique_id"].tolist()
            stored = store.links_among(engine, members)
            parts.append(clustering.edges(stored[stored["match_probability"] >= threshold]))
    return pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)


def _pending(conn: Connection) -> int:
    d = pair_decisions
    return int(conn.scalar(select(func.count()).select_from(d).where(d.c.status == "pending")) or 0)
