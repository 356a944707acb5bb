"""``victim-monitor link``: linkage of the register's reports into persons, over
:func:`victim_monitor.linkage.link_register` (and its threshold ``sensitivity``)."""

from __future__ import annotations

from typing import Any

import click

from victim_monitor.cli.options import database_option, json_option, register
from victim_monitor.cli.output import failed, print_json
from victim_monitor.cli.progress import Step, steps


@click.command()
@click.option(
    "--full", is_flag=True, help="Relink everything with the current model, not only new reports."
)
@click.option(
    "--retrain",
    is_flag=True,
    help="Train a new model on the register and relink everything with it.",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --retrain: take the new model even if it fits the register worse.",
)
@click.option(
    "--keep-model",
    is_flag=True,
    help="With --full: keep the current model (the default; kept for scripts).",
)
@click.option(
    "--threshold",
    type=click.FloatRange(0.05, 1.0, max_open=True),
    default=None,
    help="Match probability at which two reports are one person (default: chosen by the run "
    "from the model's estimate of the matching pairs).",
)
@click.option(
    "--backend",
    type=click.Choice(["duckdb", "spark"]),
    default=None,
    help="Where Splink runs: duckdb (default) or spark (pip install 'victim-monitor[spark]').",
)
@click.option(
    "--sensitivity",
    is_flag=True,
    help="Show how persons per year and capture histories move with the threshold (links nothing).",
)
@click.option(
    "--thresholds",
    metavar="P,P,...",
    default=None,
    help="Thresholds for --sensitivity (default 0.2,0.3,0.5,0.7,0.8,0.9,0.99 and the last run's).",
)
@database_option
@json_option
def link(
    full: bool,
    retrain: bool,
    force: bool,
    keep_model: bool,
    threshold: float | None,
    backend: str | None,
    sensitivity: bool,
    thresholds: str | None,
    database: str | None,
    as_json: bool,
) -> None:
    """Link the register's reports into persons (incrementally unless --full)."""
    from victim_monitor.linkage import link_register

    if keep_model and not full:
        raise click.UsageError("--keep-model goes with --full (incremental runs always keep it)")
    if keep_model and retrain:
        raise click.UsageError("--retrain replaces the model: it cannot go with --keep-model")
    if force and not retrain:
        raise click.UsageError("--force goes with --retrain")
    if sensitivity and (full or retrain or threshold is not None or backend is not None):
        raise click.UsageError(
            "--sensitivity links nothing: it takes no --full, --retrain, --threshold or --backend"
        )
    if thresholds is not None and not sensitivity:
        raise click.UsageError("--thresholds goes with --sensitivity")
    engine = register(database)
    with steps() as step:
        if sensitivity:
            result: Any = _sensitivity(engine, thresholds, step)
        else:
            # A run overtaken by another (VM306) or a backend that cannot run (VM34x): coded
            # problems, printed by the command group as every command's.
            result = link_register(
                engine,
                threshold=threshold,
                full=full or retrain,
                retrain=retrain,
                force=force,
                backend=backend or "duckdb",
                progress=step,
            )
    if getattr(result, "mode", None) == "nothing":
        from victim_monitor.linkage.link import NOTHING_TO_LINK

        said = "the register holds no reports: import submissions first (victim-monitor import)"
        failed([NOTHING_TO_LINK(said)], as_json)
    if as_json:
        print_json(result.as_dict())
    else:
        click.echo(result.summary())


def _sensitivity(engine: Any, thresholds: str | None, step: Step) -> Any:
    from victim_monitor.linkage import sensitivity

    try:
        chosen = None if thresholds is None else tuple(float(t) for t in thresholds.split(","))
        return sensitivity(engine, chosen, progress=step)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--thresholds") from exc
