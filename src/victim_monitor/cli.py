"""The ``victim-monitor`` command: thin commands over the library.

Each command parses its options, calls one library function and prints the result (text for
people, ``--json`` for programs). Exit status: 0 success, 1 the input was rejected, 2 usage.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import click

from victim_monitor import __version__
from victim_monitor.config import CONFIG_FILE, ConfigError, apply_config_file
from victim_monitor.problems import Problem, ProblemError
from victim_monitor.terminal import (
    counter,
    database_option,
    json_option,
    note,
    settings,
    steps,
)


def _database(url: str | None) -> str:
    return url or settings().database_url


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


class _Stopped(click.ClickException):
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


class _Misconfigured(_Stopped):
    """The configuration or the database address is wrong (VM9xx): a usage error, as click's."""

    exit_code = 2


class _FailedAsJson(click.ClickException):
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


class _UsageAsJson(_FailedAsJson):
    exit_code = 2


class _LazyGroup(click.Group):
    """Commands that live in their stage's package are imported only when they are run.

    Importing every stage (the web app, Altair, Typst, statsmodels) for ``--help`` or a
    ``status`` costs seconds; a command's module is imported when that command is chosen.
    """

    LAZY: ClassVar[dict[str, str]] = {
        "audit": "victim_monitor.web.audit_command:audit",
        "backup": "victim_monitor.exchange.command:backup_command",
        "export": "victim_monitor.exchange.command:export_command",
        "factsheet": "victim_monitor.reporting.command:factsheet",
        "programme": "victim_monitor.programme.cli:programme",
        "publish": "victim_monitor.publication.command:publish_command",
        "restore": "victim_monitor.exchange.command:restore_command",
        "serve": "victim_monitor.web.serve:serve",
        "token": "victim_monitor.web.token_command:token",
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
            raise (_Misconfigured if usage else _Stopped)(exc, as_json) from exc
        except click.ClickException as exc:
            if not as_json or isinstance(exc, _Stopped | _FailedAsJson):
                raise
            raise (_UsageAsJson if exc.exit_code == 2 else _FailedAsJson)(exc) from exc

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, _, attribute = self.LAZY[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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


# --- organisations' side -------------------------------------------------------------------


@main.command()
@click.option(
    "--out", "out", type=click.Path(path_type=Path), required=True, help="Key file to create."
)
def keygen(out: Path) -> None:
    """Make a pseudonymisation key (held by the organisations, never by the register)."""
    from victim_monitor.pseudonymise import KeyExistsError, KeyFileError, generate_key, write_key

    key = generate_key()
    try:
        write_key(key, out)
    except KeyExistsError as exc:
        raise click.ClickException(f"{out} exists; a key is never overwritten") from exc
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"wrote key {key.key_id} to {out} (keep it secret; share it only with "
        "organisations that report to the same register)"
    )


def _parse_map(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        raw, sep, standard = pair.partition("=")
        if not sep or not raw.strip() or not standard.strip():
            raise click.BadParameter(f"{pair!r}: write --map raw_column=standard_column")
        mapping[raw.strip()] = standard.strip()
    return mapping


@main.command()
@click.argument("raw", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--key-file", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="Submission to write (.csv, .jsonl or .json).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="RAW=STANDARD",
    help="Read column RAW as the standard column STANDARD (repeatable).",
)
@json_option
def encode(raw: Path, key_file: Path, out: Path, maps: tuple[str, ...], as_json: bool) -> None:
    """Turn a raw file with clear names into a pseudonymised submission."""
    from victim_monitor.pseudonymise import KeyFileError, encode_file, read_key

    try:
        key = read_key(key_file)
    except KeyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    with counter(f"encoding {raw.name}") as progress:
        try:
            result = encode_file(raw, key, out, column_map=_parse_map(maps), progress=progress)
        except ValueError as exc:  # the output would overwrite the input, or cannot be made
            raise click.ClickException(str(exc)) from exc
    if as_json:
        _print_json(result.as_dict())
    else:
        click.echo(result.head())
        for line in result.problem_lines():  # problems on standard error, each kind once
            click.echo(line, err=True)
    if not result.ok:
        sys.exit(1)


# --- the register ---------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Manage the register's database."""


@db.command("upgrade")
@database_option
def db_upgrade(database: str | None) -> None:
    """Create or migrate the register's schema to the current version."""
    from victim_monitor.registry.register import open_register
    from victim_monitor.storage.migrate import current_revision

    engine = open_register(_database(database))
    click.echo(f"register at revision {current_revision(engine)}")


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--organisation", required=True, help="Code of the sending organisation.")
@click.option("--dry-run", is_flag=True, help="Check, and count what would change; write nothing.")
@click.option(
    "--allow-key",
    metavar="KEY_ID",
    help="Accept a file encoded with this key although earlier submissions used another.",
)
@database_option
@json_option
def import_(
    file: Path,
    organisation: str,
    dry_run: bool,
    allow_key: str | None,
    database: str | None,
    as_json: bool,
) -> None:
    """Check a submission and add its reports to the register (all or nothing)."""
    from victim_monitor.registry.intake import import_submission
    from victim_monitor.registry.register import open_register
    from victim_monitor.storage import connect
    from victim_monitor.storage.engine import has_register, shown_url

    url = _database(database)
    probe = connect(url)
    made = not has_register(probe)
    probe.dispose()
    engine = open_register(url, settings().organisations_file)
    if made:
        note(f"made a new register at {shown_url(url)}")
    with counter(f"importing {file.name}") as progress:
        result = import_submission(
            engine, file, organisation, dry_run=dry_run, progress=progress, allow_key=allow_key
        )
    if as_json:
        _print_json(result.as_dict())
    else:
        click.echo(result.head())
        for line in result.problem_lines():  # problems on standard error, each kind once
            click.echo(line, err=True)
    if not result.ok:
        sys.exit(1)


@main.command()
@database_option
@json_option
def status(database: str | None, as_json: bool) -> None:
    """What the register holds: organisations, submissions, reports by year and organisation."""
    from victim_monitor.linkage import linkage_status
    from victim_monitor.registry.register import open_register
    from victim_monitor.registry.status import register_status

    engine = open_register(_database(database), settings().organisations_file, create=False)
    result = register_status(engine)
    linked = linkage_status(engine)
    if as_json:
        _print_json(result.as_dict() | {"linkage": linked.as_dict()})
    else:
        click.echo(result.summary())
        click.echo(linked.summary())


@main.command()
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


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Directory for raw/ and truth/.",
)
@click.option("--seed", type=int, default=2019, show_default=True)
@click.option("--scale", type=float, default=1.0, show_default=True)
@click.option(
    "--years", default="2014-2018", show_default=True, help="A year or a range FIRST-LAST."
)
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


@main.command()
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
        _failed(parsed, as_json)
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
        _failed([exc.problem], as_json)
    click.echo(result.to_json(indent=2) if as_json else result.summary())


def _failed(problems: Sequence[Problem], as_json: bool) -> NoReturn:
    """Coded problems on standard error (JSON under ``--json``), exit 1."""
    raise _Stopped(ProblemError(list(problems)), as_json)


@main.command()
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
    from victim_monitor.linkage import BackendError, ConcurrentRunError, link_register
    from victim_monitor.registry.register import open_register

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
    engine = open_register(_database(database), settings().organisations_file, create=False)
    with steps() as step:
        if sensitivity:
            result: Any = _sensitivity(engine, thresholds, step)
        else:
            try:
                result = link_register(
                    engine,
                    threshold=threshold,
                    full=full or retrain,
                    retrain=retrain,
                    force=force,
                    backend=backend or "duckdb",
                    progress=step,
                )
            except (ConcurrentRunError, BackendError) as exc:
                raise click.ClickException(str(exc)) from exc
    if getattr(result, "mode", None) == "nothing":
        from victim_monitor.linkage.link import NOTHING_TO_LINK

        said = "the register holds no reports: import submissions first (victim-monitor import)"
        _failed([NOTHING_TO_LINK(said)], as_json)
    if as_json:
        _print_json(result.as_dict())
    else:
        click.echo(result.summary())


def _sensitivity(engine: Any, thresholds: str | None, step: Callable[[str, int, int], None]) -> Any:
    from victim_monitor.linkage import sensitivity

    try:
        chosen = None if thresholds is None else tuple(float(t) for t in thresholds.split(","))
        return sensitivity(engine, chosen, progress=step)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--thresholds") from exc


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


@main.group(invoke_without_command=True)
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
        ReviewError,
        ReviewPair,
        decide_reports,
        record_decision,
        review_pair,
        review_queue,
    )
    from victim_monitor.registry.register import open_register

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
    engine = open_register(_database(database), settings().organisations_file, create=False)
    try:
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
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        _print_json([p.as_dict() for p in pairs])
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
