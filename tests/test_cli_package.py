"""Every command lives in ``victim_monitor.cli``: the library packages never import click."""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

import click

from victim_monitor.cli.group import LazyGroup

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "victim_monitor"
COMMAND_LINE = ("click", "rich_click")


def _imports_of_click(path: Path) -> list[int]:
    """The lines of ``path`` that import click (or rich_click), at any depth of the module."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name.split(".")[0] in COMMAND_LINE for name in names):
            lines.append(node.lineno)
    return lines


def test_no_module_outside_the_cli_package_imports_click() -> None:
    found = {
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] != "cli"
        for line in _imports_of_click(path)
    }
    assert found == set(), f"click imported outside victim_monitor/cli/: {sorted(found)}"


def test_the_walk_sees_imports_inside_functions_too(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import os\n"
        "def f():\n"
        "    from click.testing import CliRunner\n"
        "    import rich_click as click\n"
        "from clicker import x\n"
    )
    assert _imports_of_click(module) == [3, 4]
    assert _imports_of_click(PACKAGE / "cli" / "group.py")  # the package itself does


def test_every_lazy_command_is_in_the_cli_package() -> None:
    for name, target in LazyGroup.LAZY.items():
        module, _, attribute = target.partition(":")
        assert module.startswith("victim_monitor.cli."), name
        assert isinstance(getattr(importlib.import_module(module), attribute), click.Command)


def test_the_console_script_is_the_cli_packages_main() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    module, _, attribute = scripts["victim-monitor"].partition(":")
    cli = importlib.import_module(module)
    assert (module, cli.__all__) == ("victim_monitor.cli", ["main"])
    assert isinstance(getattr(cli, attribute), click.Group)
