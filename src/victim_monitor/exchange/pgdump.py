"""PostgreSQL's own tools for a backup: ``pg_dump --format=custom`` and ``pg_restore``.

The programs of the server's major version are looked for first where distributions install
them side by side (``/usr/lib/postgresql/15/bin``), then on ``PATH``; one older than the
server (or than the dump, for ``pg_restore``) is refused, since it cannot read it. The
password goes to them in ``PGPASSWORD``, never on the command line (which ``ps`` shows).

Only the register's schema is dumped (``current_schema()`` of the address: ``public``, or the
one ``?options=-csearch_path%3D...`` names), and it is restored into the schema of that name,
in one transaction (``--single-transaction``): all or nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import URL, Engine, text

from victim_monitor.exchange.codes import CLIENT_FAILED, NO_CLIENT, ExchangeError

_PLACES = (
    "/usr/lib/postgresql/{major}/bin",  # Debian, Ubuntu
    "/usr/pgsql-{major}/bin",  # RHEL, Fedora (PGDG)
    "/opt/homebrew/opt/postgresql@{major}/bin",  # macOS, Homebrew
    "/usr/local/opt/postgresql@{major}/bin",
    "C:/Program Files/PostgreSQL/{major}/bin",
)
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")
_SHOWN_LINES = 3


def server_major(engine: Engine) -> int:
    with engine.connect() as conn:
        number = int(conn.execute(text("SHOW server_version_num")).scalar_one())
    return number // 10000


def current_schema(engine: Engine) -> str | None:
    with engine.connect() as conn:
        found = conn.execute(text("SELECT current_schema()")).scalar()
    return None if found is None else str(found)


def program(name: str, major: int) -> tuple[Path, int]:
    """``pg_dump`` or ``pg_restore`` of at least version ``major``, and its version (VM913)."""
    candidates = [Path(p.format(major=major)) / name for p in _PLACES]
    on_path = shutil.which(name)
    if on_path is not None:
        candidates.append(Path(on_path))
    seen = []
    for path in candidates:
        if not path.is_file():
            continue
        version = _version(path)
        if version is not None and version >= major:
            return path, version
        seen.append(f"{path} is version {version}")
    found = f" ({'; '.join(seen)})" if seen else ""
    said = (
        f"{name} of PostgreSQL {major} or later is needed{found}: install the client programs "
        f"of the server's version (Debian/Ubuntu: apt install postgresql-client-{major})"
    )
    raise ExchangeError([NO_CLIENT(said)])


def _version(path: Path) -> int | None:
    try:
        done = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION.search(done.stdout)
    return int(match.group(1)) if match else None


def _conninfo(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq address without the password, and the environment that carries it."""
    bare = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return bare.render_as_string(hide_password=False), env


def run(tool: Path, args: list[str], url: URL) -> str:
    """Run ``tool`` on the database at ``url``; its output, or VM914 with its first lines."""
    address, env = _conninfo(url)
    try:
        done = subprocess.run(
            [str(tool), *args, f"--dbname={address}"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    except OSError as exc:
        raise ExchangeError([CLIENT_FAILED(f"{tool.name}: {exc}")]) from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()][:_SHOWN_LINES]
        said = f"{tool.name} exited with status {done.returncode}: " + " / ".join(lines)
        raise ExchangeError([CLIENT_FAILED(said)])
    return done.stdout


def dump(engine: Engine, schema: str, out: Path, snapshot: str) -> int:
    """The register's schema in ``pg_dump``'s custom format into ``out``, as the exported
    ``snapshot`` sees it (consistent while the server keeps writing); the client's version."""
    tool, version = program("pg_dump", server_major(engine))
    args = ["--format=custom", f"--schema={_ident(schema)}", f"--snapshot={snapshot}"]
    run(tool, [*args, f"--file={out}"], engine.url)
    return version


def restore(engine: Engine, schema: str, payload: Path, dumped_by: int) -> None:
    """Restore ``payload`` into ``schema`` (which must be empty) in one transaction."""
    tool, _ = program("pg_restore", max(server_major(engine), dumped_by))
    listing = _listing(tool, payload)
    kept = [line for line in listing.splitlines() if not _is_schema_entry(line, schema)]
    chosen = payload.with_name("restore.list")
    chosen.write_text("\n".join(kept) + "\n", "utf-8")
    with engine.begin() as conn:  # the schema itself may exist already (public always does)
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {_ident(schema)}"))
    args = [
        "--no-owner",
        "--no-acl",
        "--exit-on-error",
        "--single-transaction",
        f"--use-list={chosen}",
        str(payload),
    ]
    run(tool, args, engine.url)


def _listing(tool: Path, payload: Path) -> str:
    try:
        done = subprocess.run(
            [str(tool), "--list", str(payload)], capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise ExchangeError([CLIENT_FAILED(f"{tool.name}: {exc}")]) from exc
    if done.returncode != 0:
        said = f"{tool.name} --list: " + " / ".join(done.stderr.splitlines()[:_SHOWN_LINES])
        raise ExchangeError([CLIENT_FAILED(said)])
    return done.stdout


def _is_schema_entry(line: str, schema: str) -> bool:
    """The dump's ``CREATE SCHEMA`` and its comment: made (if need be) before the restore."""
    return bool(re.search(rf"\b(SCHEMA - |COMMENT - SCHEMA ){re.escape(schema)}\b", line))


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def empty_schema(engine: Engine, schema: str) -> None:
    """Drop every table, view, sequence, function and type in ``schema`` (restore --force),
    keeping the schema itself with its owner and grants."""
    queries = (
        "SELECT 'DROP TABLE IF EXISTS ' || quote_ident(schemaname) || '.' || quote_ident("
        "tablename) || ' CASCADE' FROM pg_tables WHERE schemaname = :s",
        "SELECT 'DROP VIEW IF EXISTS ' || quote_ident(schemaname) || '.' || quote_ident("
        "viewname) || ' CASCADE' FROM pg_views WHERE schemaname = :s",
        "SELECT 'DROP SEQUENCE IF EXISTS ' || quote_ident(sequence_schema) || '.' || "
        "quote_ident(sequence_name) || ' CASCADE' FROM information_schema.sequences "
        "WHERE sequence_schema = :s",
        "SELECT 'DROP FUNCTION IF EXISTS ' || quote_ident(n.nspname) || '.' || "
        "quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ') "
        "CASCADE' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        "WHERE n.nspname = :s",
        "SELECT 'DROP TYPE IF EXISTS ' || quote_ident(n.nspname) || '.' || quote_ident("
        "t.typname) || ' CASCADE' FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = :s AND t.typtype IN ('e', 'd')",
    )
    with engine.begin() as conn:
        for query in queries:
            for (statement,) in conn.execute(text(query), {"s": schema}).all():
                conn.execute(text(statement))


def tables_in(engine: Engine, schema: str) -> int:
    with engine.connect() as conn:
        query = text("SELECT count(*) FROM pg_tables WHERE schemaname = :s")
        return int(conn.execute(query, {"s": schema}).scalar_one())


def on_search_path(engine: Engine, schema: str) -> bool:
    """Whether the address's ``search_path`` names ``schema`` (existing or not yet)."""
    with engine.connect() as conn:
        path = str(conn.execute(text("SHOW search_path")).scalar_one())
        user = str(conn.execute(text("SELECT current_user")).scalar_one())
    names = [n.strip().strip('"') for n in path.split(",")]
    return schema in [user if n == "$user" else n for n in names]
