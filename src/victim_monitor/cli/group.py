"""The ``victim-monitor`` group: global options, the commands' table, and the one place where
failures become exit statuses.

Light commands are registered here; heavy ones (LAZY) are imported only when chosen. A coded
problem no command handled is printed once, here (VM9xx: usage, exit 2; others exit 1), and
under ``--json`` every failure is JSON on standard error.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, ClassVar

import click

from victim_monitor import __version__
from victim_monitor.cli.demo import demo
from victim_monitor.cli.estimate import estimate
from victim_monitor.cli.link import link
from victim_monitor.cli.output import FailedAsJson, Misconfigured, Stopped, UsageAsJson
from victim_monitor.cli.pseudonymise import encode, keygen
from victim_monitor.cli.registry import db, import_, status
from victim_monitor.cli.review import review
from victim_monitor.cli.synthetic import synthetic
from victim_monitor.config import CONFIG_FILE, ConfigError, apply_config_file
from victim_monitor.problems import ProblemError


class LazyGroup(click.Group):
    """Commands whose modules import heavy stages are imported only when they are run.

    Importing every stage (the web app, Altair, Typst, statsmodels) for ``--help`` or a
    ``status`` costs seconds; a LAZY command's module is imported when that command is chosen.
    """

    LAZY: ClassVar[dict[str, str]] = {
        "audit": "victim_monitor.cli.audit:audit",
        "backup": "victim_monitor.cli.exchange:backup_command",
        "export": "victim_monitor.cli.exchange:export_command",
        "factsheet": "victim_monitor.cli.factsheet:factsheet",
        "programme": "victim_monitor.cli.programme:programme",
        "publish": "victim_monitor.cli.publish:publish_command",
        "restore": "victim_monitor.cli.exchange:restore_command",
        "serve": "victim_monitor.cli.serve:serve",
        "token": "victim_monitor.cli.token:token",
    }
    #: Their lines in ``victim-monitor --help``, so that listing them imports none of them
    #: (add one with each LAZY command; a test checks each against the command's own help).
    SHORT_HELP: ClassVar[dict[str, str]] = {
        "audit": "The audit trail of the web workspace: verify it, and make checkpoints to "
        "keep elsewhere.",
        "backup": "Back up the whole register into one file, while the server runs.",
        "export": "Export the register's reports, persons and capture histories for analysts.",
        "factsheet": "Write the factsheet (HTML and PDF) from the published, protected tables.",
        "programme": "The programme register: measures, recommendations and their indicators.",
        "publish": "Publish protected tables, estimates, trends and findings for YEARS into OUT.",
        "restore": "Restore a backup into an empty database (or, with --force, over one).",
        "serve": "Serve the dashboard and the registry workspace (http://127.0.0.1:8000 by "
        "default).",
        "token": "API tokens with which organisations' systems submit files (POST "
        "/api/submissions).",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.SHORT_HELP:
                rows.append((name, self.SHORT_HELP[name]))
                continue
            command = self.get_command(ctx, name)  # a lazy one without its line: imported
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        as_json = "--json" in [*ctx._protected_args, *ctx.args]
        try:
            return super().invoke(ctx)
        except ProblemError as exc:  # coded problems no command handled: VM9xx and the like
            usage = all(p.code.startswith("VM9") for p in exc.problems)
            raise (Misconfigured if usage else Stopped)(exc, as_json) from exc
        except click.ClickException as exc:
            if not as_json or isinstance(exc, Stopped | FailedAsJson):
                raise
            raise (UsageAsJson if exc.exit_code == 2 else FailedAsJson)(exc) from exc

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, _, attribute = self.LAZY[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="victim-monitor")
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help=f"A TOML file of settings (default: ./{CONFIG_FILE} if there is one); the "
    "environment's VICTIM_MONITOR_* variables win over it.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bars or notes: results only.")
@click.option("--verbose", "-v", is_flag=True, help="Also the stages' log lines.")
def main(config: Path | None, quiet: bool, verbose: bool) -> None:
    """victim-monitor: a monitor of human-trafficking victims."""
    if quiet and verbose:
        raise click.UsageError("--quiet or --verbose, not both")
    try:
        apply_config_file(config)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")


for _command in (keygen, encode, db, import_, status, demo, synthetic, estimate, link, review):
    main.add_command(_command)
