"""A small linked register (two years of a synthetic population) on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.conftest import Registers
from tests.linkage.testbed import Submissions, build, import_files
from victim_monitor.linkage.link import link_register


@pytest.fixture(scope="session")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Submissions:
    return build(tmp_path_factory.mktemp("tables"), scale=0.12, seed=11, years=(2017, 2018))


@pytest.fixture
def linked(engine: Engine, submissions: Submissions, registers: Registers) -> Engine:
    """The register with the submissions imported and linked into persons (on SQLite a copy of
    one built per process)."""

    def import_and_link(target: Engine) -> None:
        import_files(target, submissions.files())
        link_register(target)

    return registers.restore(engine, "tables", import_and_link)
