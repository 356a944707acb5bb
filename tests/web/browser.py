"""What the browser tests share: Debian's Chromium through Playwright, screenshots, axe-core.

Each browser test module calls :func:`require_chromium` at import: without
``/usr/bin/chromium`` its tests are skipped locally and fail under ``CI=true`` (``.ci/run``
installs Debian's chromium; a browser is never downloaded).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_chromium() -> None:
    """Skip the calling module without Chromium; fail it under ``CI=true``."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but /usr/bin/chromium is missing (apt-get install chromium)")
    pytest.skip("no /usr/bin/chromium", allow_module_level=True)


def launch() -> Iterator[Browser]:
    """Debian's Chromium, headless, for a module-scoped ``browser`` fixture."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


def shot(page: Page, name: str) -> None:
    """A full-page screenshot in ``out/screenshots/NAME.png``, for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def accessible(browser: Browser, url: str, cookies: Iterable[Any] = ()) -> None:
    """axe-core (WCAG 2.1 A/AA) finds nothing on ``url``, in a context that may inject it."""
    context = browser.new_context(bypass_csp=True)
    context.add_cookies(list(cookies))
    page = context.new_page()
    page.goto(url)
    page.add_script_tag(content=AXE.read_text("utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    context.close()
    problems = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]
    assert problems == [], f"{url}: {problems}"
