"""A population with known size, and the registers it yields: for checking estimators.

Each person ``i`` is on list ``j`` with log-odds ``base_j + u_i + stratum effects``; ``u_i ~
N(0, heterogeneity**2)`` makes some persons easier to register everywhere (the heterogeneity the
log-linear models must absorb), and ``dependence`` adds a log odds ratio between pairs of lists
(a referral from one organisation to another). Patterns are drawn from the resulting
distribution over all ``2**m`` capture histories; persons on no list are the dark figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from victim_monitor.estimation.histories import CaptureHistoryTable, cell_bits


@dataclass(frozen=True)
class Scenario:
    """How a synthetic population is registered."""

    size: int
    capture: Sequence[float]
    """Capture probability of a typical person on each list (u = 0, no dependence)."""
    dependence: Mapping[tuple[int, int], float] = field(default_factory=dict)
    """Log odds ratios between pairs of lists (0-based list indices)."""
    heterogeneity: float = 0.0
    strata: Mapping[str, Mapping[str, tuple[float, float | Sequence[float]]]] = field(
        default_factory=dict
    )
    """Per stratum variable, per level: (share of the population, log-odds shift on all lists,
    or one per list; ``-inf``: the list never sees the level)."""

    @property
    def lists(self) -> tuple[str, ...]:
        return tuple(chr(ord("A") + j) for j in range(len(self.capture)))


def simulate_persons(scenario: Scenario, rng: np.random.Generator) -> pd.DataFrame:
    """Every person of the population, with their lists (0/1) and strata; dark ones included."""
    m = len(scenario.capture)
    n = scenario.size
    base = np.log(np.asarray(scenario.capture) / (1 - np.asarray(scenario.capture)))
    shift = np.zeros((n, m))
    columns: dict[str, NDArray[np.int64] | NDArray[np.str_]] = {}
    for name, levels in scenario.strata.items():
        labels = list(levels)
        shares = np.array([levels[k][0] for k in labels])
        which = rng.choice(len(labels), size=n, p=shares / shares.sum())
        effects = np.array([np.broadcast_to(levels[k][1], (m,)) for k in labels], dtype=float)
        shift += effects[which]
        columns[name] = np.array(labels)[which]
    u = rng.normal(0.0, scenario.heterogeneity, size=n) if scenario.heterogeneity else np.zeros(n)
    # -inf would make 0 * -inf below; exp(-700) is as never
    logits = np.maximum(base[None, :] + shift + u[:, None], -700.0)
    patterns = np.vstack([np.zeros((1, m), dtype=np.int64), cell_bits(m)])
    score = patterns @ logits.T  # (2**m, n): sum of log-odds of the lists in each pattern
    for (a, b), gamma in scenario.dependence.items():
        score += gamma * (patterns[:, a] * patterns[:, b])[:, None]
    score -= score.max(axis=0, keepdims=True)
    prob = np.exp(score)
    prob /= prob.sum(axis=0, keepdims=True)
    cumulative = prob.cumsum(axis=0)
    draw = (rng.random(n)[None, :] > cumulative).sum(axis=0)
    chosen = patterns[np.minimum(draw, patterns.shape[0] - 1)]
    frame = pd.DataFrame(chosen, columns=list(scenario.lists))
    for name, values in columns.items():
        frame[name] = values
    return frame


def registered(persons: pd.DataFrame, lists: Sequence[str]) -> pd.DataFrame:
    """The persons on at least one list: what a register sees."""
    return persons.loc[persons[list(lists)].sum(axis=1) > 0].reset_index(drop=True)


def simulate_table(scenario: Scenario, rng: np.random.Generator) -> CaptureHistoryTable:
    """The capture-history table of one simulated register (strata pooled)."""
    persons = simulate_persons(scenario, rng)
    bits = persons[list(scenario.lists)].to_numpy() @ (1 << np.arange(len(scenario.lists)))
    counts = np.bincount(bits, minlength=1 << len(scenario.lists))[1:]
    return CaptureHistoryTable(scenario.lists, counts.astype(np.int64), "simulated")
