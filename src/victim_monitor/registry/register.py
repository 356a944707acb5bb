"""Opening the register: connect, bring the schema up to date, load the organisations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from victim_monitor.registry.organisations import load_organisations, sync_organisations
from victim_monitor.storage import connect, upgrade
from victim_monitor.storage.engine import require_register, unreachable
from victim_monitor.storage.migrate import is_current
from victim_monitor.storage.schema import organisations


def open_register(
    url: str, organisations_file: Path | None = None, *, create: bool = True, **options: Any
) -> Engine:
    """An engine on an up-to-date register.

    Migrations are applied on open when the schema is behind (they are idempotent). The
    organisations come from ``organisations_file`` when given; otherwise the default Dutch
    mapping is loaded into an empty register, and a register that has organisations keeps
    them. ``create=False``: the register must exist (VM903), for commands that only read or
    add to one. Raises
    ``DatabaseError`` (VM901-VM903) for an address or database that cannot be used.
    ``options`` go to :func:`sqlalchemy.create_engine` (the web app sizes the pool).
    """
    engine = connect(url, **options)
    if not create:
        require_register(engine)
    try:
        if not is_current(engine):
            upgrade(engine)
        with engine.connect() as conn:
            empty = not conn.scalar(select(func.count()).select_from(organisations))
    except DBAPIError as exc:
        engine.dispose()
        raise unreachable(exc, engine.url) from exc
    if organisations_file is not None or empty:
        sync_organisations(engine, load_organisations(organisations_file))
    return engine
