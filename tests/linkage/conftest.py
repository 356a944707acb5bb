"""Synthetic registers shared by the linkage tests (built once per session), and the small one
imported and linked."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.conftest import Registers
from tests.linkage.testbed import Submissions, build, import_files
from victim_monitor.linkage import link_register


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


@pytest.fixture
def linked(engine: Engine, small: Submissions, registers: Registers) -> Engine:
    """The small register imported and linked (on SQLite a copy of one built per process)."""

    def import_and_link(target: Engine) -> None:
        import_files(target, small.files())
        link_register(target)

    return registers.restore(engine, "linkage-small", import_and_link)
