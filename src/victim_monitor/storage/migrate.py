"""Bring a register's schema up to date with Alembic (``victim-monitor db upgrade``).

Alembic is imported only when a register needs migrating: importing it takes a quarter of a
second or more, which a command on an up-to-date register (most imports) need not pay.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

#: The newest migration's revision (``tests/storage/test_migrations.py`` checks it against
#: Alembic's head, so a new migration cannot be forgotten here).
HEAD = "0008"


def is_current(engine: Engine) -> bool:
    """Whether the register's schema is at :data:`HEAD` (False for an empty database)."""
    try:
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version"))
            return [row[0] for row in revision] == [HEAD]
    except DBAPIError:  # no such table (or no database: upgrade says which)
        return False


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "victim_monitor.storage:migrations")
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` in one transaction."""
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def erase(engine: Engine) -> None:
    """Undo every migration: the register's tables, triggers and data are gone (the demo's
    ``--reset``; the audit trail goes with them)."""
    from alembic import command

    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def current_revision(engine: Engine) -> str | None:
    """The revision the register is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def known_revisions() -> frozenset[str]:
    """Every revision this version's migrations know (a backup's must be one of them)."""
    from alembic.script import ScriptDirectory

    return frozenset(r.revision for r in ScriptDirectory.from_config(_config()).walk_revisions())
