"""The register's storage: engine set-up, schema and migrations (SQLite and PostgreSQL)."""

from victim_monitor.storage.engine import connect, normalise_url
from victim_monitor.storage.migrate import upgrade

__all__ = ["connect", "normalise_url", "upgrade"]
