"""A linkage backend that cannot run here is refused up front, with a coded problem."""

from __future__ import annotations

import importlib.util
import shutil
from typing import Any

import pytest

from victim_monitor.linkage import BackendError
from victim_monitor.linkage.score import check_backend
from victim_monitor.problems import ProblemError


def _code(name: str) -> str:
    with pytest.raises(BackendError) as refused:
        check_backend(name)
    assert isinstance(refused.value, ProblemError)
    [problem] = refused.value.problems
    assert str(refused.value) == str(problem)
    return problem.code


def test_an_unknown_backend_is_vm340() -> None:
    assert _code("oracle") == "VM340"


def test_spark_without_pyspark_is_vm341_and_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec

    def without_pyspark(name: str, *args: Any) -> Any:
        return None if name == "pyspark" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_pyspark)
    assert _code("spark") == "VM341"


def test_spark_without_java_is_vm342(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def with_pyspark(name: str, *args: Any) -> Any:
        return object() if name == "pyspark" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", with_pyspark)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert _code("spark") == "VM342"


def test_duckdb_always_runs() -> None:
    check_backend("duckdb")
