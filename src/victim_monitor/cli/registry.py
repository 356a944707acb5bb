"""``victim-monitor db upgrade``, ``import`` and ``status``: the register, over
:mod:`victim_monitor.registry`."""

from __future__ import annotations

from pathlib import Path

import click

from victim_monitor.cli.options import (
    database_option,
    database_url,
    json_option,
    register,
)
from victim_monitor.cli.output import echo_file_result, print_json
from victim_monitor.cli.progress import counter, note


@click.group()
def db() -> None:
    """Manage the register's database."""


@db.command("upgrade")
@database_option
def db_upgrade(database: str | None) -> None:
    """Create or migrate the register's schema to the current version."""
    from victim_monitor.registry.register import open_register
    from victim_monitor.storage.migrate import current_revision

    engine = open_register(database_url(database))
    click.echo(f"register at revision {current_revision(engine)}")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--organisation", required=True, help="Code of the sending organisation.")
@click.option("--dry-run", is_flag=True, help="Check, and count what would change; write nothing.")
@click.option(
    "--allow-key",
    metavar="KEY_ID",
    help="Accept a file encoded with this key although earlier submissions used another.",
)
@database_option
@json_option
def import_(
    file: Path,
    organisation: str,
    dry_run: bool,
    allow_key: str | None,
    database: str | None,
    as_json: bool,
) -> None:
    """Check a submission and add its reports to the register (all or nothing)."""
    from victim_monitor.registry.intake import import_submission
    from victim_monitor.storage import connect
    from victim_monitor.storage.engine import has_register, shown_url

    url = database_url(database)
    probe = connect(url)
    made = not has_register(probe)
    probe.dispose()
    engine = register(url, create=True)
    if made:
        note(f"made a new register at {shown_url(url)}")
    with counter(f"importing {file.name}") as progress:
        result = import_submission(
            engine, file, organisation, dry_run=dry_run, progress=progress, allow_key=allow_key
        )
    echo_file_result(result, as_json)


@click.command()
@database_option
@json_option
def status(database: str | None, as_json: bool) -> None:
    """What the register holds: organisations, submissions, reports by year and organisation."""
    from victim_monitor.linkage import linkage_status
    from victim_monitor.registry.status import register_status

    engine = register(database)
    result = register_status(engine)
    linked = linkage_status(engine)
    if as_json:
        print_json(result.as_dict() | {"linkage": linked.as_dict()})
    else:
        click.echo(result.summary())
        click.echo(linked.summary())
