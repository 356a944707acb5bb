"""Editing the programme register in a real browser (Debian's Chromium through Playwright): the
analyst records a measure's status change and a government response, sees both on the public
pages; a screenshot and an axe-core check of every page visited.

Needs ``/usr/bin/chromium`` (``.ci/run`` installs it); without it the tests are skipped locally
and fail under ``CI=true``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from tests.web.browser import accessible, launch, require_chromium, shot
from tests.web.conftest import PASSWORD, USERS
from tests.web.live import serving
from tests.web.publication import write
from victim_monitor.programme import import_example
from victim_monitor.registry.register import open_register
from victim_monitor.web import WebSettings, accounts, audit, create_app
from victim_monitor.web.accounts import create_user

require_chromium()


# One worker runs the module: its module fixtures are built once, not once per worker.
pytestmark = pytest.mark.xdist_group("programme_browser")


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The register behind the server: the example programme and one user per role."""
    folder = tmp_path_factory.mktemp("programme-edit")
    engine = open_register(f"sqlite:///{folder / 'register.db'}")
    assert import_example(engine).ok
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def live(register: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("programme-release")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        for name, (role, org) in USERS.items():
            create_user(register, name, PASSWORD, role, organisation=org)
        settings = WebSettings(
            str(register.url), release_dir=write(folder / "release"), secret="s" * 32,
            secure_cookies=False,
        )  # fmt: skip
        with serving(create_app(settings, register)) as url:
            yield url
            assert audit.verify(register).intact


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()


@pytest.fixture
def answers() -> set[int]:
    """HTTP statuses a test expects a page to answer with (Chromium logs them as errors)."""
    return set()


@pytest.fixture
def page(browser: Browser, answers: set[int]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    # Nothing the pages load is blocked by their own CSP, and no script fails; the only
    # errors are the refusals the test asked for.
    expected = {
        f"Failed to load resource: the server responded with a status of {n}" for n in answers
    }
    assert [e for e in errors if not any(e.startswith(x) for x in expected)] == []


def log_in(page: Page, live: str, username: str) -> None:
    page.goto(f"{live}/en/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/en/workspace/$"))


def test_the_analyst_records_a_status_change_and_a_government_response(
    page: Page, live: str, browser: Browser, register: Engine
) -> None:
    log_in(page, live, "analyst")
    page.get_by_role("link", name="Update the programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update the programme")
    accessible(browser, page.url, page.context.cookies())
    page.get_by_role(
        "link", name=re.compile(r"Record a change: \[Example\] A human-trafficking officer")
    ).click()
    expect(page).to_have_url(
        f"{live}/en/workspace/programme/samen-tegen-mensenhandel/measures/VB-04"
    )
    expect(page.locator("#current-status")).to_have_text("Running")
    page.get_by_label("Status", exact=True).select_option("delayed")
    page.get_by_label("Date", exact=True).fill("2020-03-16")
    page.get_by_label("Evidence (Dutch)").fill("Voorbeeld: teams tijdelijk niet bijeen.")
    page.get_by_label("Evidence (English)").fill("Example: teams could not meet for a while.")
    page.get_by_label("Source (web address, optional)").fill("https://example.org/voortgang")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_have_text("Recorded and added to the history.")
    expect(page.locator("#current-status")).to_have_text("Delayed")
    history = page.get_by_role("table", name="Status history")
    expect(history.get_by_role("row").last).to_contain_text("2020-03-16")
    shot(page, "programme-edit")
    accessible(browser, page.url, page.context.cookies())

    # The same change on the public page, in Dutch, for anyone.
    page.get_by_role("link", name="public page").click()
    page.get_by_role("link", name="Nederlands").click()
    expect(page.get_by_role("table", name="Statusgeschiedenis")).to_contain_text(
        "Voorbeeld: teams tijdelijk niet bijeen."
    )
    accessible(browser, page.url, [])

    # A government response: a dated follow-up with its source, shown with the recommendation.
    page.goto(f"{live}/en/recommendations/2014-2018")
    page.get_by_role("link", name="Record follow-up (2)").click()
    page.get_by_label("Follow-up", exact=True).select_option("partly_implemented")
    page.get_by_label("Date", exact=True).fill("2019-11-28")
    page.get_by_label("Evidence (Dutch)").fill("Kabinetsreactie (verzonnen): verkenning CBS.")
    page.get_by_label("Evidence (English)").fill("Government response (made-up): CBS explored.")
    page.get_by_label("Source (web address, optional)").fill("https://example.org/kamerbrief")
    page.get_by_role("button", name="Record").click()
    expect(page.locator("#current-status")).to_have_text("Partly implemented")
    accessible(browser, page.url, page.context.cookies())
    page.goto(f"{live}/en/recommendations/2014-2018#r2")
    expect(page.locator("#r2")).to_contain_text("Government response (made-up): CBS explored.")
    expect(page.locator("#r2")).to_contain_text("Follow-up: Partly implemented")
    for action in ("programme_status", "programme_followup"):
        assert audit.events(register, action=action), action


def test_a_refused_change_shows_its_problems(
    page: Page, live: str, browser: Browser, answers: set[int]
) -> None:
    answers.add(422)
    log_in(page, live, "analyst")
    page.goto(f"{live}/en/workspace/recommendations/2014-2018/3")
    page.get_by_label("Evidence (Dutch)").fill("Alleen Nederlands.")
    page.get_by_label("Evidence (English)").fill(" ")  # passes the browser's check; not ours
    page.get_by_role("button", name="Record").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Not recorded; nothing was written")
    expect(alert).to_contain_text("VM604")
    accessible(browser, page.url, page.context.cookies())


def test_other_roles_see_no_edit_link(page: Page, live: str, answers: set[int]) -> None:
    answers.add(403)
    log_in(page, live, "staff")
    expect(page.get_by_role("link", name="Update the programme")).to_have_count(0)
    page.goto(f"{live}/en/programme/samen-tegen-mensenhandel/measures/VB-04")
    expect(page.get_by_role("link", name="Record a status change")).to_have_count(0)
    page.goto(f"{live}/en/workspace/programme")
    expect(page.get_by_role("heading", level=1)).to_contain_text("403")
