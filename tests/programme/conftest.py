"""Fixtures for the programme register: the shipped example file and small files to break."""

from __future__ import annotations

from pathlib import Path

import pytest

from victim_monitor.programme import example_file


@pytest.fixture
def example() -> Path:
    """The example programme file shipped in the package."""
    return example_file()
