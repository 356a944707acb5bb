"""Shared helpers: a quick policy, and small tables from lists of rows."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from victim_monitor.disclosure import Policy, Table, load_policy


@pytest.fixture
def policy() -> Policy:
    """The packaged policy with a short time limit, so that tests stay fast."""
    return dataclasses.replace(load_policy(), time_limit=2.0)


def grid(
    name: str, rows: Sequence[Sequence[int]], dims: tuple[str, str] = ("r", "c"), **kwargs: object
) -> Table:
    """A two-way table with margins from interior counts; rows r0.., columns c0..."""
    counts = {
        (f"{dims[0][0]}{i}", f"{dims[1][0]}{j}"): v
        for i, row in enumerate(rows)
        for j, v in enumerate(row)
    }
    return Table(name, dims, counts, **kwargs)  # type: ignore[arg-type]
