"""Shared fixtures: a fresh register on SQLite and on PostgreSQL for every storage test.

PostgreSQL tests run against ``VICTIM_MONITOR_TEST_POSTGRES`` (default: the server at
127.0.0.1:5432, database ``test``), each in a schema of its own that is dropped afterwards.
When the server is unreachable they are skipped with the reason, except under ``CI=true``,
where that is a failure: CI must test both databases.

On SQLite the migrations run once per test process: a test's migrated register is a copy of
that template's file (a few ms instead of 0.1 s). On PostgreSQL a schema is migrated once per
process and dumped (pg_dump); a test's schema replays that SQL (0.2 s, against 0.4-0.7 s to
migrate; a database per test copied with ``CREATE DATABASE ... TEMPLATE`` was measured slower,
1.5-1.7 s to create and 1-2 s to drop). Registers that many tests start from (a synthetic
register imported and linked) are built once per process on SQLite and copied
(``registers.restore``); on PostgreSQL each test builds its own.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import OperationalError

from victim_monitor.registry.organisations import load_organisations, sync_organisations
from victim_monitor.storage import connect, upgrade

try:  # pytest 9.2's structured node ids (private: where it is not, xdist's suffix works)
    from _pytest.nodeid import coerce_node_id
except ImportError:  # pragma: no cover
    coerce_node_id = None  # type: ignore[assignment]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``--dist loadgroup``: a test's xdist_group in its node id, which is how the scheduler
    groups. pytest-xdist 3.8 writes it to ``item._nodeid``, which pytest 9.2 no longer reads
    (structured ids: pytest-xdist issue 1386, open), so no group held and a module's expensive
    fixtures were built on both workers. Does nothing where xdist's own suffix took effect."""
    if not getattr(config.option, "loadgroup", False) or coerce_node_id is None:
        return
    for item in items:
        names = {
            str(m.args[0] if m.args else m.kwargs.get("name", "default"))
            for m in item.iter_markers("xdist_group")
        }
        suffix = f"@{'_'.join(sorted(names))}"
        if names and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(f"{item.nodeid}{suffix}")  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _csv_field_limit() -> Iterator[None]:
    """The csv module's field size limit is global, and frictionless (the data package tests)
    raises it on import; the encoder's and intake's tests rely on the default (131,072)."""
    limit = csv.field_size_limit()
    yield
    csv.field_size_limit(limit)


POSTGRES_URL = os.environ.get(
    "VICTIM_MONITOR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_admin() -> Engine:
    admin = connect(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL unreachable at {POSTGRES_URL}: {exc.orig}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI=true: both databases must be tested)")
        pytest.skip(reason)
    return admin


def _migrated(url: str) -> None:
    eng = connect(url)
    try:
        upgrade(eng)
        sync_organisations(eng, load_organisations())
    finally:
        eng.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite register with the default organisations, made once per process."""
    path = tmp_path_factory.mktemp("template") / "register.db"
    _migrated(f"sqlite:///{path}")
    return path


TEMPLATE_SCHEMA = "vm_template_{}"


@pytest.fixture(scope="session")
def _postgres_template() -> str:
    """The SQL of a schema migrated once per process, as pg_dump writes it (the schema's name in
    it is ``{schema}``); "" when pg_dump fails or is missing."""
    admin = _postgres_admin()
    schema = TEMPLATE_SCHEMA.format(uuid.uuid4().hex[:12])
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        _migrated(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
        server = make_url(POSTGRES_URL).set(drivername="postgresql")
        dumped = subprocess.run(
            [
                *("pg_dump", "--schema", schema, "--no-owner", "--no-privileges", "--inserts"),
                *("--dbname", server.render_as_string(hide_password=False)),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no pg_dump: each test migrates its schema
        return ""
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    if dumped.returncode != 0:
        return ""
    # The test's schema exists already; psql's meta-commands (\restrict) are not SQL.
    lines = dumped.stdout.splitlines()
    keep = [x for x in lines if not x.startswith("\\") and x != f"CREATE SCHEMA {schema};"]
    return "\n".join(keep).replace(schema, "{schema}")


def _postgres_copy(template: str, schema: str) -> None:
    """Make ``schema`` a migrated register: the template's SQL replayed (0.2 s here, where the
    migrations took 0.4-0.7 s), or the migrations when there is no template."""
    if not template:
        _migrated(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
        return
    eng = connect(POSTGRES_URL)
    try:
        raw = eng.raw_connection()
        try:
            raw.cursor().execute(template.replace("{schema}", schema))  # no parameters
            raw.commit()
        finally:
            raw.close()
    finally:
        eng.dispose()  # the dump set this session's search_path to ''


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'register.db'}"
        return
    admin = _postgres_admin()
    schema = f"vm_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def engine(database_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated register with the default organisations (on SQLite a copy of the process's
    template)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), url.database)
    else:
        schema = url.query["options"]
        assert isinstance(schema, str)
        _postgres_copy(request.getfixturevalue("_postgres_template"), schema.split("=", 1)[1])
    eng = connect(database_url)
    try:
        yield eng
    finally:
        eng.dispose()


Build = Callable[[Engine], object]


class Registers:
    """SQLite registers built once per process from the migrated template, copied per test."""

    def __init__(self, template: Path, root: Path) -> None:
        self._template, self._root = template, root
        self._built: dict[str, Path] = {}

    def restore(self, engine: Engine, name: str, build: Build) -> Engine:
        """``engine``'s register as ``build`` leaves a migrated one: on SQLite a copy of the one
        built first under ``name`` (the same inputs give the same register), else built here."""
        if engine.dialect.name != "sqlite":
            build(engine)
            return engine
        if name not in self._built:
            path = self._root / f"{name}.db"
            shutil.copyfile(self._template, path)
            made = connect(f"sqlite:///{path}")
            try:
                build(made)
            finally:
                made.dispose()
            # The last connection closed checkpoints the WAL into the file and removes it.
            assert not Path(f"{path}-wal").exists(), f"a connection to {path} is still open"
            self._built[name] = path
        assert engine.url.database is not None
        engine.dispose()  # no connection open while the file is replaced
        for stale in (f"{engine.url.database}-wal", f"{engine.url.database}-shm"):
            Path(stale).unlink(missing_ok=True)
        shutil.copyfile(self._built[name], engine.url.database)
        return engine


@pytest.fixture(scope="session")
def registers(_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Registers:
    return Registers(_sqlite_template, tmp_path_factory.mktemp("registers"))
