"""The app in-process on each database, a made-up publication, and a logged-in client per role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web.publication import write
from victim_monitor.web import WebSettings, accounts, create_app
from victim_monitor.web.accounts import Role, create_user

PASSWORD = "correct horse battery"
USERS = {
    "reporter": (Role.REPORTER, "POL"),
    "other_reporter": (Role.REPORTER, "KMAR"),
    "staff": (Role.STAFF, None),
    "analyst": (Role.ANALYST, None),
    "admin": (Role.ADMIN, None),
}

Login = Callable[[str | None], TestClient]


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its smallest cost: the tests check the flow, not the hash's strength."""
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def release_dir(tmp_path: Path) -> Path:
    return write(tmp_path / "release")


@pytest.fixture
def web_settings(engine: Engine, database_url: str, release_dir: Path) -> WebSettings:
    return WebSettings(
        database_url=database_url,
        release_dir=release_dir,
        secret="test-secret-of-enough-length",
        secure_cookies=True,
    )


@pytest.fixture
def app_client(web_settings: WebSettings, engine: Engine) -> Iterator[TestClient]:
    for name, (role, org) in USERS.items():
        create_user(engine, name, PASSWORD, role, organisation=org)
    app = create_app(web_settings, engine)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client


def csrf_of(client: TestClient, page: str) -> str:
    html = client.get(page).text
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, f"no CSRF token on {page}"
    return found.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> int:
    token = csrf_of(client, "/en/login")
    response = client.post(
        "/en/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return response.status_code


@pytest.fixture
def login(app_client: TestClient) -> Login:
    """A client logged in as ``username`` (None: anonymous); one shared cookie jar, reset."""

    def as_user(username: str | None) -> TestClient:
        app_client.cookies.clear()
        if username is not None:
            assert log_in(app_client, username) == 303
        return app_client

    return as_user
