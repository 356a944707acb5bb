"""The web application's settings, from the environment, validated once at start."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from victim_monitor.config import ConfigError, Settings

SESSION_HOURS = 8


@dataclass(frozen=True, slots=True)
class WebSettings:
    """What the web application needs.

    ``VICTIM_MONITOR_DATABASE_URL`` as everywhere; ``VICTIM_MONITOR_RELEASE_DIR``: the published
    (protected) release the dashboard shows and analysts publish to (default ``release``);
    ``VICTIM_MONITOR_SECRET``: the key that binds CSRF tokens (random per start when unset, so
    forms break across restarts but nothing leaks); ``VICTIM_MONITOR_SECURE_COOKIES``: ``0`` only
    for plain-HTTP loopback use; ``VICTIM_MONITOR_KEY_DIR``: a folder of ``ORG.key`` files that
    reporters may download for their own organisation (unset: no key downloads);
    ``VICTIM_MONITOR_FACTSHEET_DIR``: where ``victim-monitor factsheet`` wrote its PDFs, offered
    on the downloads page (unset: none).
    """

    database_url: str
    release_dir: Path = Path("release")
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    secure_cookies: bool = True
    key_dir: Path | None = None
    factsheet_dir: Path | None = None
    organisations_file: Path | None = None
    session_hours: int = SESSION_HOURS

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if env is None else env
        base = Settings.from_env(env)
        secure = env.get("VICTIM_MONITOR_SECURE_COOKIES", "1").strip().lower()
        if secure not in ("0", "1", "true", "false"):
            raise ConfigError("VICTIM_MONITOR_SECURE_COOKIES must be 0 or 1")
        key_dir = env.get("VICTIM_MONITOR_KEY_DIR")
        if key_dir and not Path(key_dir).is_dir():
            raise ConfigError(f"VICTIM_MONITOR_KEY_DIR: no such folder {key_dir}")
        secret = env.get("VICTIM_MONITOR_SECRET") or secrets.token_urlsafe(32)
        if len(secret) < 16:
            raise ConfigError("VICTIM_MONITOR_SECRET must be at least 16 characters")
        factsheets = env.get("VICTIM_MONITOR_FACTSHEET_DIR")
        return cls(
            database_url=base.database_url,
            factsheet_dir=Path(factsheets) if factsheets else None,
            release_dir=Path(env.get("VICTIM_MONITOR_RELEASE_DIR", "release")),
            secret=secret,
            secure_cookies=secure in ("1", "true"),
            key_dir=Path(key_dir) if key_dir else None,
            organisations_file=base.organisations_file,
        )
