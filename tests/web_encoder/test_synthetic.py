"""The demo's synthetic raw files (every organisation's style) encode identically."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web_encoder.harness import Node, assert_same
from victim_monitor.pseudonymise import Key
from victim_monitor.synthetic import SyntheticConfig, generate, write


@pytest.fixture(scope="module")
def raw_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ...]:
    population = generate(SyntheticConfig(years=(2017, 2018), seed=7, scale=0.25))
    return write(population, tmp_path_factory.mktemp("synthetic")).raw


def test_every_synthetic_file(
    node: Node, key: Key, raw_files: tuple[Path, ...], tmp_path: Path
) -> None:
    assert len(raw_files) >= 10
    reports = 0
    for path in raw_files:
        outcome = assert_same(node, path.read_bytes(), key, tmp_path)
        assert outcome.summary["ok"], path.name
        reports += outcome.summary["rows_written"]
    assert reports > 300
