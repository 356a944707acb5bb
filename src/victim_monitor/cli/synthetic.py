"""``victim-monitor synthetic``: a synthetic population, over :mod:`victim_monitor.synthetic`."""

from __future__ import annotations

from pathlib import Path

import click

from victim_monitor.cli.options import years_option


@click.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Directory for raw/ and truth/.",
)
@click.option("--seed", type=int, default=2019, show_default=True)
@click.option("--scale", type=float, default=1.0, show_default=True)
@years_option(default="2014-2018", help="A year or a range FIRST-LAST.")
@click.option(
    "--difficulty",
    type=click.Choice(["standard", "hard", "hardest", "extreme"]),
    default="standard",
    show_default=True,
    help="How many persons share a name and how often names and dates vary (linkage tests).",
)
@click.option(
    "--heterogeneity",
    type=float,
    default=1.0,
    show_default=True,
    help="Multiplier on the latent capture loadings, 0-3 (0: everyone in a stratum equally "
    "visible; estimation tests).",
)
def synthetic(
    out: Path, seed: int, scale: float, years: str, difficulty: str, heterogeneity: float
) -> None:
    """Write a synthetic population: each organisation's raw files and the truth."""
    from victim_monitor.synthetic import SyntheticConfig, generate, write
    from victim_monitor.years import parse_years

    span = parse_years(years)  # VM741: the command line prints it, exit 1
    try:
        config = SyntheticConfig.at(
            difficulty, years=span, seed=seed, scale=scale, heterogeneity=heterogeneity
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    population = generate(config)
    files = write(population, out)
    click.echo(str(population.summary()))
    click.echo(
        f"wrote {len(files.raw)} raw files to {out / 'raw'} and the truth to {out / 'truth'}"
    )
