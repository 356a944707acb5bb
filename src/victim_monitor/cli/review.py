"""``victim-monitor review``: the pairs the linkage was unsure of (list, show, decide), over
:mod:`victim_monitor.linkage.review`."""

from __future__ import annotations

from typing import Any

import click

from victim_monitor.cli.options import database_option, json_option, register
from victim_monitor.cli.output import print_json
from victim_monitor.cli.progress import note


def _report_ref(text: str) -> tuple[str, str]:
    organisation, sep, case = text.partition(":")
    if not sep or not organisation or not case:
        raise click.BadParameter(
            f"{text!r}: give a report as ORGANISATION:CASE_REFERENCE", param_hint="ORG:CASE"
        )
    return organisation, case


_DECISION = (
    click.option("--same", "decision", flag_value="same", help="The two reports are one person."),
    click.option(
        "--different",
        "decision",
        flag_value="different",
        help="The two reports are different persons.",
    ),
    click.option("--reviewer", default="", help="Who decides (required to decide)."),
    click.option("--reason", default="", help="Why (kept with the decision)."),
)
_STATUS = click.option(
    "--status",
    "show",
    default="pending",
    show_default=True,
    type=click.Choice(["pending", "same", "different", "all"]),
    help="Which pairs to list.",
)


def _decision_options(command: Any) -> Any:
    for option in reversed(_DECISION):
        command = option(command)
    return command


@click.group(invoke_without_command=True)
@_STATUS
@click.option("--decide", "pair_id", type=int, default=None, hidden=True)
@click.option("--pair", "shown", type=int, default=None, hidden=True)
@click.option("--decide-reports", "reports", nargs=2, default=None, hidden=True)
@_decision_options
@database_option
@json_option
@click.pass_context
def review(
    ctx: click.Context,
    show: str,
    pair_id: int | None,
    shown: int | None,
    reports: tuple[str, str] | None,
    decision: str | None,
    reviewer: str,
    reason: str,
    database: str | None,
    as_json: bool,
) -> None:
    """Pairs of reports the linkage was unsure of: list, show one, decide.

    Without a subcommand, the pending pairs (as `review list`).
    """
    if ctx.invoked_subcommand is not None:
        return
    # The spellings of the first release, kept for one more (`review --pair N` and the like).
    old = {"--pair": shown, "--decide": pair_id, "--decide-reports": reports}
    used = [flag for flag, value in old.items() if value is not None]
    if used:
        new = {"--pair": "show N", "--decide": "decide N", "--decide-reports": "decide-reports"}
        note(
            f"`review {used[0]}` is now `review {new[used[0]]}`; the old spelling goes in the "
            "next release"
        )
    _review(
        database,
        as_json,
        show=show,
        pair_id=pair_id,
        shown=shown,
        reports=reports,
        decision=decision,
        reviewer=reviewer,
        reason=reason,
    )


@review.command("list")
@_STATUS
@database_option
@json_option
def review_list(show: str, database: str | None, as_json: bool) -> None:
    """List the pairs with their evidence (pending ones unless --status says otherwise)."""
    _review(database, as_json, show=show)


@review.command("show")
@click.argument("pair", type=int)
@database_option
@json_option
def review_show(pair: int, database: str | None, as_json: bool) -> None:
    """Show pair PAIR with its evidence and its decision history."""
    _review(database, as_json, shown=pair)


@review.command("decide")
@click.argument("pair", type=int)
@_decision_options
@database_option
@json_option
def review_decide(
    pair: int, decision: str | None, reviewer: str, reason: str, database: str | None, as_json: bool
) -> None:
    """Record a decision on pair PAIR of the queue."""
    _review(database, as_json, pair_id=pair, decision=decision, reviewer=reviewer, reason=reason)


@review.command("decide-reports")
@click.argument("left", metavar="ORG:CASE")
@click.argument("right", metavar="ORG:CASE")
@_decision_options
@database_option
@json_option
def review_decide_reports(
    left: str,
    right: str,
    decision: str | None,
    reviewer: str,
    reason: str,
    database: str | None,
    as_json: bool,
) -> None:
    """Record a decision on any two reports (ORGANISATION:CASE_REFERENCE), queued or not."""
    _review(
        database,
        as_json,
        reports=(left, right),
        decision=decision,
        reviewer=reviewer,
        reason=reason,
    )


def _review(
    database: str | None,
    as_json: bool,
    *,
    show: str = "pending",
    pair_id: int | None = None,
    shown: int | None = None,
    reports: tuple[str, str] | None = None,
    decision: str | None = None,
    reviewer: str = "",
    reason: str = "",
) -> None:
    """List uncertain pairs with their evidence, show one, or record a decision on one."""
    from victim_monitor.linkage import (
        ReviewPair,
        decide_reports,
        record_decision,
        review_pair,
        review_queue,
    )

    deciding = pair_id is not None or reports is not None
    if pair_id is not None and reports is not None:
        raise click.UsageError("use --decide or --decide-reports, not both")
    if shown is not None and deciding:
        raise click.UsageError("--pair shows a pair: it goes without --decide or --decide-reports")
    if deciding and decision is None:
        raise click.UsageError("a decision needs --same or --different")
    if decision is not None and not deciding:
        raise click.UsageError("--same and --different go with a decision on a pair")
    left, right = (_report_ref(reports[0]), _report_ref(reports[1])) if reports else (None, None)
    engine = register(database)
    # A refusal is a ReviewError (VM33x): coded problems, printed by the command group.
    if pair_id is not None and decision is not None:
        pairs: tuple[ReviewPair, ...] = (
            record_decision(engine, pair_id, decision, reviewer, reason),
        )
    elif left is not None and right is not None and decision is not None:
        pairs = (decide_reports(engine, left, right, decision, reviewer, reason),)
    elif shown is not None:
        pairs = (review_pair(engine, shown),)
    else:
        pairs = review_queue(engine, status=show)
    if as_json:
        print_json([p.as_dict() for p in pairs])
        return
    for pair in pairs:
        click.echo(pair.summary())
    if shown is not None:
        if not pairs[0].history:
            click.echo("no decision yet")
    elif not deciding:
        click.echo(
            f"{len(pairs)} pairs ({show}); decide with `review decide N --same|--different`, "
            "or any two reports with `review decide-reports ORG:CASE ORG:CASE`"
        )
    else:
        click.echo("recorded; the next victim-monitor link applies it")
