"""The command line's shared pieces: progress bars, notes, the global ``--quiet``/``--verbose``,
the ``--database`` and ``--json`` options and opening the register.

Shared by every command module (``cli.py`` and the stages' ``command.py``), so that a bar looks
and behaves the same everywhere and ``--quiet`` silences all of them. Imports only click, rich
and the settings: starting the command stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from victim_monitor.config import ConfigError, Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

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


# --- options and the register, as every command takes them ------------------------------------

database_option = click.option(
    "--database",
    "database",
    metavar="URL",
    help="Register database URL (default: $VICTIM_MONITOR_DATABASE_URL or sqlite:///victim-monitor.db).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")


def settings() -> Settings:
    """The environment's settings; a malformed one is a usage error (exit 2)."""
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def register(database: str | None, *, create: bool = False) -> Engine:
    """The register at ``--database`` (else the environment's), with its organisations file;
    unless ``create``, it must exist (VM903)."""
    from victim_monitor.registry.register import open_register

    found = settings()
    return open_register(database or found.database_url, found.organisations_file, create=create)
