"""``victim-monitor programme``: import, export and show the programme register."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from victim_monitor.cli.options import database_option, json_option, out_option, register
from victim_monitor.cli.output import echo_checked, print_json


@click.group()
def programme() -> None:
    """The programme register: measures, recommendations and their indicators."""


@programme.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check only; write nothing.")
@database_option
@json_option
def import_(file: Path, dry_run: bool, database: str | None, as_json: bool) -> None:
    """Check a programme file (YAML or CSV) and write it into the register (all or nothing)."""
    from victim_monitor.programme.intake import import_programme

    echo_checked(import_programme(register(database, create=True), file, dry_run=dry_run), as_json)


@programme.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "csv"]),
    default="yaml",
    show_default=True,
    help="The form to write; both can be imported again.",
)
@out_option
@database_option
def export(fmt: str, out: Path | None, database: str | None) -> None:
    """Write the whole programme register as YAML or CSV."""
    from victim_monitor.programme.export import to_csv, to_yaml
    from victim_monitor.programme.store import load

    doc = load(register(database))
    text = to_yaml(doc) if fmt == "yaml" else to_csv(doc)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {doc.records()} records to {out}", err=True)


@programme.command()
@click.option(
    "--publication",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A published directory to read monitor indicators from.",
)
@database_option
@json_option
def show(publication: Path | None, database: str | None, as_json: bool) -> None:
    """Programmes with their measures, and each edition's recommendations with follow-up."""
    from victim_monitor.programme.series import PublicationSource
    from victim_monitor.programme.views import editions, programme_overview
    from victim_monitor.published import PublicationError, load_publication

    engine = register(database)
    source = None
    if publication is not None:
        try:
            source = PublicationSource(load_publication(publication))
        except PublicationError as exc:
            raise click.ClickException(str(exc)) from exc
    progs, eds = programme_overview(engine), editions(engine, source)
    if as_json:
        print_json(
            {"programmes": [p.as_dict() for p in progs], "editions": [e.as_dict() for e in eds]}
        )
        return
    for prog in progs:
        click.echo(prog.summary())
    for edition in eds:
        click.echo(edition.summary())


def _edit_options(f: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--evidence-nl", required=True, help="The evidence for the change, in Dutch."
            ),
            click.option(
                "--evidence-en", required=True, help="The evidence for the change, in English."
            ),
            click.option(
                "--date",
                "on",
                type=click.DateTime(["%Y-%m-%d"]),
                default=None,
                help="Date of the change, YYYY-MM-DD (default: today).",
            ),
            click.option("--url", default=None, help="A web address of the evidence."),
            click.option("--by", required=True, help="Who records the change (kept with it)."),
            click.option("--dry-run", is_flag=True, help="Check only; write nothing."),
            database_option,
            json_option,
        ]
    ):
        f = option(f)
    return f


@programme.command("measure-status")
@click.argument("programme_code", metavar="PROGRAMME")
@click.argument("measure")
@click.argument("status")
@_edit_options
def measure_status(
    programme_code: str,
    measure: str,
    status: str,
    evidence_nl: str,
    evidence_en: str,
    on: Any,
    url: str | None,
    by: str,
    dry_run: bool,
    database: str | None,
    as_json: bool,
) -> None:
    """Record a dated status change of a measure, with its evidence."""
    from victim_monitor.programme.edit import record_measure_status
    from victim_monitor.vocab import Label

    result = record_measure_status(
        register(database),
        programme_code,
        measure,
        status,
        Label(evidence_nl, evidence_en),
        on=None if on is None else on.date(),
        url=url,
        by=by,
        dry_run=dry_run,
    )
    echo_checked(result, as_json)


@programme.command("follow-up")
@click.argument("edition")
@click.argument("number", type=int)
@click.argument("status")
@_edit_options
def follow_up(
    edition: str,
    number: int,
    status: str,
    evidence_nl: str,
    evidence_en: str,
    on: Any,
    url: str | None,
    by: str,
    dry_run: bool,
    database: str | None,
    as_json: bool,
) -> None:
    """Record a dated follow-up change of a recommendation, with its evidence."""
    from victim_monitor.programme.edit import record_followup
    from victim_monitor.vocab import Label

    result = record_followup(
        register(database),
        edition,
        number,
        status,
        Label(evidence_nl, evidence_en),
        on=None if on is None else on.date(),
        url=url,
        by=by,
        dry_run=dry_run,
    )
    echo_checked(result, as_json)
