"""Write transactions that exclude each other: where SQLite and PostgreSQL lock differently.

SQLite has one writer at a time: ``BEGIN IMMEDIATE`` takes the database's write lock when the
transaction starts, so one that reads and then writes never finds that another writer got there
first (SQLITE_BUSY without waiting). But a writer that finds the lock taken polls for it,
sleeping up to 100 ms between tries (SQLite's busy handler), so writers in two processes (two
web workers appending audit events) waited hundreds of milliseconds for a lock that was free
after a few. Writers through :func:`exclusive` therefore first queue on an OS lock beside the
database file (``flock``), which wakes the next one the moment it is released, and only then
take SQLite's lock. PostgreSQL lets writers run side by side; a named transaction-level
advisory lock makes the writers of one thing (the audit chain's tail, a programme's records)
take turns, queued by the server, while everyone else runs beside them.

Two more ways to write, for the callers that need them: :func:`write_connection` (a transaction
that holds SQLite's write lock from its start, as an import's does) and :func:`table_writer`
(no one else writes to a table meanwhile: a link run's hold on ``linkage_runs``). Outside
``storage/`` no module asks which database it runs on.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, text

from victim_monitor.storage.engine import in_memory

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's own busy handler alone
    fcntl = None  # type: ignore[assignment]


def lock_id(name: str) -> int:
    """A stable signed 64-bit advisory lock id for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def queue_file(engine: Engine) -> Path | None:
    """The file SQLite writers of ``engine`` queue on (None: not a SQLite file)."""
    if engine.dialect.name != "sqlite" or in_memory(engine.url):
        return None
    return Path(f"{engine.url.database}-writers")


@contextmanager
def _queued(engine: Engine) -> Iterator[None]:
    path = queue_file(engine)
    if path is None or fcntl is None:
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released when fd closes, also if the process dies
        yield
    finally:
        os.close(fd)


def write_connection(engine: Engine) -> Connection:
    """A connection whose transactions take SQLite's write lock as they begin (``BEGIN
    IMMEDIATE``, see ``engine._sqlite_begin``), so one that reads and then writes never finds
    another writer got there first; PostgreSQL's transactions begin as ever."""
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


@contextmanager
def table_writer(engine: Engine, table: Table) -> Iterator[Connection]:
    """A write transaction, committed when the block ends, in which no one else writes to
    ``table``: readers go on, writers (and another ``table_writer``) wait for the commit.

    SQLite has one writer at a time, from ``BEGIN IMMEDIATE``; PostgreSQL locks the table in
    SHARE ROW EXCLUSIVE mode, which conflicts with itself and with every write to it.
    """
    with write_connection(engine) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            name = conn.dialect.identifier_preparer.format_table(table)
            conn.execute(text(f"LOCK TABLE {name} IN SHARE ROW EXCLUSIVE MODE"))
        yield conn


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[Connection]:
    """A write transaction, committed when the block ends (rolled back if it raises), that no
    other ``exclusive(engine, name)`` runs beside. ``conn.rollback()`` inside undoes it."""
    with ExitStack() as stack:
        stack.enter_context(_queued(engine))
        conn = stack.enter_context(write_connection(engine))
        stack.enter_context(conn.begin())
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(name)})
        yield conn
