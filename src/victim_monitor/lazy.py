"""Packages that export their names lazily (PEP 562): a name's module is imported on first use,
so that starting the command line (``victim-monitor --help``, a command's ``--help``) does not
load a stage's dependencies (docs/decisions/0002-cli-click.md)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def exports(package: str, home: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name of ``home`` from its submodule."""

    def attribute(name: str) -> Any:
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{home[name]}"), name)

    return attribute
