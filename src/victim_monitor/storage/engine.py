"""Engines for the register: a SQLite file by default, PostgreSQL for multi-user use.

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed import survives power loss) and
foreign keys on; PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    parsed = make_url(url)
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
