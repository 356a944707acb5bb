"""Shared fixtures: a fresh register on SQLite and on PostgreSQL for every storage test.

PostgreSQL tests run against ``VICTIM_MONITOR_TEST_POSTGRES`` (default: the server at
127.0.0.1:5432, database ``test``), each in a schema of its own. When the server is unreachable
they are skipped with the reason, except under ``CI=true``, where that is a failure: CI must
test both databases.

On SQLite the migrations run once per test process: a test's migrated register is a copy of
that template's file (a few ms instead of 0.1 s). On PostgreSQL a schema is migrated once per
process and dumped (pg_dump); a new schema replays that SQL (0.2 s, against 0.4-0.7 s to
migrate; a database per test copied with ``CREATE DATABASE ... TEMPLATE`` was measured slower,
1.5-1.7 s to create and 1-2 s to drop). A test's migrated schema is then kept for the next test
of the process: emptied (``TRUNCATE``) and given the template's rows again, unless the test
changed its tables, columns, indexes or constraints (then it is dropped). Registers that many
tests start from (a synthetic register imported and linked) are built once per process and
copied (``registers.restore``): on SQLite the file, on PostgreSQL table by table on the server.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import OperationalError

from victim_monitor.registry.organisations import load_organisations, sync_organisations
from victim_monitor.storage import connect, upgrade
from victim_monitor.storage.schema import metadata

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


@dataclass(frozen=True)
class _Dump:
    """A migrated schema as pg_dump writes it, the schema's name in it ``{schema}``: whole
    (``schema``), and its rows only (``rows``). Empty when pg_dump fails or is missing."""

    schema: str = ""
    rows: str = ""


def _pg_dump(server: str, schema: str, *options: str) -> str | None:
    """pg_dump's SQL of ``schema`` without psql's meta-commands (\\restrict is not SQL)."""
    try:
        dumped = subprocess.run(
            [
                *("pg_dump", "--schema", schema, "--no-owner", "--no-privileges", "--inserts"),
                *options,
                *("--dbname", server),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    if dumped.returncode != 0:
        return None
    lines = dumped.stdout.splitlines()
    # The test's schema exists already.
    keep = [x for x in lines if not x.startswith("\\") and x != f"CREATE SCHEMA {schema};"]
    return "\n".join(keep).replace(schema, "{schema}")


@pytest.fixture(scope="session")
def _postgres_template() -> _Dump:
    """A schema migrated once per process, dumped (each test's schema replays it)."""
    admin = _postgres_admin()
    schema = TEMPLATE_SCHEMA.format(uuid.uuid4().hex[:12])
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        _migrated(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
        server = make_url(POSTGRES_URL).set(drivername="postgresql")
        address = server.render_as_string(hide_password=False)
        whole = _pg_dump(address, schema)
        rows = _pg_dump(address, schema, "--data-only")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    if whole is None or rows is None:
        return _Dump()  # each test migrates its schema
    return _Dump(whole, rows)


def _postgres_copy(template: _Dump, schema: str) -> None:
    """Make ``schema`` a migrated register: the template's SQL replayed (0.2 s here, where the
    migrations took 0.4-0.7 s), or the migrations when there is no template."""
    if not template.schema:
        _migrated(f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
        return
    _run_sql(template.schema.replace("{schema}", schema))


def _run_sql(sql: str) -> None:
    """Run ``sql`` (statements, no parameters) in one transaction, on a connection of its own
    (a dump sets the session's search_path to '')."""
    eng = connect(POSTGRES_URL)
    try:
        raw = eng.raw_connection()
        try:
            raw.cursor().execute(sql)
            raw.commit()
        finally:
            raw.close()
    finally:
        eng.dispose()


# What a schema is made of: tables, columns, indexes, constraints, sequences, triggers (and
# whether each is enabled), functions, views. A test that changes any of them (a migration
# test, a restore, a test that switches the audit trail's triggers off to tamper with it)
# leaves a schema that is not reused.
_STRUCTURE = text(
    """
    SELECT md5(replace(coalesce(string_agg(part, E'\\n' ORDER BY part), ''), :s, '')) FROM (
        SELECT concat_ws(' ', 'c', table_name, column_name, data_type, column_default,
                         is_nullable, character_maximum_length) AS part
        FROM information_schema.columns WHERE table_schema = :s
        UNION ALL
        SELECT concat_ws(' ', 'i', indexname, indexdef) FROM pg_indexes WHERE schemaname = :s
        UNION ALL
        SELECT concat_ws(' ', 'k', c.conname, c.conrelid::regclass::text,
                         pg_get_constraintdef(c.oid))
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE n.nspname = :s
        UNION ALL
        SELECT concat_ws(' ', 's', sequence_name)
        FROM information_schema.sequences WHERE sequence_schema = :s
        UNION ALL
        SELECT concat_ws(' ', 't', t.tgname, t.tgenabled, pg_get_triggerdef(t.oid))
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :s AND NOT t.tgisinternal
        UNION ALL
        SELECT concat_ws(' ', 'f', p.proname, md5(p.prosrc))
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = :s
        UNION ALL
        SELECT concat_ws(' ', 'v', viewname, md5(definition)) FROM pg_views WHERE schemaname = :s
    ) parts
    """
)
_TABLES = text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename")
_SEQUENCES = text(
    "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = :s"
)


# The audit trail's triggers refuse to empty it; a superuser (as the tests' postgres) may switch
# them off for one transaction. Where that is refused, a schema is dropped, not kept.
_NO_TRIGGERS = "SET LOCAL session_replication_role = replica"


class Schemas:
    """This process's PostgreSQL schemas: migrated ones kept between tests, and the registers
    of :class:`Registers`, each in a schema of its own until the session ends."""

    def __init__(self, admin: Engine, template: _Dump) -> None:
        self.admin = admin
        self.template = template
        self._free: list[str] = []
        self._all: list[str] = []
        self._structure: str | None = None

    def empty(self) -> str:
        """A new, empty schema."""
        schema = f"vm_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        self._all.append(schema)
        return schema

    def migrated(self) -> str:
        """A migrated schema with the default organisations: a kept one, or a new one."""
        if self._free:
            return self._free.pop()
        schema = self.empty()
        _postgres_copy(self.template, schema)
        if self._structure is None:
            self._structure = self._structure_of(schema)
        return schema

    def release(self, schema: str) -> None:
        """Keep ``schema`` for the next test, as it was migrated, or drop it."""
        try:
            if self.template.rows and self._structure_of(schema) == self._structure:
                self._reset(schema)
                self._free.append(schema)
                return
        except Exception:  # the driver's error (a lock not released in time): dropped below
            pass
        self.drop(schema)

    def drop(self, schema: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        self._all.remove(schema)

    def drop_all(self) -> None:
        for schema in list(self._all):
            self.drop(schema)

    def copy(self, source: str, target: str) -> None:
        """Make ``target`` (a migrated schema) hold what ``source`` holds, on the server."""
        with self.admin.connect() as conn:
            found = set(conn.execute(_TABLES, {"s": source}).scalars())
            sequences = conn.execute(_SEQUENCES, {"s": source}).scalars().all()
        # Parents before children, for the foreign keys; then the rest (alembic_version).
        ordered = [t.name for t in metadata.sorted_tables if t.name in found]
        tables = [*ordered, *sorted(found - set(ordered))]
        statements = [
            _NO_TRIGGERS,
            self._truncate(target, tables),
            *(f"INSERT INTO {target}.{t} SELECT * FROM {source}.{t}" for t in tables),
            *(
                f"SELECT setval('{target}.{q}', last_value, is_called) FROM {source}.{q}"
                for q in sequences
            ),
        ]
        _run_sql(";\n".join(statements))

    def _reset(self, schema: str) -> None:
        # DELETE, not TRUNCATE: a test's few rows go in a fraction of the time TRUNCATE takes
        # to give each table and index a new file. The dump's rows set every sequence too.
        with self.admin.connect() as conn:
            tables = conn.execute(_TABLES, {"s": schema}).scalars().all()
        rows = self.template.rows.replace("{schema}", schema)
        deletes = "".join(f"DELETE FROM {schema}.{t};\n" for t in tables)
        _run_sql(f"SET LOCAL lock_timeout = '5s';\n{_NO_TRIGGERS};\n{deletes}{rows}")

    @staticmethod
    def _truncate(schema: str, tables: Sequence[str]) -> str:
        return f"TRUNCATE {', '.join(f'{schema}.{t}' for t in tables)} RESTART IDENTITY CASCADE"

    def _structure_of(self, schema: str) -> str:
        with self.admin.connect() as conn:
            return str(conn.execute(_STRUCTURE, {"s": schema}).scalar_one())


@pytest.fixture(scope="session")
def _postgres_schemas(_postgres_template: _Dump) -> Iterator[Schemas]:
    admin = _postgres_admin()
    schemas = Schemas(admin, _postgres_template)
    try:
        yield schemas
    finally:
        schemas.drop_all()
        admin.dispose()


def _schema_url(schema: str) -> str:
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The URL of a database of each kind: empty, or migrated if the test also asks for
    ``engine`` (on PostgreSQL, a schema that was migrated once, kept and reused)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'register.db'}"
        return
    schemas: Schemas = request.getfixturevalue("_postgres_schemas")
    if "engine" not in request.fixturenames:
        schema = schemas.empty()
        try:
            yield _schema_url(schema)
        finally:
            schemas.drop(schema)
        return
    schema = schemas.migrated()
    try:
        yield _schema_url(schema)
    finally:
        schemas.release(schema)


@pytest.fixture
def engine(database_url: str, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated register with the default organisations (on SQLite a copy of the process's
    template; on PostgreSQL ``database_url`` made it so)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), url.database)
    eng = connect(database_url)
    try:
        yield eng
    finally:
        eng.dispose()


Build = Callable[[Engine], object]


class Registers:
    """Registers built once per process from the migrated template, copied per test."""

    def __init__(self, template: Path, root: Path, request: pytest.FixtureRequest) -> None:
        self._template, self._root, self._request = template, root, request
        self._built: dict[str, Path] = {}
        self._schemas: dict[str, str] = {}

    def restore(self, engine: Engine, name: str, build: Build) -> Engine:
        """``engine``'s register as ``build`` leaves a migrated one: a copy of the one built
        first under ``name`` (the same inputs give the same register), else built here."""
        if engine.dialect.name != "sqlite":
            return self._restore_postgres(engine, name, build)
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

    def _restore_postgres(self, engine: Engine, name: str, build: Build) -> Engine:
        schemas: Schemas = self._request.getfixturevalue("_postgres_schemas")
        if name not in self._schemas:
            source = schemas.migrated()
            made = connect(_schema_url(source))
            try:
                build(made)
            finally:
                made.dispose()
            self._schemas[name] = source  # never released: dropped when the session ends
        options = engine.url.query["options"]
        assert isinstance(options, str)
        engine.dispose()
        try:
            schemas.copy(self._schemas[name], options.split("=", 1)[1])
        except Exception:  # not a superuser (see _NO_TRIGGERS): built again
            build(engine)
        return engine


@pytest.fixture(scope="session")
def registers(
    _sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Registers:
    return Registers(_sqlite_template, tmp_path_factory.mktemp("registers"), request)
