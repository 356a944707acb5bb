"""The VM91x problems of exporting, backing up and restoring a register."""

from __future__ import annotations

from victim_monitor.problems import ProblemError, Severity, define

ERROR = Severity.ERROR

OUT_OCCUPIED = define("VM910", ERROR, "The export directory holds other files")
OUT_UNWRITABLE = define("VM911", ERROR, "The export or backup cannot be written")
BACKUP_EXISTS = define("VM912", ERROR, "The backup file exists")
NO_CLIENT = define("VM913", ERROR, "PostgreSQL client programs not found")
CLIENT_FAILED = define("VM914", ERROR, "pg_dump or pg_restore failed")
NOT_A_BACKUP = define("VM915", ERROR, "Not a backup, or a damaged one")
NEWER_SCHEMA = define("VM916", ERROR, "The backup is from a newer version")
TARGET_NOT_EMPTY = define("VM917", ERROR, "The restore target is not empty")
WRONG_TARGET = define("VM918", ERROR, "The backup cannot go to this database")
RESTORE_DIFFERS = define("VM919", ERROR, "The restored register differs from its backup")


class ExchangeError(ProblemError):
    """An export, backup or restore stopped (VM91x); nothing half-written is left behind."""
