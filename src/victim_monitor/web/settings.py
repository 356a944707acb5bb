"""The web application's settings, from the environment, validated once at start."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from victim_monitor.config import ConfigError, Settings

SESSION_HOURS = 8
MAX_UPLOAD_MB = 50  # a submission file; larger bodies are refused before they are read


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
    on the downloads page (unset: none); ``VICTIM_MONITOR_FORWARDED_ALLOW_IPS``: the proxies
    (addresses or networks, comma-separated; ``*`` for any) whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed (unset: none, the peer's own address counts);
    ``VICTIM_MONITOR_MAX_UPLOAD_MB``: the largest submission file (1-1024, default 50).
    ``VICTIM_MONITOR_AUDIT_KEY``: the key of the audit trail's HMAC chain and checkpoints
    (:func:`audit_key`; unset: the chain is plain SHA-256, for development and the demo).
    """

    database_url: str
    release_dir: Path = Path("release")
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    secure_cookies: bool = True
    key_dir: Path | None = None
    factsheet_dir: Path | None = None
    organisations_file: Path | None = None
    session_hours: int = SESSION_HOURS
    forwarded_allow_ips: tuple[str, ...] = ()
    audit_key: bytes | None = field(default=None, repr=False)
    max_upload_mb: int = MAX_UPLOAD_MB

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
        max_upload = env.get("VICTIM_MONITOR_MAX_UPLOAD_MB", str(MAX_UPLOAD_MB)).strip()
        if not max_upload.isdecimal() or not 1 <= int(max_upload) <= 1024:
            raise ConfigError("VICTIM_MONITOR_MAX_UPLOAD_MB must be a whole number from 1 to 1024")
        return cls(
            database_url=base.database_url,
            factsheet_dir=Path(factsheets) if factsheets else None,
            release_dir=Path(env.get("VICTIM_MONITOR_RELEASE_DIR", "release")),
            secret=secret,
            secure_cookies=secure in ("1", "true"),
            key_dir=Path(key_dir) if key_dir else None,
            organisations_file=base.organisations_file,
            audit_key=audit_key(env),
            forwarded_allow_ips=forwarded_allow_ips(
                env.get("VICTIM_MONITOR_FORWARDED_ALLOW_IPS", "")
            ),
            max_upload_mb=int(max_upload),
        )


def audit_key(env: Mapping[str, str] | None = None) -> bytes | None:
    """The audit trail's key from ``VICTIM_MONITOR_AUDIT_KEY`` (the web app and the CLI both).

    A dedicated key, not ``VICTIM_MONITOR_SECRET``: that one may change at any start (it only
    binds CSRF tokens), while the audit key must stay the same for the trail's whole life.
    At least 32 characters (``openssl rand -hex 32``); unset: None.
    """
    env = os.environ if env is None else env
    value = env.get("VICTIM_MONITOR_AUDIT_KEY", "").strip()
    if not value:
        return None
    if len(value) < 32:
        raise ConfigError("VICTIM_MONITOR_AUDIT_KEY must be at least 32 characters")
    return value.encode("utf-8")


def forwarded_allow_ips(
    text: str, where: str = "VICTIM_MONITOR_FORWARDED_ALLOW_IPS"
) -> tuple[str, ...]:
    """Trusted proxies from a comma-separated list of addresses or networks, or ``*``.

    Checked here because uvicorn takes a malformed entry for a host name and trusts nothing.
    """
    found = tuple(item.strip() for item in text.split(",") if item.strip())
    if found == ("*",):
        return found
    for item in found:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError as exc:
            raise ConfigError(f"{where}: {item!r} is not an IP address or network") from exc
    return found
