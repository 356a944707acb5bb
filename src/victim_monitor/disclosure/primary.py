"""Primary suppression: which cells are unsafe themselves, and how much protection each needs.

A cell is unsafe when it counts 1 to ``threshold - 1`` persons; margins are cells like any
other. Zeros are published unless the policy says ``zeros = "protect"`` (an empty cell tells
nothing about a person; see the policy file on group disclosure). Each unsafe cell gets its
required protection interval from the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from victim_monitor.disclosure.policy import Policy


@dataclass(frozen=True)
class Primary:
    """Unsafe cells of a set and their required (lower, upper) protection."""

    unsafe: npt.NDArray[np.bool_]
    lower: npt.NDArray[np.float64]
    upper: npt.NDArray[np.float64]

    @property
    def cells(self) -> list[int]:
        return [int(i) for i in np.flatnonzero(self.unsafe)]


def primary(values: npt.NDArray[np.int64], policy: Policy) -> Primary:
    """Mark the unsafe cells among ``values`` and give each its protection interval."""
    unsafe = np.array([policy.is_unsafe(int(v)) for v in values], dtype=bool)
    lower = np.zeros(len(values))
    upper = np.zeros(len(values))
    for i in np.flatnonzero(unsafe):
        lower[i], upper[i] = policy.protection(int(values[i]))
    return Primary(unsafe, lower, upper)
