"""A Node.js process running the browser encoder, shared by the tests of this directory.

Skipped with the reason when Node.js is missing, except under ``CI=true``, where that is a
failure: CI must prove the browser encoder identical to the Python one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.web_encoder.harness import Node, node_binary
from victim_monitor.pseudonymise import Key


@pytest.fixture(scope="session")
def node() -> Iterator[Node]:
    binary = node_binary()
    if binary is None:
        reason = "Node.js not found (node on PATH or /usr/bin/node): browser encoder not tested"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: the browser encoder must be tested)")
        pytest.skip(reason)
    running = Node(binary)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def key() -> Key:
    """The test-vector key of docs/encoder.md: the bytes 0x00 .. 0x1F."""
    return Key(bytes(range(32)))
