"""Data out of the register and back: an export for analysts (CSV or Parquet with a data
dictionary) and a backup that restores the whole register (SQLite or PostgreSQL).

    export_register(engine, Path("export"), "parquet")
    backup("sqlite:///register.db", Path("register-2019-01-31.backup"))
    restore(Path("register-2019-01-31.backup"), "postgresql://monitor@db/register")
"""

from typing import TYPE_CHECKING

from victim_monitor.lazy import exports

if TYPE_CHECKING:
    from victim_monitor.exchange.backups import BackupResult, RestoreResult, backup, restore
    from victim_monitor.exchange.codes import ExchangeError
    from victim_monitor.exchange.export import ExportResult, export_register

# Where each public name lives: imported on first use, so that a command's --help does not
# load SQLAlchemy, Alembic or DuckDB.
_HOME = {
    "BackupResult": "backups",
    "RestoreResult": "backups",
    "backup": "backups",
    "restore": "backups",
    "ExchangeError": "codes",
    "ExportResult": "export",
    "export_register": "export",
}


__getattr__ = exports(__name__, _HOME)


__all__ = [
    "BackupResult",
    "ExchangeError",
    "ExportResult",
    "RestoreResult",
    "backup",
    "export_register",
    "restore",
]
