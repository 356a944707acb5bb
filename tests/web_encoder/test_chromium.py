"""The browser encoder in a real browser: Debian's Chromium, through Playwright.

The modules are served as a page would load them, under a strict Content-Security-Policy (no
inline script, no eval), from 127.0.0.1 (a secure context, so WebCrypto exists). Their output
must equal the Python encoder's byte for byte. Skipped locally without /usr/bin/chromium; a
failure under CI=true.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pseudonymise.people import PEOPLE
from tests.pseudonymise.test_api import FILE_SHA256
from tests.web_encoder.harness import CHROMIUM, ENCODE_IN_PAGE, python_encode, serving_encoder
from tests.web_encoder.test_identity import CASES
from tests.web_encoder.test_vectors import raw_file
from victim_monitor.pseudonymise import Key

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install chromium)")
    pytest.skip("no /usr/bin/chromium", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    with serving_encoder() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(url)
        yield page
        browser.close()
        assert errors == []


KEY_TEXT = "victim-monitor-key v1\n" + base64.b64encode(bytes(range(32))).decode() + "\n"


def _in_chromium(page: Page, raw: bytes, file: str) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        ENCODE_IN_PAGE, [base64.b64encode(raw).decode("ascii"), KEY_TEXT, file]
    )
    return found


@pytest.mark.parametrize(
    "name", ["people", "particles", "accents and scripts", "all columns, semicolons, CRLF"]
)
def test_same_bytes_in_chromium(page: Page, tmp_path: Path, name: str) -> None:
    raw = raw_file(list(PEOPLE)) if name == "people" else CASES[name]
    expected = python_encode(raw, Key(bytes(range(32))), tmp_path)
    got = _in_chromium(page, raw, str(tmp_path / "raw.csv"))
    assert got["secure"] is True
    assert got["problems"] == expected.problems
    assert got["summary"] == expected.summary
    output = None if got["output"] is None else base64.b64decode(got["output"])
    assert output == expected.output
    if name == "people":
        assert output is not None
        assert hashlib.sha256(output).hexdigest() == FILE_SHA256
