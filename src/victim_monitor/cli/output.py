"""What commands print: results as text or ``--json`` on standard output, failures on standard
error (as JSON too under ``--json``), with the exit status the command line promises.

Exit status: 0 success, 1 the input was rejected (coded problems), 2 usage (VM9xx included).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

import click

from victim_monitor.problems import Problem, ProblemError


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def echo_result(result: Any, as_json: bool) -> None:
    """A result value: its ``as_dict()`` under ``--json``, else its ``summary()``."""
    if as_json:
        print_json(result.as_dict())
    else:
        click.echo(result.summary())


def echo_checked(result: Any, as_json: bool) -> None:
    """A result with ``ok``, as :func:`echo_result`; exit 1 when it was rejected."""
    echo_result(result, as_json)
    if not result.ok:
        sys.exit(1)


def echo_file_result(result: Any, as_json: bool) -> None:
    """A checked file's result (encode, import): its head on standard output, its problems on
    standard error, each kind once (all as JSON under ``--json``); exit 1 when rejected."""
    if as_json:
        print_json(result.as_dict())
    else:
        click.echo(result.head())
        for line in result.problem_lines():
            click.echo(line, err=True)
    if not result.ok:
        sys.exit(1)


class Stopped(click.ClickException):
    """A command stopped by coded problems: each on standard error, as JSON under ``--json``."""

    def __init__(self, error: ProblemError, as_json: bool) -> None:
        super().__init__(str(error))
        self.problems = error.problems
        self.as_json = as_json

    def show(self, file: Any = None) -> None:
        if self.as_json:
            payload = {"ok": False, "problems": [p.as_dict() for p in self.problems]}
            click.echo(json.dumps(payload, indent=2, ensure_ascii=False), err=True)
            return
        for problem in self.problems:
            click.echo(str(problem), err=True)


class Misconfigured(Stopped):
    """The configuration or the database address is wrong (VM9xx): a usage error, as click's."""

    exit_code = 2


class FailedAsJson(click.ClickException):
    """A failure without a coded problem (click's own, or a command's message), under --json:
    ``{"ok": false, "problems": [...]}`` on standard error, as coded ones are."""

    def __init__(self, error: click.ClickException) -> None:
        super().__init__(error.format_message())
        found = getattr(error.__cause__, "problems", None)
        self.problems: list[dict[str, Any]] = (
            [p.as_dict() for p in found]
            if found
            else [{"code": None, "severity": "error", "message": error.format_message()}]
        )

    def show(self, file: Any = None) -> None:
        payload = {"ok": False, "problems": self.problems}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False), err=True)


class UsageAsJson(FailedAsJson):
    exit_code = 2


def failed(problems: Sequence[Problem], as_json: bool) -> NoReturn:
    """Coded problems on standard error (JSON under ``--json``), exit 1."""
    raise Stopped(ProblemError(list(problems)), as_json)
