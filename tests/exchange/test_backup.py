"""``backup`` and ``restore``: a restored register publishes the same bytes, on SQLite and
PostgreSQL; a damaged, newer or misdirected backup and a target that holds data are refused
before anything is written."""

from __future__ import annotations

import json
import sqlite3
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_URL, _postgres_admin
from victim_monitor.cli import main
from victim_monitor.exchange import ExchangeError, backup, pgdump, restore
from victim_monitor.publication.run import publish
from victim_monitor.registry.register import open_register
from victim_monitor.storage import connect
from victim_monitor.storage.codes import DatabaseError
from victim_monitor.storage.schema import reports

YEARS = (2017, 2018)


@pytest.fixture
def fresh(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind to restore into (PostgreSQL: made and dropped),
    whose search path names the source's schema."""
    if database_url.startswith("sqlite"):
        (tmp_path / "restored").mkdir()
        yield f"sqlite:///{tmp_path / 'restored' / 'register.db'}"
        return
    admin = _postgres_admin()
    name = f"vm_restore_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    query = make_url(database_url).query
    url = make_url(POSTGRES_URL).set(database=name, query=query)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))
        admin.dispose()


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_restored_register_publishes_byte_identical_files(
    linked: Engine, database_url: str, fresh: str, tmp_path: Path
) -> None:
    before = publish(linked, YEARS, tmp_path / "before").out
    made = backup(database_url, tmp_path / "register.backup")
    assert made.manifest["counts"]["reports"] > 100
    restored = restore(tmp_path / "register.backup", fresh)
    assert restored.manifest["sha256"] == made.manifest["sha256"]
    engine = open_register(fresh, create=False)
    try:
        after = publish(engine, YEARS, tmp_path / "after").out
    finally:
        engine.dispose()
    assert _files(after) == _files(before)
    assert len(_files(before)) > 5


def test_a_target_that_holds_data_is_replaced_only_with_force(
    linked: Engine, database_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "register.backup"
    backup(database_url, file)
    with linked.begin() as conn:  # changed after the backup: the restore must undo it
        conn.execute(reports.update().values(sector="other"))
    with pytest.raises(ExchangeError) as refused:
        restore(file, database_url)
    assert refused.value.problems[0].code == "VM917"
    with linked.connect() as conn:
        assert conn.scalar(select(func.count()).where(reports.c.sector != "other")) == 0
    restore(file, database_url, force=True)
    engine = connect(database_url)
    try:
        with engine.connect() as conn:
            kept = conn.scalar(select(func.count()).where(reports.c.sector != "other"))
        assert kept is not None
        assert kept > 0
    finally:
        engine.dispose()


def _rewrite(file: Path, out: Path, **changes: Any) -> Path:
    """The backup with manifest fields changed (its payload's hash kept valid unless the
    payload is changed too)."""
    with zipfile.ZipFile(file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        payload = archive.read(manifest["payload"])
    damage = changes.pop("damage", False)
    if damage:
        payload = payload[:5000] + bytes([payload[5000] ^ 0xFF]) + payload[5001:]
    manifest.update(changes)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        archive.writestr(manifest["payload"], payload)
    return out


@pytest.fixture
def sqlite_backup(tmp_path: Path) -> Path:
    """A backup of a small SQLite register."""
    url = f"sqlite:///{tmp_path / 'source.db'}"
    open_register(url).dispose()
    return backup(url, tmp_path / "source.backup").out


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"damage": True}, "VM915"),
        ({"revision": "0999"}, "VM916"),
        ({"version": 2}, "VM916"),
        ({"format": "something-else"}, "VM915"),
        ({"counts": {"reports": 12}}, "VM915"),
        ({"database": "postgresql", "payload": "register.pgdump"}, "VM918"),
    ],
)
def test_a_backup_that_cannot_be_trusted_is_refused_before_anything_is_written(
    sqlite_backup: Path, tmp_path: Path, changes: dict[str, Any], code: str
) -> None:
    if changes.get("payload") == "register.pgdump":  # the payload under its manifest's name
        with zipfile.ZipFile(sqlite_backup) as archive:
            data = archive.read("register.sqlite")
        with zipfile.ZipFile(tmp_path / "pg.backup", "w") as archive:
            manifest = json.loads(zipfile.ZipFile(sqlite_backup).read("manifest.json"))
            archive.writestr("manifest.json", json.dumps({**manifest, **changes}))
            archive.writestr("register.pgdump", data)
        bad = tmp_path / "pg.backup"
    else:
        bad = _rewrite(sqlite_backup, tmp_path / "bad.backup", **changes)
    target = tmp_path / "target.db"
    with pytest.raises(ExchangeError) as refused:
        restore(bad, f"sqlite:///{target}")
    assert refused.value.problems[0].code == code
    assert not target.exists()


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("not a zip", "utf-8")
    with pytest.raises(ExchangeError) as refused:
        restore(file, f"sqlite:///{tmp_path / 'target.db'}")
    assert refused.value.problems[0].code == "VM915"


