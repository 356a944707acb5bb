"""Run benchmarks: ``python -m benchmarks`` runs all, ``python -m benchmarks NAME [ARGS...]`` one.

A benchmark is any module ``benchmarks/NAME_bench.py`` with a ``main()``; a ``main`` that takes
a parameter receives the arguments after the name (``python -m benchmarks intake --full``).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

SUFFIX = "_bench"


def discover() -> dict[str, Callable[..., Any]]:
    """The benchmarks by short name (``intake`` for ``intake_bench.py``), in name order."""
    found: dict[str, Callable[..., Any]] = {}
    for path in sorted(Path(__file__).parent.glob(f"*{SUFFIX}.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        entry = getattr(module, "main", None)
        if callable(entry):
            found[path.stem.removesuffix(SUFFIX)] = entry
    return found


def _run(entry: Callable[..., Any], args: list[str]) -> int:
    if inspect.signature(entry).parameters:
        status = entry(args)
    elif args:
        print(f"{entry.__module__} takes no arguments", file=sys.stderr)
        return 2
    else:
        status = entry()
    return status if isinstance(status, int) else 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    benchmarks = discover()
    if args and args[0] in ("-h", "--help", "--list"):
        print(__doc__)
        print("benchmarks:", ", ".join(benchmarks) or "(none)")
        return 0
    if args:
        name, rest = args[0].removesuffix(SUFFIX), args[1:]
        if name not in benchmarks:
            print(f"no benchmark {name!r}; there are: {', '.join(benchmarks)}", file=sys.stderr)
            return 2
        return _run(benchmarks[name], rest)
    status = 0
    for name, entry in benchmarks.items():
        print(f"== {name}", flush=True)
        status = max(status, _run(entry, []))
    return status


if __name__ == "__main__":
    sys.exit(main())
