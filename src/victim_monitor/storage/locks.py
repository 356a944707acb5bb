"""Write transactions that exclude each other: where SQLite and PostgreSQL lock differently.

SQLite has one writer at a time: ``BEGIN IMMEDIATE`` takes the database's write lock when the
transaction starts, so one that reads and then writes never finds that another writer got there
first (SQLITE_BUSY without waiting). PostgreSQL lets writers run side by side; a named
transaction-level advisory lock makes the writers of one thing (the audit chain's tail, a
programme's records) take turns, while everyone else runs beside them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text


def lock_id(name: str) -> int:
    """A stable signed 64-bit advisory lock id for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[Connection]:
    """A write transaction, committed when the block ends (rolled back if it raises), that no
    other ``exclusive(engine, name)`` runs beside. ``conn.rollback()`` inside undoes it."""
    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id(name)})
        yield conn
