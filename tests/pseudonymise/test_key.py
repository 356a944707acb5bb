"""Key files: made at random, written once with mode 0600, read back or refused clearly."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

import pytest

from victim_monitor.pseudonymise import (
    Key,
    KeyExistsError,
    KeyFileError,
    generate_key,
    read_key,
    write_key,
)


def test_generated_keys_are_random_and_identified_by_16_hex_digits() -> None:
    first, second = generate_key(), generate_key()
    assert first != second
    assert re.fullmatch(r"[0-9a-f]{16}", first.key_id)
    assert first.key_id != second.key_id


def test_key_id_is_an_hmac_of_a_fixed_label_and_does_not_reveal_the_key() -> None:
    key = Key(bytes(range(32)))
    expected = hmac.digest(key.secret, b"victim-monitor/v1/key-id", hashlib.sha256)[:8].hex()
    assert key.key_id == expected
    assert key.secret.hex()[:16] != key.key_id


def test_repr_never_shows_the_secret() -> None:
    key = Key(b"\xab" * 32)
    assert "ab" * 4 not in repr(key)
    assert key.key_id in repr(key)


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        Key(b"short")


def test_round_trip(tmp_path: Path) -> None:
    key = generate_key()
    path = tmp_path / "monitor.key"
    write_key(key, path)
    assert read_key(path) == key
    lines = path.read_text("ascii").splitlines()
    assert lines[0] == "victim-monitor-key v1"
    assert f"# key_id {key.key_id}" in lines


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_key_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "monitor.key"
    old = os.umask(0)  # even with a permissive umask
    try:
        write_key(generate_key(), path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "monitor.key"
    original = generate_key()
    write_key(original, path)
    before = path.read_bytes()
    with pytest.raises(KeyExistsError, match=str(path)) as raised:
        write_key(generate_key(), path)
    assert isinstance(raised.value, FileExistsError)  # what a CLI may catch
    assert isinstance(raised.value, KeyFileError)
    assert path.read_bytes() == before
    assert read_key(path) == original


def test_unwritable_place_is_a_key_file_error(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="cannot create"):
        write_key(generate_key(), tmp_path / "no-such-dir" / "monitor.key")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "not a key file"),
        ("some other file\nAAAA\n", "not a key file"),
        ("victim-monitor-key v1\n", "malformed"),
        ("victim-monitor-key v1\n***not base64***\n", "not base64"),
        ("victim-monitor-key v1\n" + base64.b64encode(b"x" * 8).decode() + "\n", "too short"),
        ("victim-monitor-key v1\nAAAA\nAAAA\n", "malformed"),
    ],
)
def test_malformed_key_files_are_refused_naming_the_file(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.key"
    path.write_text(content, "ascii")
    with pytest.raises(KeyFileError, match=message) as raised:
        read_key(path)
    assert str(path) in str(raised.value)


def test_missing_key_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.key"
    with pytest.raises(KeyFileError, match="no such key file") as raised:
        read_key(path)
    assert str(path) in str(raised.value)


def test_binary_junk_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "junk.key"
    path.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(KeyFileError, match=str(path)):
        read_key(path)


def test_comments_and_blank_lines_are_ignored(tmp_path: Path) -> None:
    key = Key(bytes(range(32)))
    path = tmp_path / "k.key"
    material = base64.b64encode(key.secret).decode()
    path.write_text(f"victim-monitor-key v1\n\n# a note\n{material}\n\n", "ascii")
    assert read_key(path) == key
