"""``victim-monitor publish``: a thin command over :func:`publish`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from victim_monitor.cli.options import (
    database_option,
    json_option,
    register,
    settings,
    years_option,
)
from victim_monitor.cli.progress import steps


@click.command(name="publish")
@years_option(help="The years to publish: 2018 or 2014-2018.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Directory to write the publication to (replaced when all went well).",
)
@click.option(
    "--policy",
    "policy_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Disclosure policy file (default: the packaged policy).",
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Last year's confidential release (written with --release), so that nothing hidden "
    "now can be derived by combining the two.",
)
@click.option(
    "--release",
    "release_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Where to keep this release's confidential form (true counts; never publish it).",
)
@click.option(
    "--from-figures",
    "figures",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Build the publication from this CSV of figures published before (a source per "
    "figure) instead of the register.",
)
@database_option
@json_option
def publish_command(
    years: str,
    out: Path,
    policy_file: Path | None,
    previous: Path | None,
    release_file: Path | None,
    figures: Path | None,
    database: str | None,
    as_json: bool,
) -> None:
    """Publish protected tables, estimates, trends and findings for YEARS into OUT."""
    from victim_monitor.disclosure import Release, load_policy
    from victim_monitor.publication.run import publish
    from victim_monitor.years import parse_years

    if figures is not None:
        if policy_file or previous or release_file:
            raise click.UsageError("--from-figures takes no --policy, --previous or --release")
        _from_figures(figures, years, out, as_json)
        return
    # Coded failures (PublicationError, DisclosureError) are ProblemErrors: the command line
    # prints every problem, as JSON under --json, and exits 1.
    settings()  # a malformed setting is a usage error before anything is done
    wanted = parse_years(years)
    policy = load_policy(policy_file)
    last = None if previous is None else Release.from_json(previous.read_text("utf-8"))
    engine = register(database)
    with steps() as step:
        result = publish(engine, wanted, out, policy=policy, previous=last, progress=step)
    if release_file is not None:
        release_file.write_text(result.release.to_json(), encoding="utf-8")
    if as_json:
        pub = result.publication
        summary = {"out": str(result.out), "audit": dict(pub.audit), "findings": len(pub.findings)}
        click.echo(json.dumps(summary, sort_keys=True))
    else:
        click.echo(result.summary())


def _from_figures(figures: Path, years: str, out: Path, as_json: bool) -> None:
    """``publish --from-figures``: no register, no disclosure control (the figures are public)."""
    from victim_monitor.publication.from_figures import publish_figures
    from victim_monitor.years import parse_years

    result = publish_figures(figures, parse_years(years), out)  # PublicationError: as above
    if as_json:
        pub = result.publication
        summary = {"out": str(result.out), "audit": dict(pub.audit), "findings": len(pub.findings),
                   "figures": len(result.figures.figures)}  # fmt: skip
        click.echo(json.dumps(summary, sort_keys=True))
    else:
        click.echo(result.summary())
