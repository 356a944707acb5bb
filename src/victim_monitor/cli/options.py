"""The options every command takes the same way (``--database``, ``--json``, ``--years``,
``--out``) and the settings behind them, each defined once instead of copied per command.

A setting that cannot be used is a usage error (exit 2) wherever it is read. Imports only click
and the settings: starting the command stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from victim_monitor.config import ConfigError, Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

F = TypeVar("F", bound=Callable[..., Any])

database_option = click.option(
    "--database",
    "database",
    metavar="URL",
    help="Register database URL (default: $VICTIM_MONITOR_DATABASE_URL or sqlite:///victim-monitor.db).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
out_option = click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="File to write (default: standard output).",
)


def years_option(*, help: str, default: str | None = None) -> Callable[[F], F]:
    """``--years 2018`` or ``--years 2014-2018``, as text: the command reads it with
    :func:`victim_monitor.years.parse_years` (VM741), after its own usage checks."""
    if default is None:
        return click.option("--years", "years", required=True, help=help)
    return click.option("--years", "years", default=default, show_default=True, help=help)


def settings() -> Settings:
    """The environment's settings; a malformed one is a usage error (exit 2)."""
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc


def database_url(database: str | None) -> str:
    """``--database``, else the environment's register (the settings read only then)."""
    return database or settings().database_url


def register(database: str | None, *, create: bool = False) -> Engine:
    """The register at ``--database`` (else the environment's), with its organisations file;
    unless ``create``, it must exist (VM903)."""
    from victim_monitor.registry.register import open_register

    found = settings()
    return open_register(database or found.database_url, found.organisations_file, create=create)


def audit_key() -> bytes | None:
    """``VICTIM_MONITOR_AUDIT_KEY``, as the web application reads it; malformed: exit 2."""
    from victim_monitor.web.settings import audit_key as read_key

    try:
        return read_key()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
