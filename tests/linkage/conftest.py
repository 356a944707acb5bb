"""Synthetic registers shared by the linkage tests (built once per session)."""

from __future__ import annotations

import pytest

from tests.linkage.testbed import Submissions, build


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Submissions:
    """Two years at 15% of the Dutch size: a few hundred reports, the shipped model."""
    return build(tmp_path_factory.mktemp("small"), scale=0.15, seed=5, years=(2015, 2016))


@pytest.fixture(scope="session")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Submissions:
    """Five years at half the Dutch size (about 2,700 reports): the model is trained."""
    return build(
        tmp_path_factory.mktemp("medium"),
        scale=0.5,
        seed=2024,
        years=(2014, 2015, 2016, 2017, 2018),
    )
