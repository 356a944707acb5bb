"""Fixtures: the fixture publication on disk, loaded, and one factsheet built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reporting.fixture import write_fixture
from victim_monitor.published import Publication, load_publication
from victim_monitor.reporting import FactsheetResult, Published, build_factsheet
from victim_monitor.reporting.published import load_published


@pytest.fixture(scope="session")
def published_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture(tmp_path_factory.mktemp("published") / "publication")


@pytest.fixture(scope="session")
def publication(published_dir: Path) -> Publication:
    """The publication as its own loader reads it: the independent side of every check."""
    return load_publication(published_dir)


@pytest.fixture(scope="session")
def published(published_dir: Path) -> Published:
    return load_published(published_dir)


@pytest.fixture(scope="session")
def built(published: Published, tmp_path_factory: pytest.TempPathFactory) -> FactsheetResult:
    """Both languages, both formats, from the shipped editorial text."""
    return build_factsheet(published, tmp_path_factory.mktemp("factsheet"))
