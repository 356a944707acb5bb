"""The main flows in a real browser (Debian's Chromium through Playwright), with screenshots
and an axe-core accessibility check of every page visited.

Screenshots go to ``out/screenshots/`` for review. Needs ``/usr/bin/chromium`` (``.ci/run``
installs it); without it the tests are skipped locally and fail under ``CI=true``.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.pseudonymise.people import PEOPLE
from tests.registry import factory
from tests.web.browser import accessible, launch, require_chromium, shot
from tests.web.conftest import PASSWORD, USERS
from tests.web.live import serving
from tests.web.publication import write
from tests.web.register import Register, bad_file, fixed_file, populate
from victim_monitor.pseudonymise import encode_file, write_key
from victim_monitor.registry.register import open_register
from victim_monitor.storage.schema import submissions
from victim_monitor.web import WebSettings, accounts, create_app
from victim_monitor.web.accounts import create_user

require_chromium()


@dataclass(frozen=True)
class Live:
    url: str
    register: Register
    files: Path


# One worker runs the module: its module fixtures are built once, not once per worker.
pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("browser")
    database = f"sqlite:///{folder / 'register.db'}"
    engine = open_register(database)
    register = populate(engine, folder / "files")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        for name, (role, org) in USERS.items():
            create_user(engine, name, PASSWORD, role, organisation=org)
        settings = WebSettings(
            database, release_dir=write(folder / "release"), secret="s" * 32, secure_cookies=False
        )
        with serving(create_app(settings, engine)) as url:
            yield Live(url, register, folder)
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
    # Nothing the pages load is blocked by their own CSP, and no script fails.
    assert errors == []


def log_in(page: Page, live: Live, username: str) -> None:
    page.goto(f"{live.url}/en/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/en/workspace/$"))


def test_dashboard_in_both_languages(page: Page, live: Live, browser: Browser) -> None:
    page.goto(f"{live.url}/")
    expect(page).to_have_url(f"{live.url}/nl/")
    expect(page.get_by_role("heading", level=2).first).to_have_text("Geregistreerde slachtoffers")
    shot(page, "dashboard-nl")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{live.url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # The factsheet's own charts (Altair, vl-convert SVG), under the page's strict CSP.
    expect(page.locator("figure.factsheet-chart svg").first).to_be_visible()
    page.get_by_role("link", name="Victims by form of exploitation").click()
    page.get_by_label("From year").select_option("2015")
    page.get_by_label("Form of exploitation", exact=True).select_option("labour")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"year_from=2015.*group=labour"))
    expect(page.locator("table.data tbody tr")).to_have_count(2)
    page.goto(f"{live.url}/en/tables/victims_by_form")
    expect(page.locator("table.data .suppressed")).to_have_count(4)
    shot(page, "table-en")
    page.get_by_role("link", name="Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Slachtoffers naar uitbuitingsvorm")
    shot(page, "table-nl")
    for path in ("/nl/", "/en/", "/en/tables/victims_by_form", "/nl/downloads", "/en/login"):
        accessible(browser, live.url + path, [])


def test_upload_a_bad_file_see_its_problems_fix_and_reupload(
    page: Page, live: Live, browser: Browser, tmp_path: Path
) -> None:
    log_in(page, live, "reporter")
    page.get_by_role("link", name="Submissions").first.click()
    page.get_by_label("File").set_input_files(str(bad_file(tmp_path, first=11)))
    page.get_by_role("button", name="Upload a submission").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(rejected)")
    problems = page.locator("table.problems tbody tr")
    expect(problems.filter(has_text="VM203")).to_contain_text("report_date")
    expect(problems.filter(has_text="VM203").locator("td").first).to_have_text("3")
    shot(page, "submission-rejected")
    accessible(browser, page.url, page.context.cookies())
    page.get_by_role("link", name="Submissions").first.click()
    page.get_by_label("File").set_input_files(str(fixed_file(tmp_path, first=11)))
    page.get_by_role("button", name="Upload a submission").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(accepted)")
    shot(page, "submission-accepted")
    page.get_by_role("link", name="Submissions").first.click()
    accessible(browser, page.url, page.context.cookies())


def test_review_a_pair(page: Page, live: Live, browser: Browser) -> None:
    log_in(page, live, "staff")
    page.get_by_role("link", name="Review").first.click()
    pair = page.locator(f"#pair-{live.register.pair_id}").locator("..")
    expect(pair).to_contain_text("same date")
    accessible(browser, page.url, page.context.cookies())
    shot(page, "review-queue")
    pair.get_by_label("Different persons").check()
    pair.get_by_label("Reason").fill("different birth years on the paper files")
    pair.get_by_role("button", name="Decide").click()
    expect(page.get_by_text("No pairs.")).to_be_visible()
    page.goto(f"{live.url}/en/workspace/review?status=different")
    expect(page.get_by_text("(staff)")).to_be_visible()
    shot(page, "review-decided")
    page.get_by_role("link", name="Persons").first.click()
    page.get_by_role("link", name=str(live.register.person_id)).click()
    expect(page.get_by_text("Domestic sexual exploitation")).to_be_visible()
    expect(page.get_by_text("CASE-000101")).to_be_visible()
    shot(page, "person")
    accessible(browser, page.url, page.context.cookies())


def test_admin_sees_the_audit_trail(page: Page, live: Live, browser: Browser) -> None:
    log_in(page, live, "admin")
    page.get_by_role("link", name="Audit trail").first.click()
    expect(page.get_by_role("status")).to_contain_text("intact")
    shot(page, "audit-trail")
    accessible(browser, page.url, page.context.cookies())
    page.get_by_role("link", name="Users").first.click()
    accessible(browser, page.url, page.context.cookies())
    shot(page, "users")


def test_encode_in_the_browser_and_upload_only_the_result(
    page: Page, live: Live, browser: Browser, tmp_path: Path
) -> None:
    """Same bytes as ``victim-monitor encode``; the raw file is never sent."""
    key = factory.KEY  # the register's key: another would be refused (VM303)
    write_key(key, tmp_path / "pol.key")
    raw = tmp_path / "raw.csv"
    with raw.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(PEOPLE[0]))
        writer.writeheader()
        writer.writerows(PEOPLE[:2])
    expected = encode_file(raw, key, tmp_path / "expected.csv")
    assert expected.ok
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    log_in(page, live, "reporter")
    page.get_by_role("link", name="Encode in the browser").click()
    accessible(browser, page.url, page.context.cookies())
    assert page.locator("#raw-file").get_attribute("name") is None
    page.get_by_label("File with names (CSV)").set_input_files(str(raw))
    page.get_by_label("Key file").set_input_files(str(tmp_path / "pol.key"))
    shot(page, "encode-page")
    page.get_by_role("button", name="Encode and upload").click()
    expect(page).to_have_url(re.compile(r"/en/workspace/submissions/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("raw-encoded.csv (accepted)")
    shot(page, "encode-uploaded")
    digest = hashlib.sha256((tmp_path / "expected.csv").read_bytes()).hexdigest()
    engine = open_register(f"sqlite:///{live.files / 'register.db'}")
    with engine.connect() as conn:
        stored = conn.scalar(select(submissions.c.content_sha256).order_by(submissions.c.id.desc()))
    engine.dispose()
    assert stored == digest
    # One upload, whose stored bytes are the encoder's output (the hash above); the raw file's
    # input has no name, so no form can send it.
    assert [u for u in posts if u.endswith("/workspace/submissions")] == [
        f"{live.url}/en/workspace/submissions"
    ]


def test_publish(page: Page, live: Live, browser: Browser) -> None:
    """Last in this module: it replaces the publication the other tests read."""
    log_in(page, live, "analyst")
    page.get_by_role("link", name="Publish").first.click()
    accessible(browser, page.url, page.context.cookies())
    page.get_by_label("From year").fill("2018")
    page.get_by_label("To year").fill("2018")
    page.get_by_role("button", name="Publish").click()
    # A job: its page reloads itself (a Refresh header) until the publication is done.
    expect(page.get_by_role("status")).to_contain_text("audit passed", timeout=120_000)
    shot(page, "published")
    page.get_by_role("link", name="Figures").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Victim monitor human trafficking 2018-2018"
    )
    # One year: no chart (a series is drawn from two years on); the tables say it all.
    expect(page.locator("figure.factsheet-chart")).to_have_count(0)
    shot(page, "dashboard-published")
    accessible(browser, page.url, [])