def test_a_backup_is_never_overwritten_and_is_private(sqlite_backup: Path, tmp_path: Path) -> None:
    assert sqlite_backup.stat().st_mode & 0o077 == 0
    before = sqlite_backup.read_bytes()
    with pytest.raises(ExchangeError) as refused:
        backup(f"sqlite:///{tmp_path / 'source.db'}", sqlite_backup)
    assert refused.value.problems[0].code == "VM912"
    assert sqlite_backup.read_bytes() == before


def test_a_sqlite_backup_is_consistent_while_another_connection_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    open_register(url).dispose()
    writer = sqlite3.connect(tmp_path / "source.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        "DELETE FROM organisations WHERE code NOT IN (SELECT organisation_code FROM web_users)"
    )
    try:
        made = backup(url, tmp_path / "b.backup")  # not blocked by the open write
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert made.manifest["counts"]["organisations"] == 14  # what was committed


def test_missing_client_programs_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgdump, "_PLACES", ())
    monkeypatch.setattr("victim_monitor.exchange.pgdump.shutil.which", lambda _name: None)
    with pytest.raises(ExchangeError) as missing:
        pgdump.program("pg_dump", 15)
    problem = missing.value.problems[0]
    assert problem.code == "VM913"
    assert "postgresql-client-15" in problem.message


def test_a_file_that_is_no_database_is_a_coded_problem(tmp_path: Path) -> None:
    source = tmp_path / "register.db"
    source.write_bytes(b"this is not a SQLite database" * 200)
    with pytest.raises(DatabaseError) as failed:
        backup(f"sqlite:///{source}", tmp_path / "b.backup")
    assert failed.value.problems[0].code == "VM902"
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.postgres
def test_a_postgresql_backup_needs_its_schema_on_the_search_path(tmp_path: Path) -> None:
    admin = _postgres_admin()
    schema = f"vm_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    source = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        open_register(source).dispose()
        made = backup(source, tmp_path / "pg.backup")
        assert made.manifest["schema"] == schema
        with pytest.raises(ExchangeError) as refused:
            restore(tmp_path / "pg.backup", POSTGRES_URL)  # search path: "$user", public
        problem = refused.value.problems[0]
        assert problem.code == "VM918"
        assert f"options=-csearch_path%3D{schema}" in problem.message
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_the_password_goes_to_pg_dump_in_its_environment_not_on_the_command_line() -> None:
    url = make_url("postgresql+psycopg://monitor:s3cret-pass@db.internal:5433/register")
    address, env = pgdump._conninfo(url.set(query={"options": "-csearch_path=reg"}))
    assert address == "postgresql://monitor@db.internal:5433/register?options=-csearch_path%3Dreg"
    assert env["PGPASSWORD"] == "s3cret-pass"


def test_the_commands_round_trip_and_report_problems_as_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    open_register(url).dispose()
    runner = CliRunner()
    file = tmp_path / "r.backup"
    made = runner.invoke(main, ["backup", "--out", str(file), "--database", url, "--json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.stdout)["manifest"]["database"] == "sqlite"
    target = f"sqlite:///{tmp_path / 'target.db'}"
    first = runner.invoke(main, ["restore", str(file), "--database", target])
    assert first.exit_code == 0, first.output
    again = runner.invoke(main, ["restore", str(file), "--database", target, "--json"])
    assert again.exit_code == 2
    assert json.loads(again.stderr)["problems"][0]["code"] == "VM917"
    forced = runner.invoke(main, ["restore", str(file), "--database", target, "--force"])
    assert forced.exit_code == 0, forced.output
    assert "restored" in forced.stdout
