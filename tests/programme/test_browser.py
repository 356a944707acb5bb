"""The programme pages in a real browser (Debian's Chromium through Playwright): navigation,
both languages, the JSON twin, and an axe-core accessibility check of every page.

Skipped locally without ``/usr/bin/chromium``; a failure under ``CI=true``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.web.browser import accessible, launch, require_chromium, shot
from tests.web.live import serving
from tests.web.publication import write
from victim_monitor.programme import example_file, import_programme
from victim_monitor.registry.register import open_register
from victim_monitor.web import WebSettings, create_app

require_chromium()


# One worker runs the module: its module fixtures are built once, not once per worker.
pytestmark = pytest.mark.xdist_group("programme_site")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("programme-browser")
    database = f"sqlite:///{folder / 'register.db'}"
    engine = open_register(database)
    assert import_programme(engine, example_file()).ok
    settings = WebSettings(
        database, release_dir=write(folder / "release"), secret="s" * 32, secure_cookies=False
    )
    with serving(create_app(settings, engine)) as url:
        yield url
    engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert [e for e in errors if "Failed to load resource" not in e] == []


def test_from_the_programme_to_a_measure_and_its_twin(
    page: Page, live: str, browser: Browser
) -> None:
    page.goto(f"{live}/nl/programme")
    expect(page.get_by_role("heading", level=1)).to_have_text("Programma en aanbevelingen")
    expect(page.get_by_role("table", name="5. Kennis en informatie delen")).to_be_visible()
    accessible(browser, page.url)
    page.get_by_role("link", name=re.compile(r"Voorlichting over binnenlandse seksuele")).click()
    expect(page).to_have_url(f"{live}/nl/programme/samen-tegen-mensenhandel/measures/VB-01")
    expect(
        page.get_by_text("Dit is een voorbeeld, geen maatregel uit het programma.")
    ).to_be_visible()
    expect(page.get_by_role("table", name="Statusgeschiedenis").get_by_role("row")).to_have_count(4)
    accessible(browser, page.url)
    shot(page, "programme-measure-nl")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^\[Example\] Information")
    )
    page.get_by_role("link", name=re.compile("JSON")).click()
    data = json.loads(page.locator("body").inner_text())
    assert data["code"] == "VB-01"
    assert data["example"] is True


def test_the_recommendations_of_an_edition(page: Page, live: str, browser: Browser) -> None:
    page.goto(f"{live}/en/programme")
    page.get_by_role("link", name="Victim monitor on human trafficking 2014-2018").click()
    expect(page).to_have_url(f"{live}/en/recommendations/2014-2018")
    expect(page.get_by_role("heading", level=2)).to_have_count(5)
    expect(page.get_by_text("not recorded yet.").first).to_be_visible()
    accessible(browser, page.url)
    shot(page, "programme-recommendations-en")
