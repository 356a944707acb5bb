"""``victim-monitor demo``: the synthetic demo, over :func:`victim_monitor.demo.run_demo`."""

from __future__ import annotations

from pathlib import Path

import click

from victim_monitor.cli.options import database_option
from victim_monitor.cli.progress import steps


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="Directory for the demo's outputs.",
)
@click.option("--seed", type=int, default=2019, show_default=True)
@click.option(
    "--scale",
    type=float,
    default=1.0,
    show_default=True,
    help="Multiply the population's size (0.1 for a quick run).",
)
@click.option("--no-serve", is_flag=True, help="Do everything but serve the web application.")
@click.option("--port", type=int, default=8000, show_default=True, help="Port to serve on.")
@database_option
@click.option(
    "--reset",
    is_flag=True,
    help="Empty the --database register first (all its data and audit trail) if it holds any.",
)
def demo(
    out: Path,
    seed: int,
    scale: float,
    no_serve: bool,
    port: int,
    database: str | None,
    reset: bool,
) -> None:
    """Run the synthetic demo: generate, encode, import, summarise (SQLite by default)."""
    from victim_monitor.demo import DemoError, run_demo

    with steps() as step:
        try:
            result = run_demo(
                out, database_url=database, seed=seed, scale=scale, progress=step, reset=reset
            )
        except DemoError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(result.summary())
    if result.failed:  # the factsheet could not be written as asked: its problems, exit 1
        click.echo("The factsheet was not written; see its problems above.", err=True)
        raise SystemExit(1)
    from victim_monitor.web.demo import serve_demo

    release = getattr(result, "publication", None) or out / "publication"
    serve_demo(result.database_url, Path(release), port=port, serve=not no_serve, echo=click.echo)
