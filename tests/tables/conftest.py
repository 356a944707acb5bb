"""A small linked register (two years of a synthetic population) on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.linkage.testbed import Submissions, build, import_files
from victim_monitor.linkage.link import link_register


@pytest.fixture(scope="session")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Submissions:
    return build(tmp_path_factory.mktemp("tables"), scale=0.12, seed=11, years=(2017, 2018))


@pytest.fixture
def linked(engine: Engine, submissions: Submissions, tmp_path: Path) -> Engine:
    """The register with the submissions imported and linked into persons."""
    import_files(engine, submissions.files())
    link_register(engine)
    return engine
