"""``victim-monitor estimate``: multiple systems estimation, over
:func:`victim_monitor.estimation.estimate`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from victim_monitor.cli.options import json_option
from victim_monitor.cli.output import failed


class _LazyChoice(click.Choice):  # type: ignore[type-arg]
    """A choice whose values are loaded when first needed (to check a value or print help), so
    that starting the command does not import the estimation stage (SciPy, pandas)."""

    def __init__(self, load: Callable[[], list[str]]) -> None:
        self._load = load
        self._loaded: tuple[str, ...] | None = None
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        if self._loaded is None:
            self._loaded = tuple(self._load())
        return self._loaded

    @choices.setter
    def choices(self, _value: object) -> None:
        pass  # click.Choice.__init__ sets it; the loader decides


def _estimation_methods() -> list[str]:
    from victim_monitor.estimation import METHODS

    return list(METHODS)


@click.command()
@click.argument("table", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--method",
    default="stepwise",
    show_default=True,
    type=_LazyChoice(_estimation_methods),
    help="Model selection or model.",
)
@click.option(
    "--model",
    "terms",
    metavar="TERMS",
    help="fixed: the model's interaction terms, e.g. 'A:B,B:C' (list names) or '12,23'.",
)
@click.option(
    "--bootstrap",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Bootstrap replicates (0: profile-likelihood interval).",
)
@click.option(
    "--seed", type=click.IntRange(min=0), default=None, help="Seed for the bootstrap or sampler."
)
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.02,
    show_default=True,
    help="p-value threshold of stepwise selection.",
)
@click.option(
    "--burnin", type=click.IntRange(min=0), help="latent-class: sweeps before any is kept [10000]."
)
@click.option(
    "--samples", type=click.IntRange(min=1), help="latent-class: posterior draws kept [1000]."
)
@click.option(
    "--thinning", type=click.IntRange(min=1), help="latent-class: sweeps per kept draw [10]."
)
@click.option(
    "--classes", type=click.IntRange(min=1), help="latent-class: at most K latent classes [5]."
)
@click.option(
    "--level",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    default=0.95,
    show_default=True,
)
@click.option(
    "--interval",
    type=click.Choice(["profile", "wald", "bca"]),
    default=None,
    help="Interval method (default: profile, or bca with --bootstrap).",
)
@json_option
def estimate(
    table: Path,
    method: str,
    terms: str | None,
    bootstrap: int,
    seed: int | None,
    threshold: float,
    burnin: int | None,
    samples: int | None,
    thinning: int | None,
    classes: int | None,
    level: float,
    interval: str | None,
    as_json: bool,
) -> None:
    """Estimate the hidden number from a capture-history table (multiple systems estimation)."""
    from victim_monitor.estimation import EstimationError, read_table
    from victim_monitor.estimation import estimate as run_estimate

    chain = None
    if method == "latent-class":  # LCMCR's defaults (in Chain) for what is not given
        from victim_monitor.estimation.latent import Chain

        given = {"burnin": burnin, "samples": samples, "thinning": thinning, "classes": classes}
        chain = Chain(**{k: v for k, v in given.items() if v is not None})

    if (terms is not None) != (method == "fixed"):
        raise click.UsageError("--model TERMS goes with --method fixed, and fixed needs it")
    model = [t.strip() for t in terms.split(",") if t.strip()] if terms is not None else None
    parsed = read_table(table)
    if isinstance(parsed, list):
        failed(parsed, as_json)
    try:
        result = run_estimate(
            parsed,
            method=method,
            bootstrap=bootstrap,
            seed=seed,
            threshold=threshold,
            level=level,
            interval=interval,
            chain=chain,
            model=model,
        )
    except EstimationError as exc:
        failed([exc.problem], as_json)
    click.echo(result.to_json(indent=2) if as_json else result.summary())
