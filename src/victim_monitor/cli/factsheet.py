"""``victim-monitor factsheet``: a thin command over :func:`build_factsheet`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from victim_monitor.cli.options import database_url, years_option
from victim_monitor.cli.progress import progress_bar
from victim_monitor.reporting.codes import PUBLISHED_UNUSABLE, FactsheetError
from victim_monitor.years import parse_years

if TYPE_CHECKING:
    from victim_monitor.reporting.editorial import Section
    from victim_monitor.reporting.figures import Lang


def _followup(edition: str, database: str | None) -> dict[Lang, list[Section]]:
    from victim_monitor.programme import NotFoundError
    from victim_monitor.registry.register import open_register
    from victim_monitor.reporting.followup import followup_sections

    engine = open_register(database_url(database), create=False)
    try:
        return followup_sections(engine, edition)
    except NotFoundError as exc:
        raise click.BadParameter(str(exc), param_hint="--followup") from exc
    finally:
        engine.dispose()


@click.command()
@years_option(default="2014-2018", help="Years of the factsheet; must be the publication's years.")
@click.option(
    "--lang",
    "lang",
    type=click.Choice(["nl", "en", "all"]),
    default="all",
    show_default=True,
    help="Language(s) to write.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Directory to write factsheet-YEARS-LANG.{html,pdf} into.",
)
@click.option(
    "--published",
    "published",
    type=click.Path(path_type=Path),
    default=None,
    help="Published directory written by `victim-monitor publish` (default: OUT/publication).",
)
@click.option(
    "--editorial",
    "editorial",
    type=click.Path(path_type=Path),
    default=None,
    help="Directory with the analyst's factsheet-YEARS-LANG.md files (default: the shipped text).",
)
@click.option(
    "--followup",
    "edition",
    metavar="EDITION",
    default=None,
    help="Add the follow-up of this monitor edition's recommendations, from the "
    "programme register in --database.",
)
@click.option(
    "--database",
    "database",
    metavar="URL",
    default=None,
    help="The register holding the programme (only with --followup; default: "
    "$VICTIM_MONITOR_DATABASE_URL).",
)
def factsheet(
    years: str,
    lang: Literal["nl", "en", "all"],
    out: Path,
    published: Path | None,
    editorial: Path | None,
    edition: str | None,
    database: str | None,
) -> None:
    """Write the factsheet (HTML and PDF) from the published, protected tables."""
    from victim_monitor.reporting.build import LANGS, build_factsheet
    from victim_monitor.reporting.published import load_published

    wanted = parse_years(years)  # VM741: the command line prints it, exit 1
    langs: tuple[Lang, ...] = LANGS if lang == "all" else (lang,)
    extra = None if edition is None else _followup(edition, database)
    # A FactsheetError (a ProblemError): every problem on stderr, exit 1 (the command line).
    pub = load_published(published or out / "publication")
    if pub.years != wanted:
        shown = f"{pub.years[0]}-{pub.years[-1]}"
        raise FactsheetError([PUBLISHED_UNUSABLE(f"the publication is for {shown}, not {years}")])
    with progress_bar(transient=True) as progress:
        task = progress.add_task("write the factsheet", total=len(langs) * 2)
        result = build_factsheet(
            pub,
            out,
            langs=langs,
            editorial_dir=editorial,
            extra=extra,
            progress=lambda _n, done, _t: progress.update(task, completed=done),
        )
    click.echo(result.summary())
