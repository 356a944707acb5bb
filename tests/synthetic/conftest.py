"""Populations shared by the synthetic-population tests (generated once per session)."""

from __future__ import annotations

import pytest

from victim_monitor.synthetic import Population, SyntheticConfig, generate


@pytest.fixture(scope="session")
def small() -> Population:
    """A tenth of the Dutch size: fast, still a few hundred reports a year."""
    return generate(SyntheticConfig(scale=0.1, seed=11))


@pytest.fixture(scope="session")
def default() -> Population:
    """The default configuration (Dutch size, seed 2019), as the demo uses it."""
    return generate(SyntheticConfig())
