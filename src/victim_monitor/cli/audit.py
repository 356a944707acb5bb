"""``victim-monitor audit``: verify the audit trail and make checkpoints, from the command line.

The same library as the admin page (web.audit, web.checkpoint) and the same key source
(``VICTIM_MONITOR_AUDIT_KEY``, web.settings.audit_key), so a cron job can verify the trail
against the checkpoint the operator keeps elsewhere. Exit status 1 when the trail is broken.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from victim_monitor.cli.options import (
    audit_key,
    database_option,
    json_option,
    out_option,
    register,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine


def _open(database: str | None) -> tuple[Engine, bytes | None]:
    key = audit_key()
    return register(database), key


@click.group()
def audit() -> None:
    """The audit trail of the web workspace: verify it, and make checkpoints to keep elsewhere."""


@audit.command()
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Also check the trail against this checkpoint (nothing cut from the end, not rebuilt).",
)
@database_option
@json_option
def verify(checkpoint_file: Path | None, database: str | None, as_json: bool) -> None:
    """Recompute every hash of the trail (keyed ones with VICTIM_MONITOR_AUDIT_KEY)."""
    from victim_monitor.web import audit as trail
    from victim_monitor.web import checkpoint

    engine, key = _open(database)
    if checkpoint_file is None:
        check = trail.verify(engine, key=key)
    else:
        try:
            given = checkpoint.parse(checkpoint_file.read_bytes())
        except checkpoint.CheckpointError as exc:
            raise click.UsageError(f"{checkpoint_file}: {exc}") from exc
        check = checkpoint.verify_against(engine, given, key=key)
    click.echo(json.dumps(check.as_dict(), indent=2) if as_json else check.summary())
    if not check.intact:
        raise SystemExit(1)


@audit.command("checkpoint")
@out_option
@database_option
def checkpoint_command(out: Path | None, database: str | None) -> None:
    """Verify the whole trail, then write a checkpoint of its last event (signed with the key)."""
    from victim_monitor.web import audit as trail
    from victim_monitor.web import checkpoint

    engine, key = _open(database)
    check = trail.verify(engine, key=key)
    if not check.intact:
        click.echo(check.summary(), err=True)
        raise SystemExit(1)
    made = checkpoint.make(check, key).to_json()
    if out is None:
        click.echo(made, nl=False)
    else:
        out.write_text(made, encoding="utf-8")
        click.echo(f"wrote {out}: keep it outside this machine's database", err=True)
