"""The pseudonymisation key: making it, writing it safely, reading it back.

One random master key per encoding community (the organisations that must link with each
other). Every secret the encoder uses is derived from it with HMAC and a fixed label, so one
small file is all that has to be guarded, and the key's identity (``key_id``) can be printed
in every submission without revealing anything about the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

KEY_HEADER = "victim-monitor-key v1"
KEY_BYTES = 32  # 256 bits: the HMAC-SHA256 block is 64 bytes, so any length 32..64 is safe

# Labels for the derived secrets. Changing one changes every pseudonym: treat as format.
_KEY_ID_LABEL = b"victim-monitor/v1/key-id"


class KeyFileError(ValueError):
    """A key file is missing, malformed or cannot be written; the message names the file."""


class KeyExistsError(KeyFileError, FileExistsError):
    """The key file already exists and is not overwritten (both a KeyFileError and an OSError)."""


@dataclass(frozen=True, slots=True)
class Key:
    """A pseudonymisation key. ``key_id`` identifies it without revealing it.

    The secret is kept out of ``repr`` so that a key never lands in a log or traceback.
    """

    secret: bytes = field(repr=False)
    key_id: str = field(init=False)

    def __post_init__(self) -> None:
        if len(self.secret) < KEY_BYTES:
            raise ValueError(f"a key needs at least {KEY_BYTES} bytes, got {len(self.secret)}")
        object.__setattr__(self, "key_id", derive(self, _KEY_ID_LABEL)[:8].hex())


def derive(key: Key, label: bytes) -> bytes:
    """A 32-byte secret for one purpose, derived from the key (HMAC-SHA256 of the label)."""
    return hmac.digest(key.secret, label, hashlib.sha256)


def generate_key() -> Key:
    """A new key of 32 random bytes from the operating system's CSPRNG."""
    return Key(secrets.token_bytes(KEY_BYTES))


def write_key(key: Key, path: Path) -> None:
    """Write ``key`` to a new file readable by its owner only (mode 0600).

    Refuses to overwrite (:class:`KeyExistsError`): a lost key means no later report can be
    linked to earlier ones. Other failures raise :class:`KeyFileError`.
    """
    text = (
        f"{KEY_HEADER}\n"
        f"# key_id {key.key_id}\n"
        "# Keep this file secret. Whoever holds it can test guessed names against pseudonyms.\n"
        f"{base64.b64encode(key.secret).decode('ascii')}\n"
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise KeyExistsError(f"{path}: file exists; refusing to overwrite a key") from None
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot create key file ({exc.strerror})") from None
    try:
        if hasattr(os, "fchmod"):  # umask may have narrowed the mode; make it exactly 0600
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)  # never leave a half-written key behind
        raise


def read_key(path: Path) -> Key:
    """Read a key written by :func:`write_key`; raise :class:`KeyFileError` naming the file."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyFileError(f"{path}: no such key file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"{path}: cannot read key file ({exc})") from None
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("#")]
    if not lines or lines[0] != KEY_HEADER:
        raise KeyFileError(f"{path}: not a key file (first line must be {KEY_HEADER!r})")
    if len(lines) != 2:
        raise KeyFileError(f"{path}: malformed key file (expected one line of key material)")
    try:
        secret = base64.b64decode(lines[1], validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError(f"{path}: malformed key file (key material is not base64)") from None
    if len(secret) < KEY_BYTES:
        raise KeyFileError(f"{path}: key too short ({len(secret)} bytes, need {KEY_BYTES})")
    return Key(secret)
