"""``backup`` and ``restore``: the whole register in one file, and back.

A backup is a zip of two members: ``manifest.json`` (the format, the database kind, the
schema revision, the rows of every table and the SHA-256 of the payload) and the payload: a
consistent copy of the SQLite file made with SQLite's online backup API
(``register.sqlite``), or ``pg_dump --format=custom`` of the register's schema
(``register.pgdump``). Both are taken while the server keeps running.

Restore checks the manifest before touching the target: the payload's hash, a schema revision
this version knows (a backup from a newer one is refused), the same kind of database, an empty
target unless ``force``; afterwards the restored tables' rows must equal the manifest's. The
backup holds the register whole: pseudonyms, the audit trail, the accounts' password hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from victim_monitor import __version__
from victim_monitor.exchange import pgdump
from victim_monitor.exchange.codes import (
    BACKUP_EXISTS,
    NEWER_SCHEMA,
    NOT_A_BACKUP,
    OUT_UNWRITABLE,
    RESTORE_DIFFERS,
    TARGET_NOT_EMPTY,
    WRONG_TARGET,
    ExchangeError,
)
from victim_monitor.storage import connect
from victim_monitor.storage.codes import UNREACHABLE, DatabaseError
from victim_monitor.storage.engine import require_register, shown_url, unreachable
from victim_monitor.storage.migrate import head_revision, known_revisions

FORMAT = "victim-monitor-backup"
VERSION = 1
MANIFEST = "manifest.json"
PAYLOADS = {"sqlite": "register.sqlite", "postgresql": "register.pgdump"}
_MANIFEST_LIMIT = 1 << 20  # a manifest is a few KiB; a bigger one is not ours
_CHUNK = 1 << 20
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BackupResult:
    """A backup written: where, of what, and its manifest."""

    out: Path
    manifest: dict[str, Any]

    def summary(self) -> str:
        m = self.manifest
        rows = sum(m["counts"].values())
        return (
            f"backed up the {m['database']} register (revision {m['revision']}, {rows} rows in "
            f"{len(m['counts'])} tables) to {self.out}; it holds pseudonymised personal data: "
            "keep it as safe as the register"
        )

    def as_dict(self) -> dict[str, Any]:
        return {"out": str(self.out), "manifest": self.manifest}


@dataclass(frozen=True)
class RestoreResult:
    """A backup restored into the register at ``database`` (shown without a password)."""

    database: str
    manifest: dict[str, Any]

    def summary(self) -> str:
        m = self.manifest
        return (
            f"restored the backup of {m['created_at']} (revision {m['revision']}, "
            f"{sum(m['counts'].values())} rows, checked) into {self.database}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {"database": self.database, "manifest": self.manifest}


def _nothing(_name: str, _done: int, _total: int) -> None:
    pass


# --- backup -------------------------------------------------------------------------------


def backup(url: str, out: Path, progress: Progress | None = None) -> BackupResult:
    """Back up the register at ``url`` into the new file ``out`` (never overwritten)."""
    step = progress or _nothing
    if out.exists():
        said = "exists; a backup is never overwritten: give a new file name"
        raise ExchangeError([BACKUP_EXISTS(said, file=str(out))])
    engine = connect(url)
    try:
        require_register(engine)
        kind = engine.dialect.name
        with _staging(out.parent, out) as staging:
            payload = staging / PAYLOADS[kind]
            step("backup", 0, 3)
            copied = _copy(engine, payload)
            step("backup", 1, 3)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "database": kind,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "software": __version__,
                **copied,
                "payload": payload.name,
                "sha256": _sha256(payload),
            }
            step("backup", 2, 3)
            _pack(payload, manifest, out, staging)
            step("backup", 3, 3)
    except DBAPIError as exc:
        raise unreachable(exc, engine.url) from exc
    except sqlite3.Error as exc:  # the backup API's own connections
        raise _sqlite_failed(exc, engine) from exc
    finally:
        engine.dispose()
    return BackupResult(out, manifest)


def _sqlite_failed(exc: sqlite3.Error, engine: Engine) -> DatabaseError:
    return DatabaseError([UNREACHABLE(f"{shown_url(engine.url)}: {exc}")])


@contextmanager
def _staging(where: Path, shown: Path) -> Iterator[Path]:
    """A private temporary directory in ``where`` (VM911 if it cannot be made)."""
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".vm-backup-", dir=where) as staging:
            yield Path(staging)
    except OSError as exc:
        raise ExchangeError([OUT_UNWRITABLE(str(exc), file=str(shown))]) from exc


def _copy(engine: Engine, payload: Path) -> dict[str, Any]:
    """The register's consistent copy into ``payload``; the manifest's facts about it (the
    revision and the rows per table are those of the copy itself)."""
    if engine.dialect.name == "sqlite":
        with _sqlite(_sqlite_file(engine)) as src, _sqlite(payload) as dst:
            src.backup(dst)  # one step: a consistent snapshot, writers carry on (WAL)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        with _sqlite(payload) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return {"revision": None if row is None else str(row[0]), "counts": _sqlite_counts(payload)}
    schema = pgdump.current_schema(engine)
    if schema is None:
        said = f"{shown_url(engine.url)}: no schema on the search path"
        raise ExchangeError([WRONG_TARGET(said)])
    # pg_dump reads the snapshot this transaction exports, so the counts are the dump's own
    # even while the server writes.
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            counts = _counts_on(conn)
            dumped_by = pgdump.dump(engine, schema, payload, snapshot)
    return {
        "revision": revision,
        "counts": counts,
        "schema": schema,
        "pg_dump": dumped_by,
        "server": pgdump.server_major(engine),
    }


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise ExchangeError([WRONG_TARGET("an in-memory SQLite database has no file to copy")])
    return Path(database)


@contextmanager
def _sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        yield conn
    finally:
        conn.close()


def _sqlite_counts(path: Path) -> dict[str, int]:
    with _sqlite(path) as conn:
        names = [
            str(n)
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {n: int(conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]) for n in names}


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return _counts_on(conn)


def _counts_on(conn: Connection) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    return {n: int(conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()) for n in names}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _pack(payload: Path, manifest: dict[str, Any], out: Path, staging: Path) -> None:
    """The zip, made in ``staging`` and linked as ``out`` (private: mode 0600)."""
    packed = staging / "backup.zip"
    compression = zipfile.ZIP_DEFLATED if payload.suffix == ".sqlite" else zipfile.ZIP_STORED
    try:
        with zipfile.ZipFile(packed, "w", compression=compression) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
            archive.write(payload, payload.name)
        packed.chmod(0o600)
        os.link(packed, out)  # atomic, and never over a file made while we were copying
    except FileExistsError as exc:
        said = "appeared during the backup; it was left as it is"
        raise ExchangeError([BACKUP_EXISTS(said, file=str(out))]) from exc
    except OSError as exc:
        raise ExchangeError([OUT_UNWRITABLE(str(exc), file=str(out))]) from exc


# --- restore ------------------------------------------------------------------------------


def read_manifest(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    """The manifest of a backup, checked for form (VM915)."""
    try:
        info = archive.getinfo(MANIFEST)
        if info.file_size > _MANIFEST_LIMIT:
            raise ValueError("manifest too large")
        manifest = json.loads(archive.read(info).decode("utf-8"))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ExchangeError([NOT_A_BACKUP(f"no readable manifest: {exc}", file=name)]) from exc
    database = manifest.get("database") if isinstance(manifest, dict) else None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or database not in PAYLOADS
        or manifest.get("payload") != PAYLOADS[database]
        or not isinstance(manifest.get("counts"), dict)
    ):
        raise ExchangeError([NOT_A_BACKUP("not a victim-monitor backup manifest", file=name)])
    if manifest.get("version") != VERSION:
        said = f"backup format version {manifest.get('version')}; this version reads {VERSION}"
        raise ExchangeError([NEWER_SCHEMA(said, file=name)])
    return manifest


def _check_revision(manifest: dict[str, Any], name: str) -> None:
    """A revision of this version's migrations; any other is from a newer one (VM916)."""
    if manifest.get("revision") not in known_revisions():
        said = (
            f"the register was at schema revision {manifest.get('revision')}, which this "
            f"version ({__version__}, up to {head_revision()}) does not know: "
            "restore it with the victim-monitor that made it, or a newer one"
        )
        raise ExchangeError([NEWER_SCHEMA(said, file=name)])


