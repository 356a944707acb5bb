"""``victim-monitor serve``: the web application's options into its settings, then
:func:`victim_monitor.web.serve.run`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from victim_monitor.cli.options import database_option
from victim_monitor.config import ConfigError

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on.")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes.")
@click.option(
    "--release",
    "release_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Published directory to show (default: $VICTIM_MONITOR_RELEASE_DIR or release).",
)
@database_option
@click.option(
    "--forwarded-allow-ips",
    "forwarded",
    metavar="IPS",
    help="Proxies (addresses or networks, comma-separated; '*' any) whose X-Forwarded-For "
    "gives the client's address (default: $VICTIM_MONITOR_FORWARDED_ALLOW_IPS, or none).",
)
def serve(
    host: str,
    port: int,
    workers: int,
    release_dir: Path | None,
    database: str | None,
    forwarded: str | None,
) -> None:
    """Serve the dashboard and the registry workspace (http://127.0.0.1:8000 by default)."""
    from victim_monitor.web import serve as serving
    from victim_monitor.web.settings import WebSettings, forwarded_allow_ips

    try:
        settings = WebSettings.from_env()
        changes: dict[str, object] = {}
        if forwarded is not None:
            changes["forwarded_allow_ips"] = forwarded_allow_ips(forwarded, "--forwarded-allow-ips")
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if database:
        changes["database_url"] = database
    if release_dir is not None:
        changes["release_dir"] = release_dir
    if host in LOOPBACK:
        # Plain HTTP on this machine only: a Secure cookie would not be kept by every client.
        changes["secure_cookies"] = False
    settings = dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
    click.echo(f"serving on http://{host}:{port}/ (Ctrl+C stops)")
    serving.run(settings, host, port, workers)
