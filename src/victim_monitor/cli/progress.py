"""Progress bars and notes on standard error, and the global ``--quiet``/``--verbose``.

Shared by every command module, so that a bar looks and behaves the same everywhere and
``--quiet`` silences all of them. Imports only click and rich: starting the command stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console(stderr=True)

Step = Callable[[str, int, int], None]


def _flag(name: str) -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().params.get(name))


def quiet() -> bool:
    """``victim-monitor --quiet``: no progress bars and no notes, only results and problems."""
    return _flag("quiet")


def verbose() -> bool:
    """``victim-monitor --verbose``: the stages' and Splink's log lines on standard error."""
    return _flag("verbose")


def note(text: str) -> None:
    """A line for the person at the terminal (standard error), unless ``--quiet``."""
    if not quiet():
        click.echo(text, err=True)


def progress_bar(*, transient: bool = False) -> Progress:
    """Bars per named step (``steps``), on standard error, only on a terminal and not quiet."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
        disable=quiet() or not console.is_terminal,
    )


@contextmanager
def steps(*, transient: bool = False) -> Iterator[Step]:
    """A progress callback ``step(name, done, total)``: one bar per name."""
    with progress_bar(transient=transient) as bar:
        tasks: dict[str, Any] = {}

        def step(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        yield step


@contextmanager
def counter(description: str) -> Iterator[Callable[[int], None]]:
    """A progress display counting rows, for work whose total is not known in advance."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet() or not console.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=None)
        yield lambda done: progress.update(task, completed=done)