def _extract(archive: zipfile.ZipFile, manifest: dict[str, Any], to: Path, name: str) -> Path:
    """The payload, its hash checked while it is written out (VM915)."""
    target = to / str(manifest["payload"])
    digest = hashlib.sha256()
    try:
        with archive.open(str(manifest["payload"])) as src, target.open("wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
    except (KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise ExchangeError([NOT_A_BACKUP(f"payload unreadable: {exc}", file=name)]) from exc
    if digest.hexdigest() != manifest.get("sha256"):
        said = "the payload's SHA-256 differs from the manifest's: the file is damaged"
        raise ExchangeError([NOT_A_BACKUP(said, file=name)])
    return target


def restore(
    file: Path, url: str, *, force: bool = False, progress: Progress | None = None
) -> RestoreResult:
    """Restore the backup ``file`` into the database at ``url`` (empty unless ``force``)."""
    step = progress or _nothing
    name = str(file)
    try:
        archive = zipfile.ZipFile(file)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ExchangeError(
            [NOT_A_BACKUP(f"cannot be read as a backup: {exc}", file=name)]
        ) from exc
    engine = connect(url)
    try:
        with archive:
            manifest = read_manifest(archive, name)
            _check_revision(manifest, name)
            if manifest["database"] != engine.dialect.name:
                said = (
                    f"a {manifest['database']} backup cannot be restored into "
                    f"{engine.dialect.name}: restore it into a {manifest['database']} database"
                )
                raise ExchangeError([WRONG_TARGET(said, file=name)])
            with _staging(_work_dir(engine), file) as staging:
                step("restore", 0, 3)
                payload = _extract(archive, manifest, staging, name)
                step("restore", 1, 3)
                if engine.dialect.name == "sqlite":
                    counts = _restore_sqlite(engine, payload, manifest, force, name)
                else:
                    counts = _restore_postgresql(engine, payload, manifest, force)
                step("restore", 2, 3)
        if counts != manifest["counts"]:
            differ = sorted(
                k
                for k in {*counts, *manifest["counts"]}
                if counts.get(k) != manifest["counts"].get(k)
            )
            said = f"rows differ from the manifest's in {', '.join(differ)}"
            raise ExchangeError([RESTORE_DIFFERS(said, file=name)])
        step("restore", 3, 3)
    except DBAPIError as exc:
        raise unreachable(exc, engine.url) from exc
    except sqlite3.Error as exc:  # the backup API's own connections
        raise _sqlite_failed(exc, engine) from exc
    finally:
        engine.dispose()
    return RestoreResult(shown_url(url), manifest)


def _work_dir(engine: Engine) -> Path:
    """Where the payload is unpacked: beside a SQLite target, else the temporary directory."""
    if engine.dialect.name == "sqlite":
        where = _sqlite_file(engine).resolve().parent
        if not where.is_dir():
            raise ExchangeError([WRONG_TARGET(f"{where}: no such directory")])
        return where
    return Path(tempfile.gettempdir())


def _not_empty(what: str) -> ExchangeError:
    said = (
        f"{what} holds data; restore into a new or empty database, or add --force to replace "
        "everything in it"
    )
    return ExchangeError([TARGET_NOT_EMPTY(said)])


def _restore_sqlite(
    engine: Engine, payload: Path, manifest: dict[str, Any], force: bool, name: str
) -> dict[str, int]:
    """The payload checked, then copied into the target by the backup API: one step, under
    the target's write lock, so a reader sees the old register or the new one."""
    with _sqlite(payload) as src:
        checked = src.execute("PRAGMA quick_check").fetchone()
    if checked is None or checked[0] != "ok":
        raise ExchangeError([NOT_A_BACKUP(f"the SQLite copy is damaged: {checked}", file=name)])
    if _sqlite_counts(payload) != manifest["counts"]:
        raise ExchangeError([NOT_A_BACKUP("rows differ from the manifest's", file=name)])
    target = _sqlite_file(engine)
    with _sqlite(target) as dst:
        holds = dst.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if holds and not force:
            raise _not_empty(str(target))
        with _sqlite(payload) as src:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")  # as the register runs (storage.engine)
    return _sqlite_counts(target)


def _restore_postgresql(
    engine: Engine, payload: Path, manifest: dict[str, Any], force: bool
) -> dict[str, int]:
    schema = str(manifest.get("schema") or "public")
    shown = shown_url(engine.url)
    if not pgdump.on_search_path(engine, schema):
        said = (
            f"the backup is of schema {schema}, which is not on the search path of {shown}: "
            f"add ?options=-csearch_path%3D{schema} to the address"
        )
        raise ExchangeError([WRONG_TARGET(said)])
    if pgdump.tables_in(engine, schema):
        if not force:
            raise _not_empty(f"{shown} (schema {schema})")
        pgdump.empty_schema(engine, schema)
    pgdump.restore(engine, schema, payload, int(manifest.get("pg_dump") or 0))
    engine.dispose()  # the restore replaced what pooled connections had cached
    return _counts(engine)
