"""Bring a register's schema up to date with Alembic (``victim-monitor db upgrade``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "victim_monitor.storage:migrations")
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` in one transaction."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def erase(engine: Engine) -> None:
    """Undo every migration: the register's tables, triggers and data are gone (the demo's
    ``--reset``; the audit trail goes with them)."""
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")


def current_revision(engine: Engine) -> str | None:
    """The revision the register is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def known_revisions() -> frozenset[str]:
    """Every revision this version's migrations know (a backup's must be one of them)."""
    return frozenset(r.revision for r in ScriptDirectory.from_config(_config()).walk_revisions())
