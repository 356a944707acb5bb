"""Primary suppression: which cells are unsafe, and the protection each one needs."""

from __future__ import annotations

import numpy as np

from victim_monitor.disclosure import Policy
from victim_monitor.disclosure.primary import primary


def test_cells_of_one_to_nine_are_unsafe_and_zeros_are_published() -> None:
    values = np.array([0, 1, 5, 9, 10, 250])
    result = primary(values, Policy())
    assert result.cells == [1, 2, 3]
    assert list(result.lower[1:4]) == [1.0, 2.5, 4.5]
    assert list(result.upper[1:4]) == [3.0, 3.0, 4.5]


def test_protected_zeros_need_upper_protection_only() -> None:
    result = primary(np.array([0, 12]), Policy(zeros="protect"))
    assert result.cells == [0]
    assert (result.lower[0], result.upper[0]) == (0.0, 3.0)
