"""Bulk loading of rows, the one place where SQLite and PostgreSQL differ for speed.

SQLite takes ``executemany`` on the driver's cursor; PostgreSQL takes ``COPY ... FROM STDIN``
(psycopg 3), several times faster than multi-row INSERTs. Both run inside the caller's
transaction, so a rollback undoes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    """Append ``rows`` (tuples in ``columns`` order) to ``table`` in the open transaction."""
    if not rows:
        return
    names = ", ".join(columns)
    # The driver's own connection (sqlite3 or psycopg), beyond the DB-API typing.
    dbapi: Any = conn.connection.dbapi_connection
    assert dbapi is not None
    if conn.dialect.name == "postgresql":
        with dbapi.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    cursor = dbapi.cursor()
    try:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    finally:
        cursor.close()
