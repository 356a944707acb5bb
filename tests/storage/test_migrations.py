"""The migrated schema is exactly the declared one, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, text

from victim_monitor.storage import connect, upgrade
from victim_monitor.storage.migrate import HEAD, current_revision, head_revision, is_current
from victim_monitor.storage.schema import metadata


def test_migrations_produce_the_declared_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    assert current_revision(engine) == head_revision()


def test_the_head_written_in_the_code_is_alembics_head(engine: Engine) -> None:
    # open_register skips Alembic (and its import) when the register is at HEAD.
    assert head_revision() == HEAD
    assert is_current(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0007'"))
    assert not is_current(engine)


def test_an_empty_database_is_not_current(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert not is_current(connect(f"sqlite:///{tmp_path / 'empty.db'}"))


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()


def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = connect(f"sqlite:///{tmp_path / 'r.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_postgresql_urls_use_psycopg3() -> None:
    from victim_monitor.storage import normalise_url

    assert normalise_url("postgresql://u@h/db").startswith("postgresql+psycopg://")
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
