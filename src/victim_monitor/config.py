"""Settings from the environment, typed, validated once at start."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///victim-monitor.db"
CONFIG_FILE = "victim-monitor.toml"
PREFIX = "VICTIM_MONITOR_"
#: What a configuration file may set: each is the environment variable PREFIX + name.upper().
SETTINGS = (
    "database_url", "organisations", "estimation_workers", "release_dir", "factsheet_dir",
    "key_dir", "secret", "secure_cookies", "forwarded_allow_ips", "max_upload_mb", "audit_key",
)  # fmt: skip
PATHS = ("organisations", "release_dir", "factsheet_dir", "key_dir")


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


def apply_config_file(
    path: Path | None = None, env: MutableMapping[str, str] | None = None
) -> Path | None:
    """Settings from a TOML file (``path``, else ``victim-monitor.toml`` in the working
    directory if there is one) into the environment, each where the environment does not set it
    already: a command's option beats the environment, which beats the file. Paths in the file
    are relative to it. The file used, or None."""
    env = os.environ if env is None else env
    if path is None:
        path = Path(CONFIG_FILE) if Path(CONFIG_FILE).is_file() else None
        if path is None:
            return None
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable TOML file ({type(exc).__name__})") from exc
    for key, value in data.items():
        if key not in SETTINGS:
            raise ConfigError(f"{path}: unknown setting {key!r}; known: {', '.join(SETTINGS)}")
        if isinstance(value, bool):
            text = "1" if value else "0"
        elif isinstance(value, int | float | str):
            text = str(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            text = ",".join(value)
        else:
            raise ConfigError(f"{path}: {key} must be a string, number, true/false or list")
        if key in PATHS:
            text = str((path.parent / text).resolve())
        env.setdefault(PREFIX + key.upper(), text)
    return path
