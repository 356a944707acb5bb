"""Engines for the register: a SQLite file by default, PostgreSQL for multi-user use.

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed import survives power loss) and
foreign keys on; PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from victim_monitor.storage.codes import NO_REGISTER, UNREACHABLE, URL_INVALID, DatabaseError

BACKENDS = ("sqlite", "postgresql")
EXAMPLES = "a SQLite file is sqlite:///path/register.db, PostgreSQL postgresql://user@host/database"


def check_url(url: str) -> URL:
    """``url`` parsed, if it is a SQLite or PostgreSQL URL (VM901 otherwise; a password in it
    is never repeated)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        hint = " (a file path? write sqlite:/// before it)" if "://" not in url else ""
        shown = url if "@" not in url else url.split("@")[-1]
        raise DatabaseError(
            [URL_INVALID(f"{shown[:80]!r} is not a database URL{hint}: {EXAMPLES}")]
        ) from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise DatabaseError(
            [URL_INVALID(f"{backend} is not supported, only SQLite and PostgreSQL: {EXAMPLES}")]
        )
    return parsed


def in_memory(url: str | URL) -> bool:
    """Whether ``url`` is a SQLite database in memory: one connection, no file, no pool to
    size."""
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")


def shown_url(url: str | URL) -> str:
    """The URL as it may be shown: without its password."""
    return make_url(url).render_as_string(hide_password=True)


def unreachable(exc: DBAPIError, url: str | URL) -> DatabaseError:
    """VM902 for a database that refused or failed to open: the driver's first line."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
    if "unable to open database file" in reason:
        reason += " (does its directory exist, and may it be written?)"
    return DatabaseError([UNREACHABLE(f"{shown_url(url)}: {reason}")])


def has_register(engine: Engine) -> bool:
    """Whether ``engine`` holds a register: a SQLite file that exists, a database with the
    register's tables (VM902 if it cannot be opened to tell)."""
    database = engine.url.database
    if engine.dialect.name == "sqlite":
        return not database or database == ":memory:" or Path(database).is_file()
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table("alembic_version")
    except DBAPIError as exc:
        raise unreachable(exc, engine.url) from exc


def require_register(engine: Engine) -> None:
    """VM903 unless ``engine`` holds a register: a mistyped address does not silently make a
    new, empty register."""
    if not has_register(engine):
        missing = "no such file" if engine.dialect.name == "sqlite" else "no register tables"
        raise DatabaseError([NO_REGISTER(f"{shown_url(engine.url)}: {missing}; {_MAKE}")])


_MAKE = "check the address, or make a register with `victim-monitor db upgrade --database URL`"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    parsed = check_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that DDL
    # (temporary staging tables) is transactional too; see _sqlite_begin.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Connection) -> None:
    # ``BEGIN IMMEDIATE`` takes the write lock up front, so a writer never finds after
    # reading that another writer got there first (SQLITE_BUSY without waiting).
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def connect(url: str, **kwargs: Any) -> Engine:
    """An engine for the register at ``url`` (no I/O until first use)."""
    engine = create_engine(normalise_url(url), **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine
