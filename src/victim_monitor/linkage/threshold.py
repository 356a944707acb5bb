"""Threshold: where to link, chosen from the model's own estimate of its errors; and the run's
estimate of how well it linked.

The estimate of the hidden number rests on how many persons appear on two or more lists, so
what matters is that false links and missed links cancel, not a high score on either. The
model knows roughly how many pairs of reports are one person: the prior times all pairs
(``true_pairs``, estimated in training from the two sessions, and scaled with the register
since). Linking that many pairs, the most probable first, makes the expected number of false
links equal the expected number of missed ones: every linked pair is false with probability
``1 - p``, every pair left out is a missed match with probability ``p``, and

    linked - sum(p over linked)  =  true_pairs - sum(p over linked)

holds exactly when the linked pairs number ``true_pairs``. The threshold is the probability
of the last pair linked, kept within [``LOWEST``, ``HIGHEST``]. A register's own match
probabilities are not perfectly calibrated (the comparisons are not independent), which is
why the threshold is set by counting, not fixed at 0.5 or 0.8 (measured: docs/methods/
linkage.md). The review band lies around the threshold: pairs whose odds are within
``REVIEW_FACTOR`` times the threshold's, either way.

The same probabilities give the run's estimate of its own quality (:class:`Expected`):
precision (the mean probability of the linked pairs), recall (their sum over
``true_pairs``), and the error this makes in links between lists, which is what the
persons on two or more lists count.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from victim_monitor.linkage.model import Model

LINK_FLOOR = 0.05
"""Pairs scored at least this are kept in ``report_links`` (sensitivity, splits, review)."""
LOWEST = 0.1
HIGHEST = 0.95
REVIEW_FACTOR = 4.0
"""The review band: odds between the threshold's divided and multiplied by this (2 bits)."""


def true_pairs(model: Model, reports: int) -> float:
    """The pairs of reports the model expects to be one person (prior times all pairs)."""
    return model.prior * reports * (reports - 1) / 2


def choose(probabilities: pd.Series | np.ndarray, expected_pairs: float) -> float:
    """The probability of the ``expected_pairs``-th most probable pair, within the bounds."""
    values = np.sort(np.asarray(probabilities, dtype=float))[::-1]
    count = round(expected_pairs)
    if count < 1 or len(values) == 0:
        return HIGHEST
    last = float(values[min(count, len(values)) - 1])
    return float(min(max(last, LOWEST), HIGHEST))


def review_band(threshold: float) -> tuple[float, float]:
    """Pairs whose odds are within ``REVIEW_FACTOR`` of the threshold's go to review (not
    below ``LINK_FLOOR``: pairs below it are not kept)."""
    odds = threshold / (1 - threshold)
    low, high = odds / REVIEW_FACTOR, odds * REVIEW_FACTOR
    return (max(round(low / (1 + low), 4), LINK_FLOOR), round(high / (1 + high), 4))


@dataclass(frozen=True, slots=True)
class Expected:
    """A run's own estimate of its quality, from its match probabilities.

    ``rule``: how the threshold was set (``chosen`` by counting, or ``given`` by the user).
    ``linked_pairs``: scored pairs at or above the threshold. ``overlap_error``: the
    expected false links between reports on different lists less the expected missed ones,
    over the linked persons on two or more lists (a positive value: too many persons on two
    or more lists). Pair-level estimates: a missed link inside a person held together by
    others costs nothing, so they are rough for persons; the quality grid measures how rough
    (docs/methods/linkage.md).
    """

    threshold: float
    rule: str
    true_pairs: float
    linked_pairs: int
    precision: float
    recall: float
    overlap_error: float

    def summary(self) -> str:
        return (
            f"threshold {self.threshold:.3f} ({self.rule}); the model expects "
            f"{self.true_pairs:,.0f} matching pairs and linked {self.linked_pairs:,}: "
            f"estimated precision {self.precision:.3f}, recall {self.recall:.3f}, "
            f"persons on two or more lists {self.overlap_error:+.1%}"
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def expected(
    pairs: pd.DataFrame,
    lists: pd.Series,
    labels: pd.Series,
    *,
    threshold: float,
    rule: str,
    expected_pairs: float,
) -> Expected:
    """The run's estimate of its quality (see :class:`Expected`).

    ``pairs``: scored pairs (``unique_id_l``, ``unique_id_r``, ``match_probability``);
    ``lists``: each report's estimation list and ``labels`` its person, both by report id.
    """
    p = pairs["match_probability"].to_numpy(float)
    linked = p >= threshold
    found = float(p[linked].sum())
    left, right = pairs["unique_id_l"], pairs["unique_id_r"]
    across = lists.reindex(left).to_numpy() != lists.reindex(right).to_numpy()
    apart = labels.reindex(left).to_numpy() != labels.reindex(right).to_numpy()
    unseen = max(expected_pairs - float(p.sum()), 0.0)
    share = float(p[across].sum() / p.sum()) if p.sum() > 0 else 0.0
    false_links = float((1 - p[linked & across & ~apart]).sum())
    missed = float(p[~linked & across & apart].sum()) + unseen * share
    persons = pd.DataFrame({"person": labels, "list": lists.reindex(labels.index)})
    multi = int((persons.groupby("person")["list"].nunique() >= 2).sum())
    return Expected(
        threshold=threshold,
        rule=rule,
        true_pairs=expected_pairs,
        linked_pairs=int(linked.sum()),
        precision=found / linked.sum() if linked.any() else 1.0,
        recall=min(found / expected_pairs, 1.0) if expected_pairs > 0 else 1.0,
        overlap_error=(false_links - missed) / multi if multi else 0.0,
    )
