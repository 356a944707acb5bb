"""Changes: stable person ids across runs, and the log of what changed and why.

After clustering, each new cluster is matched with the earlier persons it holds reports of.
The pairs (cluster, earlier person) are taken largest overlap first (ties: the earlier
person seen first, then the lower id), each cluster and each person at most once: a matched
cluster keeps that person's id, an unmatched cluster gets a new id, an unmatched earlier
person is retired (``merged_into`` the cluster that took all its reports, if one did). An id is
never reused.

Every difference between the earlier and the new persons is logged, so that the log alone
accounts for every change in persons per year (each person whose reports changed appears as
``person_id`` with its year before and after): a person created; a report added to a person
(with the person it came from, if any); a new version of a report that stays with its
person (``report_updated``); a report removed from a person that goes on; a person merged
into another, split off another, or retired. The reason is ``new_report`` for new
reports and versions, ``review`` when a reviewer's decision that the earlier persons did not
yet satisfy joined or separated the reports, ``relink`` in a full relink, and otherwise
``model`` with the best match probability.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

NONE = -1


@dataclass(frozen=True, slots=True)
class Decided:
    """Reviewer decisions by report id: (report, report) → decision id."""

    same: dict[tuple[int, int], int] = field(default_factory=dict)
    different: dict[tuple[int, int], int] = field(default_factory=dict)


def effective(decided: Decided, uids: pd.Series, old: pd.Series) -> Decided:
    """The decisions the earlier persons do not satisfy yet: the ones a run acts on.

    ``uids`` (report ids) and ``old`` (earlier person or NA) are aligned. A "same" decision
    between reports of two persons (or with a new report), a "different" decision between two
    reports of one person.
    """
    earlier = dict(zip(uids.tolist(), old.fillna(NONE).astype("int64").tolist(), strict=True))

    def together(pair: tuple[int, int]) -> bool:
        a, b = earlier.get(pair[0], NONE), earlier.get(pair[1], NONE)
        return bool(a != NONE and a == b)

    return Decided(
        {k: v for k, v in decided.same.items() if not together(k)},
        {k: v for k, v in decided.different.items() if together(k)},
    )


@dataclass(frozen=True, slots=True)
class ChangeCounts:
    """The change-log rows of a run, counted by action (``person_changes.action``)."""

    created: int = 0
    report_added: int = 0
    report_updated: int = 0
    report_removed: int = 0
    merged: int = 0
    split: int = 0
    retired: int = 0
    attributes_changed: int = 0

    @classmethod
    def of(cls, changes: Iterable[Mapping[str, Any]]) -> ChangeCounts:
        """Count change rows; an action the log does not know is an error, not dropped."""
        return cls(**Counter(str(c["action"]) for c in changes))

    @property
    def total(self) -> int:
        return sum(self.as_dict().values())

    def as_dict(self) -> dict[str, int]:
        """The actions that occurred, with their counts (the JSON of ``link --json``)."""
        return {f.name: n for f in fields(self) if (n := getattr(self, f.name))}


@dataclass(frozen=True, slots=True)
class Assignment:
    """Person id per report, the retired persons and the change log rows."""

    person: NDArray[np.int64]
    created: frozenset[int]
    retired: dict[int, int | None]
    changes: list[dict[str, Any]]


def assign(
    reports: pd.DataFrame,
    labels: NDArray[np.int64],
    old: pd.Series,
    *,
    next_id: int,
    pairs: pd.DataFrame,
    decided: Decided,
    full: bool,
    renewed: frozenset[int] = frozenset(),
) -> Assignment:
    """Give each cluster a person id and log the changes.

    ``reports`` (``unique_id``, ``organisation_code``, ``case_reference``, ``report_date``),
    ``labels`` and ``old`` (earlier person id or NA) are aligned row by row; ``pairs`` are
    the scored pairs of this run (for the probabilities in the log); ``renewed``: report ids
    that are new versions of reports linked before.
    """
    frame = pd.DataFrame(
        {
            "uid": reports["unique_id"].to_numpy(np.int64),
            "label": labels,
            # Earlier person, -1 for a report no earlier person holds.
            "old": old.fillna(NONE).to_numpy(np.int64),
            # datetime64, so that the minimum per person is vectorised (dates are objects)
            "date": pd.to_datetime(reports["report_date"]).to_numpy(),
            "org": reports["organisation_code"].to_numpy(),
            "case": reports["case_reference"].to_numpy(),
        }
    )
    frame["renewed"] = frame["uid"].isin(pd.Index(list(renewed)))
    known = frame[frame["old"] != NONE]
    first_seen = known.groupby("old")["date"].min()
    overlap = known.groupby(["label", "old"]).size().rename("n").reset_index()
    overlap["first"] = first_seen.reindex(overlap["old"]).to_numpy()  # (map: pandas 3 casts
    # an empty datetime mapper to float and fails)
    overlap = overlap.sort_values(["n", "first", "old"], ascending=[False, True, True])

    taken: dict[int, int] = {}
    used: set[int] = set()
    for label, person in zip(overlap["label"], overlap["old"], strict=True):
        if label not in taken and person not in used:
            taken[int(label)] = int(person)
            used.add(int(person))
    created: set[int] = set()
    for label in pd.unique(frame["label"]):
        if int(label) not in taken:
            taken[int(label)] = next_id
            created.add(next_id)
            next_id += 1
    frame["person"] = frame["label"].map(taken).astype("int64")

    lost = frame.loc[frame["old"].isin(set(known["old"]) - used)]
    went = lost.groupby("old")["person"].unique()
    retired: dict[int, int | None] = {
        int(cast(int, person)): int(into[0]) if len(into) == 1 else None
        for person, into in went.items()
    }
    log = _Log(frame, pairs, decided, full)
    log.write(created, retired)
    return Assignment(frame["person"].to_numpy(np.int64), frozenset(created), retired, log.rows)


class _Log:
    """Builds the change rows; one instance per run."""

    def __init__(
        self, frame: pd.DataFrame, pairs: pd.DataFrame, decided: Decided, full: bool
    ) -> None:
        self.frame = frame
        self.full = full
        self.decided = decided
        self.rows: list[dict[str, Any]] = []
        # The best link from each report into the person it is now part of.
        person_of = pd.Series(frame["person"].to_numpy(), index=frame["uid"].to_numpy())
        left = pairs["unique_id_l"].map(person_of)
        right = pairs["unique_id_r"].map(person_of)
        inside = pairs[left.notna() & (left == right)]
        ends = pd.DataFrame(
            {
                "uid": np.concatenate([inside["unique_id_l"], inside["unique_id_r"]]),
                "p": np.concatenate([inside["match_probability"]] * 2),
            }
        )
        best = ends.groupby("uid")["p"].max()
        self.best: dict[int, float] = {
            int(u): float(p) for u, p in zip(best.index, best.to_numpy(), strict=True)
        }
        # Report ids of the earlier and the new persons that changed (filled by ``write``).
        self.of_old: dict[int, set[int]] = {}
        self.of_new: dict[int, set[int]] = {}

    def _reason(self, uids: set[int], default: str) -> tuple[str, int | None]:
        if self.full:
            return "relink", None
        for table in (self.decided.same, self.decided.different):
            for (a, b), decision in sorted(table.items(), key=lambda item: item[1]):
                if a in uids or b in uids:
                    return "review", decision
        return default, None

    def _row(self, action: str, person: int, **values: Any) -> None:
        self.rows.append(
            {
                "action": action,
                "person_id": person,
                "other_person_id": values.get("other"),
                "organisation_code": values.get("org"),
                "case_reference": values.get("case"),
                "reason": values.get("reason", "model"),
                "match_probability": values.get("probability"),
                "pair_decision_id": values.get("decision"),
            }
        )

    def write(self, created: set[int], retired: dict[int, int | None]) -> None:
        frame = self.frame
        moved = frame[frame["old"] != frame["person"]]
        touched = frame[frame["person"].isin(set(moved["person"]))]
        olds = frame[frame["old"].isin(set(moved["old"]) - {NONE})]
        self.of_old = {int(cast(int, k)): set(v.tolist()) for k, v in olds.groupby("old")["uid"]}
        self.of_new = {
            int(cast(int, k)): set(v.tolist()) for k, v in touched.groupby("person")["uid"]
        }
        has_old = (touched["old"] != NONE).groupby(touched["person"]).sum()
        fresh = sorted(p for p in created if has_old.get(p, 0) == 0)
        reason = "relink" if self.full else "new_report"
        self.rows.extend(
            {**_EMPTY, "action": "created", "person_id": int(p), "reason": reason} for p in fresh
        )
        merges = {old: self._merge(old) for old in retired}
        rest = touched[~touched["person"].isin(fresh)]
        for person, group in rest.groupby("person", sort=True):
            key = int(cast(int, person))
            self._person(key, group, key in created, merges)
        self._removed(moved, retired)
        self._renewed()
        for old, into in sorted(retired.items()):
            why, decision, probability = merges[old]
            if into is None:
                self._row("retired", old, reason=why, decision=decision)
            else:
                self._row(
                    "merged", old, other=into, reason=why, probability=probability,
                    decision=decision,
                )  # fmt: skip

    def _merge(self, old: int) -> tuple[str, int | None, float | None]:
        """Reason, decision and best link that took a retired person's reports elsewhere."""
        uids = self.of_old.get(old, set())
        why, decision = self._reason(uids, "model")
        probability = max((self.best.get(u, 0.0) for u in uids), default=0.0) or None
        return why, decision, probability

    def _person(
        self,
        person: int,
        group: pd.DataFrame,
        created: bool,
        merges: dict[int, tuple[str, int | None, float | None]],
    ) -> None:
        """A new or continuing person that received reports: ``split``, ``report_added``."""
        source: int | None = None
        if created:
            source = int(group.loc[group["old"] != NONE, "old"].mode().iloc[0])
            why, decision = self._reason(set(group["uid"].tolist()), "model")
            self._row("split", person, other=source, reason=why, decision=decision)
        for uid, old, org, case in zip(
            group["uid"], group["old"], group["org"], group["case"], strict=True
        ):
            if old in (person, source):
                continue
            if old in merges:  # the whole earlier person came along
                why, decision, probability = merges[int(old)]
            else:
                why, decision = self._reason({int(uid)}, "model")
                probability = self.best.get(int(uid))
            self._row(
                "report_added",
                person,
                other=None if old == NONE else int(old),
                org=org,
                case=case,
                reason=why,
                probability=probability,
                decision=decision,
            )

    def _removed(self, moved: pd.DataFrame, retired: dict[int, int | None]) -> None:
        """A report that left an earlier person that goes on (split off, or moved)."""
        leaving = moved[(moved["old"] != NONE) & ~moved["old"].isin(list(retired))]
        for uid, old, person, org, case in zip(
            leaving["uid"], leaving["old"], leaving["person"], leaving["org"], leaving["case"],
            strict=True,
        ):  # fmt: skip
            both = self.of_old.get(int(old), set()) | self.of_new.get(int(person), set())
            why, decision = self._reason(both | {int(uid)}, "model")
            self._row(
                "report_removed", int(old), other=int(person), org=org, case=case, reason=why,
                decision=decision,
            )  # fmt: skip

    def _renewed(self) -> None:
        """A new version of a report that stays with its person (its data may move the year)."""
        frame = self.frame
        kept = frame[frame["renewed"] & (frame["old"] == frame["person"])]
        reason = "relink" if self.full else "new_report"
        for person, org, case in zip(kept["person"], kept["org"], kept["case"], strict=True):
            self._row("report_updated", int(person), org=org, case=case, reason=reason)


_EMPTY: dict[str, Any] = {
    "other_person_id": None,
    "organisation_code": None,
    "case_reference": None,
    "match_probability": None,
    "pair_decision_id": None,
}
