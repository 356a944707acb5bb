"""``victim-monitor token``: make, list and revoke the API tokens of organisations' systems.

The same library as the admin page (:mod:`victim_monitor.web.tokens`), so making and revoking
are audited here too, under ``VICTIM_MONITOR_AUDIT_KEY`` as the server's events are; the actor
is ``cli:`` and the operating system's user name.
"""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING

import click

from victim_monitor.cli.options import audit_key, database_option, json_option, register

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from victim_monitor.web.tokens import Actor, ApiToken


def _open(database: str | None) -> Engine:
    """The register (never made here: VM903), its audit trail chained under the key."""
    from victim_monitor.web import audit

    key = audit_key()
    engine = register(database)
    audit.use_key(engine, key)
    return engine


def _actor(command: str) -> Actor:
    from victim_monitor.web.tokens import Actor

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        user = "unknown"
    return Actor(f"cli:{user}"[:64], "cli", f"victim-monitor token {command}")


def _line(token: ApiToken) -> str:
    data = token.as_dict()
    expires = data["expires_at"] or "never"
    used = data["last_used_at"] or "never"
    name = f" {token.name!r}" if token.name else ""
    return (
        f"{token.id:>4}  {token.organisation:<6} {token.prefix}…  {data['state']:<7} "
        f"created {data['created_at']} by {token.created_by}, expires {expires}, "
        f"last used {used}{name}"
    )


@click.group()
def token() -> None:
    """API tokens with which organisations' systems submit files (POST /api/submissions)."""


@token.command()
@click.option("--organisation", required=True, help="Code of the organisation the token is for.")
@click.option(
    "--expires",
    "days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Days until the token expires (default: never).",
)
@click.option("--name", default="", help="What the token is for, e.g. the system that uses it.")
@database_option
@json_option
def create(
    organisation: str, days: int | None, name: str, database: str | None, as_json: bool
) -> None:
    """Make a token for one organisation and print it: it is shown this once, never kept."""
    from victim_monitor.web.tokens import create_token

    made = create_token(
        _open(database), organisation, by=_actor("create"), name=name, expires_days=days
    )
    if as_json:
        click.echo(json.dumps({**made.token.as_dict(), "token": made.secret}, indent=2))
        return
    click.echo(made.secret)
    click.echo(
        f"token {made.token.id} for {made.token.organisation}: copy it now, it is not kept "
        "and cannot be shown again",
        err=True,
    )


@token.command("list")
@click.option("--organisation", default=None, help="Only this organisation's tokens.")
@database_option
@json_option
def list_command(organisation: str | None, database: str | None, as_json: bool) -> None:
    """Every token: organisation, prefix, state, when made, last used and when it expires."""
    from victim_monitor.web.tokens import list_tokens

    found = list_tokens(_open(database), organisation)
    if as_json:
        click.echo(json.dumps([t.as_dict() for t in found], indent=2))
        return
    for item in found:
        click.echo(_line(item))
    if not found:
        click.echo("no API tokens", err=True)


@token.command()
@click.argument("token_id", type=click.IntRange(1, 2_147_483_647))
@database_option
@json_option
def revoke(token_id: int, database: str | None, as_json: bool) -> None:
    """Revoke token TOKEN_ID for good (its id from `token list`)."""
    from victim_monitor.web.tokens import revoke_token

    revoked = revoke_token(_open(database), token_id, by=_actor("revoke"))
    click.echo(json.dumps(revoked.as_dict(), indent=2) if as_json else _line(revoked))
