"""Documentation keeps up with the code: every problem code and command is documented."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import click
import pytest

import victim_monitor
from victim_monitor.cli import main
from victim_monitor.cli.group import LazyGroup
from victim_monitor.problems import CATALOGUE

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _import_everything() -> None:
    for module in pkgutil.walk_packages(victim_monitor.__path__, "victim_monitor."):
        if ".migrations" not in module.name:  # Alembic scripts run only inside Alembic
            importlib.import_module(module.name)


def test_every_problem_code_has_a_section_in_errors_md() -> None:
    _import_everything()
    text = (DOCS / "errors.md").read_text("utf-8")
    documented = set(re.findall(r"^### (VM\d{3})$", text, flags=re.MULTILINE))
    assert CATALOGUE, "no problem codes defined"
    missing = sorted(set(CATALOGUE) - documented)
    assert missing == [], f"codes without a section in docs/errors.md: {missing}"
    stale = sorted(documented - set(CATALOGUE))
    assert stale == [], f"docs/errors.md documents codes that do not exist: {stale}"


def test_each_section_states_the_codes_title_and_severity() -> None:
    _import_everything()
    text = (DOCS / "errors.md").read_text("utf-8")
    for code, kind in CATALOGUE.items():
        section = text.split(f"### {code}\n", 1)[1].split("\n### ", 1)[0]
        assert f"**{kind.title}** ({kind.severity})" in section, code


_CTX = click.Context(main)


def _command(path: str) -> click.Command:
    """A command by its words, lazily loaded ones (publish, factsheet, serve, ...) included."""
    node: click.Command = main
    for part in path.split():
        assert isinstance(node, click.Group)
        found = node.get_command(_CTX, part)
        assert found is not None, path
        node = found
    return node


def _options(command: click.Command) -> list[click.Option]:
    """The options a user sees in ``--help`` (hidden ones are old spellings, said elsewhere)."""
    return [p for p in command.params if isinstance(p, click.Option) and not p.hidden]


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    """Every command by its words, lazy ones included; a group too when it has options."""
    names: list[str] = []
    for name in group.list_commands(_CTX):
        full = f"{prefix}{name}"
        command = _command(full)
        if not isinstance(command, click.Group):
            names.append(full)
            continue
        if _options(command):  # e.g. `review` alone: review list's options
            names.append(full)
        names += _commands(command, f"{full} ")
    return names


def test_the_lazily_loaded_commands_are_checked_too() -> None:
    found = set(_commands(main))
    assert set(LazyGroup.LAZY) <= {name.split()[0] for name in found}
    assert {"publish", "factsheet", "serve", "programme import", "audit verify"} <= found
    assert {"review", "review list", "token revoke"} <= found


def _section(text: str, heading: str) -> str:
    return text.split(heading, 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("command", _commands(main))
def test_every_command_is_documented(command: str) -> None:
    text = (DOCS / "cli.md").read_text("utf-8")
    assert f"## `victim-monitor {command}`" in text
    section = _section(text, f"## `victim-monitor {command}`")
    for param in _options(_command(command)):
        assert param.opts[-1] in section or param.opts[0] in section, (command, param.opts)


def test_the_global_options_are_documented() -> None:
    text = (DOCS / "cli.md").read_text("utf-8")
    head = text.split("\n## ", 1)[0]
    assert len(_options(main)) >= 4  # --version, --config, --quiet, --verbose
    for param in _options(main):
        assert all(opt in head for opt in param.opts), param.opts
