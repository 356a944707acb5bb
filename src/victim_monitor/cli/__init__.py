"""The ``victim-monitor`` command: every command of the project, as thin shells over the library.

Each command parses its options, calls one library function and prints the result (text for
people, ``--json`` for programs). Exit status: 0 success, 1 the input was rejected, 2 usage.
Only this package imports click: the library packages stay usable without a command line (a
test walks the sources for it). One module per command family; the shared options, output
and progress bars live in ``options``, ``output`` and ``progress``.
"""

from __future__ import annotations

from victim_monitor.cli.group import main

__all__ = ["main"]
