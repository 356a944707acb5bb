"""``victim-monitor export``, ``backup`` and ``restore``: thin commands over the exchange stage.

Their coded problems (VM91x) are raised as :class:`ExchangeError` and printed by the command
line (JSON under ``--json``), exit status 2 as for every VM9xx problem.
"""

from __future__ import annotations

from pathlib import Path

import click

from victim_monitor.cli.options import database_option, database_url, json_option, register
from victim_monitor.cli.output import echo_result
from victim_monitor.cli.progress import steps


@click.command(name="export")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Directory to write the export to (replaced when all went well; a directory holding "
    "anything but an earlier export is refused).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(["csv", "parquet"]),
    default="csv",
    show_default=True,
    help="File format of the tables.",
)
@database_option
@json_option
def export_command(out: Path, file_format: str, database: str | None, as_json: bool) -> None:
    """Export the register's reports, persons and capture histories for analysts."""
    from victim_monitor.exchange.export import export_register

    engine = register(database)
    try:
        with steps(transient=True) as step:
            result = export_register(
                engine,
                out,
                "parquet" if file_format == "parquet" else "csv",
                progress=step,
            )
    finally:
        engine.dispose()
    echo_result(result, as_json)


@click.command(name="backup")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Backup file to create (never overwritten).",
)
@database_option
@json_option
def backup_command(out: Path, database: str | None, as_json: bool) -> None:
    """Back up the whole register into one file, while the server runs."""
    from victim_monitor.exchange.backups import backup

    with steps(transient=True) as step:
        result = backup(database_url(database), out, progress=step)
    echo_result(result, as_json)


@click.command(name="restore")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--database",
    "database",
    metavar="URL",
    required=True,
    help="The database to restore into (given explicitly: a restore replaces a register).",
)
@click.option("--force", is_flag=True, help="Replace everything in a database that is not empty.")
@json_option
def restore_command(file: Path, database: str, force: bool, as_json: bool) -> None:
    """Restore a backup into an empty database (or, with --force, over one)."""
    from victim_monitor.exchange.backups import restore

    with steps(transient=True) as step:
        result = restore(file, database, force=force, progress=step)
    echo_result(result, as_json)
