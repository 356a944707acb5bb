"""Settings from the environment, typed, validated once at start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///victim-monitor.db"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the environment configures.

    ``VICTIM_MONITOR_DATABASE_URL``: SQLAlchemy URL of the register (default: a SQLite file
    ``victim-monitor.db`` in the working directory). ``VICTIM_MONITOR_ORGANISATIONS``: a TOML
    file of organisations replacing the default Dutch mapping.
    """

    database_url: str = DEFAULT_DATABASE_URL
    organisations_file: Path | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        url = env.get("VICTIM_MONITOR_DATABASE_URL", DEFAULT_DATABASE_URL).strip()
        if not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ConfigError(
                f"VICTIM_MONITOR_DATABASE_URL must be a sqlite:// or postgresql:// URL, got {url!r}"
            )
        orgs = env.get("VICTIM_MONITOR_ORGANISATIONS")
        orgs_path = Path(orgs) if orgs else None
        if orgs_path is not None and not orgs_path.is_file():
            raise ConfigError(f"VICTIM_MONITOR_ORGANISATIONS: no such file {orgs_path}")
        return cls(database_url=url, organisations_file=orgs_path)
