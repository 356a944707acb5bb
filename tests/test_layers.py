"""No package imports a package above it in the layering of docs/architecture.md."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "victim_monitor"
INTERFACE = "cli"  # the top layer: every module that imports click counts as part of it


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module


@dataclass(frozen=True)
class Import:
    target: str
    line: int


def _block(text: str, name: str) -> list[str]:
    found = re.search(rf"^```{name}\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert found, f"docs/architecture.md has no ```{name} block"
    return [line.strip() for line in found[1].splitlines() if line.strip()]


def layers(text: str) -> list[list[str]]:
    """The ```layers block of the architecture page, top layer first."""
    return [line.split() for line in _block(text, "layers")]


def exceptions(text: str) -> set[tuple[str, str]]:
    """The known exceptions: (importing module, package it may import)."""
    pairs = (line.partition("->") for line in _block(text, "exceptions"))
    return {(module.strip(), package.strip()) for module, _, package in pairs}


def modules(src: Path) -> dict[str, Module]:
    """Every module of the package under ``src`` by its dotted name."""
    found = {}
    for path in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = Module(".".join(parts), path, ast.parse(path.read_bytes()))
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of import nodes under ``if TYPE_CHECKING:`` (never run, so not a dependency)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            skipped |= {id(inner) for part in node.body for inner in ast.walk(part)}
    return skipped


def imports(module: Module, known: Mapping[str, Module]) -> Iterator[Import]:
    """Every import the module runs, anywhere in it, as the dotted name of what it imports."""
    here = module.name.split(".")
    if module.path.name != "__init__.py":
        here.pop()
    skipped = _type_checking_only(module.tree)
    for node in ast.walk(module.tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (Import(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            source = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:  # `from package import module` imports the module
                inner = f"{source}.{alias.name}"
                yield Import(inner if inner in known else source, node.lineno)


def package_of(name: str, known: Mapping[str, Module]) -> str | None:
    """The layered package a dotted name belongs to (None outside ``victim_monitor``)."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    for end in range(len(parts), 0, -1):  # the module itself, else the package holding it
        module = known.get(".".join(parts[:end]))
        if module is not None and _imports_click(module):
            return INTERFACE
        if module is not None:
            break
    return parts[1] if len(parts) > 1 else PACKAGE


@cache  # asked for each import of the module's package: walk each tree once
def _imports_click(module: Module) -> bool:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] == "click" for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click":
            return True
    return False


def violations(
    src: Path, order: Sequence[Sequence[str]], allowed: Set[tuple[str, str]] = frozenset()
) -> list[str]:
    """Each import of a package above or beside the importer's, as 'path:line: ...', except the
    ``allowed`` (importing module, imported package) pairs; an allowed pair no import needs is
    named too (its line in docs/architecture.md goes with the import)."""
    rank = {package: -index for index, line in enumerate(order) for package in line}
    known = modules(src)
    found = []
    used: set[tuple[str, str]] = set()
    unplaced = sorted({p for m in known if (p := package_of(m, known)) and p not in rank})
    if unplaced:
        found.append(f"packages not in the layering of docs/architecture.md: {unplaced}")
    for module in known.values():
        own = package_of(module.name, known)
        for imported in imports(module, known):
            other = package_of(imported.target, known)
            if own not in rank or other not in rank or other == own:
                continue
            if rank[other] >= rank[own] and (module.name, other) in allowed:
                used.add((module.name, other))
            elif rank[other] >= rank[own]:
                where = "above" if rank[other] > rank[own] else "beside"
                found.append(
                    f"{module.path.relative_to(src.parent)}:{imported.line}: {module.name} "
                    f"({own}) imports {imported.target} ({other}), {where} it"
                )
    found += [f"known exception no longer needed: {a} -> {b}" for a, b in sorted(allowed - used)]
    return list(dict.fromkeys(found))  # `from x import a, b` is one import


def test_no_package_imports_a_package_above_it() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    assert violations(ROOT / "src", layers(text), exceptions(text)) == []


def test_the_layering_names_no_package_twice() -> None:
    order = layers((ROOT / "docs" / "architecture.md").read_text("utf-8"))
    names = [package for line in order for package in line]
    assert len(names) == len(set(names))


def _package(tmp_path: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "src" / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path / "src"


ORDER = [["cli"], ["web"], ["storage", "tables"], [PACKAGE, "problems"]]


def test_an_import_inside_a_function_of_a_package_above_is_named_with_its_line(
    tmp_path: Path,
) -> None:
    src = _package(
        tmp_path,
        {
            "__init__.py": "",
            "problems.py": "",
            "storage/__init__.py": "from victim_monitor import problems\n",
            "storage/engine.py": "def f():\n    from ..web import app\n",
            "web/__init__.py": "",
            "web/app.py": "from victim_monitor.storage import engine\n",
        },
    )
    assert violations(src, ORDER) == [
        "src/victim_monitor/storage/engine.py:2: victim_monitor.storage.engine (storage) "
        "imports victim_monitor.web.app (web), above it"
    ]


def test_a_sibling_import_fails_and_a_type_checking_import_does_not(tmp_path: Path) -> None:
    src = _package(
        tmp_path,
        {
            "__init__.py": "",
            "tables.py": "import victim_monitor.storage\n",
            "storage.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from victim_monitor.web import x\n",
            "web.py": "",
        },
    )
    assert violations(src, ORDER) == [
        "src/victim_monitor/tables.py:1: victim_monitor.tables (tables) "
        "imports victim_monitor.storage (storage), beside it"
    ]


def test_a_command_module_is_in_the_interface_layer_wherever_it_lives(tmp_path: Path) -> None:
    src = _package(
        tmp_path,
        {
            "__init__.py": "",
            "web/__init__.py": "",
            "web/command.py": "import click\nfrom victim_monitor import cli\n",
            "cli.py": "import click\nfrom victim_monitor.web import command\n",
            "storage.py": "from victim_monitor.web.command import serve\n",
            "extra.py": "",
        },
    )
    assert violations(src, ORDER) == [
        "packages not in the layering of docs/architecture.md: ['extra']",
        "src/victim_monitor/storage.py:1: victim_monitor.storage (storage) "
        "imports victim_monitor.web.command (cli), above it",
    ]


def test_a_known_exception_is_allowed_only_for_its_module_and_only_while_needed(
    tmp_path: Path,
) -> None:
    src = _package(
        tmp_path,
        {
            "__init__.py": "",
            "web/__init__.py": "",
            "web/demo.py": "from victim_monitor.web import serve\n",
            "web/other.py": "from victim_monitor.web.serve import run\n",
            "web/serve.py": "import click\n",
        },
    )
    allowed = {("victim_monitor.web.demo", "cli"), ("victim_monitor.web.serve", "cli")}
    assert violations(src, ORDER, allowed) == [
        "src/victim_monitor/web/other.py:1: victim_monitor.web.other (web) "
        "imports victim_monitor.web.serve (cli), above it",
        "known exception no longer needed: victim_monitor.web.serve -> cli",
    ]
