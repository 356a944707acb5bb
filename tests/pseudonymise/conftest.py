"""Fixtures for the encoder tests: fixed keys and raw files of synthetic people."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from tests.pseudonymise.people import PEOPLE
from victim_monitor.pseudonymise import RAW_COLUMNS, Key


@pytest.fixture
def key() -> Key:
    return Key(bytes(range(32)))


@pytest.fixture
def other_key() -> Key:
    return Key(bytes(range(1, 33)))


WriteRaw = Callable[..., Path]


@pytest.fixture
def write_raw(tmp_path: Path) -> WriteRaw:
    """Write rows as a raw CSV; header defaults to the standard raw columns."""

    def write(
        rows: Sequence[Mapping[str, str]] = PEOPLE,
        *,
        name: str = "raw.csv",
        header: Sequence[str] = RAW_COLUMNS,
        delimiter: str = ",",
        encoding: str = "utf-8",
    ) -> Path:
        path = tmp_path / name
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle, delimiter=delimiter)
            writer.writerow(header)
            for row in rows:
                writer.writerow([row.get(column, "") for column in header])
        return path

    return write
