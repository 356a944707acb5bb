"""Accounts under attack: the login throttle, sessions, the password policy, identifiers.

M4: a guesser is slowed with growing delays, never the owner in a browser they logged in from
before; an admin clears a delay; X-Forwarded-For counts only from a configured proxy. M6:
blocking, a password change and an admin end sessions, and unblocking revives none. L2/L3: weak
and over-long passwords, look-alike usernames and organisation codes are refused. M1: argon2
runs off the event loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from tests.web.conftest import PASSWORD, Login, csrf_of, log_in
from victim_monitor.cli import main
from victim_monitor.registry.organisations import OrganisationsFileError, load_organisations
from victim_monitor.registry.register import open_register
from victim_monitor.storage.schema import web_sessions
from victim_monitor.web import (
    WebSettings,
    accounts,
    audit,
    create_app,
    serve,
    throttle,
)
from victim_monitor.web.accounts import AccountError, Role, create_user, set_password

GUESS = "wrong password!"
NEW_PASSWORD = "a new phrase of four words"
OWNER, GUESSER = "198.51.100.7", "203.0.113.66"


def _browser(app: Any, address: str) -> TestClient:
    return TestClient(
        app, base_url="https://testserver", follow_redirects=False, client=(address, 4321)
    )


def _post_login(client: TestClient, username: str, password: str, **headers: str) -> Any:
    token = csrf_of(client, "/en/login")
    return client.post(
        "/en/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
    )


def _user_id(admin: TestClient, username: str) -> int:
    users = admin.get("/api/admin/users").json()
    return int(next(u["id"] for u in users if u["username"] == username))


def _admin_post(admin: TestClient, path: str, **data: str) -> Any:
    return admin.post(path, data={"csrf_token": csrf_of(admin, "/en/admin/users"), **data})


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``later(s)``: the throttle's clock ``s`` seconds ahead of real time (the trail keeps its
    real times); ``later(0)``: back to real time."""
    ahead = [0.0]
    monkeypatch.setattr(
        throttle, "_now", lambda: dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ahead[0])
    )

    def set_ahead(seconds: float) -> None:
        ahead[0] = seconds

    return set_ahead


def _sessions_of(engine: Engine, user_id: int) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(web_sessions)
        return int(conn.scalar(query.where(web_sessions.c.user_id == user_id)) or 0)


# --- M4: the throttle --------------------------------------------------------------------------


def test_the_owner_logs_in_from_a_known_browser_while_a_guesser_is_delayed(
    app_client: TestClient,
) -> None:
    app = app_client.app
    owner = _browser(app, OWNER)
    assert _post_login(owner, "staff", PASSWORD).status_code == 303
    assert throttle.DEVICE_COOKIE in owner.cookies
    owner.cookies.delete("vm_session")  # logged out; the browser is still known
    guesser = _browser(app, GUESSER)
    for _ in range(throttle.FREE_PER_USER_CLIENT):
        assert _post_login(guesser, "staff", GUESS).status_code == 401
    refused = _post_login(guesser, "staff", PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert "Too many failed attempts. Try again in" in refused.text
    # A cookie signed under another secret, or another user's, is no known browser.
    secret = app.state.web.settings.secret  # type: ignore[attr-defined]
    for forged in (
        throttle.device_cookie("another-secret-entirely", "staff"),
        throttle.device_cookie(secret, "analyst"),
    ):
        guesser.cookies.set(throttle.DEVICE_COOKIE, forged)
        assert _post_login(guesser, "staff", PASSWORD).status_code == 429
    assert _post_login(owner, "staff", PASSWORD).status_code == 303
    # The owner's browser behind the guesser's address (one office, one NAT) gets in too.
    owner_behind = _browser(app, GUESSER)
    owner_behind.cookies.set(throttle.DEVICE_COOKIE, owner.cookies[throttle.DEVICE_COOKIE])
    assert _post_login(owner_behind, "staff", PASSWORD).status_code == 303
    # Another user from the guesser's address is not delayed.
    assert _post_login(_browser(app, GUESSER), "analyst", PASSWORD).status_code == 303


def test_delays_grow_with_each_failure_and_run_out(app_client: TestClient, later: Any) -> None:
    guesser = _browser(app_client.app, GUESSER)
    for _ in range(throttle.FREE_PER_USER_CLIENT):
        assert _post_login(guesser, "staff", GUESS).status_code == 401
    waits = []
    for step in range(4):
        refused = _post_login(guesser, "staff", GUESS)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        later(2**step + 1)  # past the delay: one more guess is heard
        assert _post_login(guesser, "staff", GUESS).status_code == 401
        later(0)
    assert waits == [1, 2, 4, 8]
    later(throttle.CAP + 1)
    assert _post_login(guesser, "staff", PASSWORD).status_code == 303


def test_guesses_spread_over_addresses_still_slow_down(app_client: TestClient) -> None:
    for n in range(throttle.FREE_PER_USER):
        address = f"192.0.2.{n + 1}"
        assert _post_login(_browser(app_client.app, address), "staff", GUESS).status_code == 401
    assert _post_login(_browser(app_client.app, "192.0.2.200"), "staff", GUESS).status_code == 429


def test_an_admin_clears_a_username_and_an_address(
    app_client: TestClient, login: Login, engine: Engine
) -> None:
    app = app_client.app
    guesser = _browser(app, GUESSER)
    for _ in range(throttle.FREE_PER_USER_CLIENT):
        assert _post_login(guesser, "staff", GUESS).status_code == 401
    assert _post_login(guesser, "staff", PASSWORD).status_code == 429
    admin = login("admin")
    cleared = _admin_post(admin, f"/en/admin/users/{_user_id(admin, 'staff')}/throttle")
    assert cleared.status_code == 303
    assert _post_login(guesser, "staff", PASSWORD).status_code == 303
    sprayer = _browser(app, "192.0.2.99")
    for n in range(throttle.FREE_PER_CLIENT):
        assert _post_login(sprayer, f"nobody{n}", GUESS).status_code == 401
    assert _post_login(sprayer, "analyst", PASSWORD).status_code == 429
    assert _admin_post(admin, "/en/admin/throttle", client="not an address").status_code == 422
    assert _admin_post(admin, "/en/admin/throttle", client="192.0.2.99").status_code == 303
    assert _post_login(sprayer, "analyst", PASSWORD).status_code == 303
    clears = [e.record for e in audit.events(engine, action=throttle.CLEARED)]
    assert clears == ["client:192.0.2.99", "user:staff"]


def test_x_forwarded_for_counts_only_from_a_configured_proxy(
    app_client: TestClient, web_settings: WebSettings, engine: Engine
) -> None:
    direct = _browser(app_client.app, GUESSER)
    for n in range(throttle.FREE_PER_USER_CLIENT):  # a new forged address for every guess
        forged = {"X-Forwarded-For": f"10.9.8.{n}"}
        assert _post_login(direct, "staff", GUESS, **forged).status_code == 401
    assert (
        _post_login(direct, "staff", GUESS, **{"X-Forwarded-For": "10.9.8.77"}).status_code == 429
    )
    recorded = {e.detail["client"] for e in audit.events(engine, action="login_failed")}
    assert recorded == {GUESSER}

    proxied = create_app(
        dataclasses.replace(web_settings, forwarded_allow_ips=("127.0.0.0/8",)), engine
    )
    proxy = _browser(proxied, "127.0.0.1")
    response = _post_login(proxy, "analyst", GUESS, **{"X-Forwarded-For": "192.0.2.44"})
    assert response.status_code == 401
    assert audit.events(engine, action="login_failed", limit=1)[0].detail["client"] == "192.0.2.44"
    not_a_proxy = _browser(proxied, "192.0.2.50")
    _post_login(not_a_proxy, "analyst", GUESS, **{"X-Forwarded-For": "192.0.2.45"})
    assert audit.events(engine, action="login_failed", limit=1)[0].detail["client"] == "192.0.2.50"


def test_serve_trusts_no_proxy_unless_told(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: dict[str, WebSettings] = {}
    monkeypatch.setattr(serve, "run", lambda settings, *args: seen.update(settings=settings))
    monkeypatch.delenv("VICTIM_MONITOR_FORWARDED_ALLOW_IPS", raising=False)
    url = f"sqlite:///{tmp_path / 'r.db'}"

    def trusted(*args: str) -> tuple[str, ...]:
        assert CliRunner().invoke(main, ["serve", "--database", url, *args]).exit_code == 0
        return seen["settings"].forwarded_allow_ips

    assert trusted() == ()
    assert trusted("--forwarded-allow-ips", "10.0.0.1, 192.168.0.0/16") == (
        "10.0.0.1",
        "192.168.0.0/16",
    )
    bad = CliRunner().invoke(main, ["serve", "--forwarded-allow-ips", "proxy.example"])
    assert bad.exit_code == 2
    assert "not an IP address or network" in bad.output


@pytest.mark.parametrize("workers", [1, 2])
def test_uvicorn_believes_no_forwarded_header_itself(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, workers: int
) -> None:
    """uvicorn's own handling trusted X-Forwarded-For from loopback; the app decides now."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: calls.append(kwargs))
    # Several workers: each on a socket of its own (web.workers), with the same options.
    monkeypatch.setattr(
        "victim_monitor.web.workers.serve",
        lambda app, host, port, workers, options: calls.append(dict(options)) or 0,
    )
    for name in ("DATABASE_URL", "RELEASE_DIR", "SECRET", "SECURE_COOKIES", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(f"VICTIM_MONITOR_{name}", raising=False)  # run() sets them
    settings = WebSettings(f"sqlite:///{tmp_path / 'r.db'}", forwarded_allow_ips=("10.0.0.1",))
    open_register(settings.database_url).dispose()  # serving never makes a register (VM903)
    serve.run(settings, "127.0.0.1", 8000, workers)
    assert calls[-1]["proxy_headers"] is False


def test_at_most_one_attempt_per_username_is_verified_at_once() -> None:
    attempt = throttle.Attempt("staff", GUESSER)
    with throttle.slot(attempt) as first, throttle.slot(attempt) as second:
        assert (first, second) == (True, False)
    with throttle.slot(attempt) as again:
        assert again


def test_the_delay_doubles_up_to_its_cap() -> None:
    free = throttle.FREE_PER_USER_CLIENT
    assert [throttle.delay(n, free) for n in range(free + 3)] == [0] * free + [1, 2, 4]
    assert throttle.delay(free + 1000, free) == throttle.CAP


# --- M6: sessions -----------------------------------------------------------------------------


def test_blocking_ends_sessions_and_unblocking_revives_none(
    app_client: TestClient, login: Login, engine: Engine
) -> None:
    staff = _browser(app_client.app, OWNER)
    assert _post_login(staff, "staff", PASSWORD).status_code == 303
    assert staff.get("/api/workspace/submissions").status_code == 200
    admin = login("admin")
    staff_id = _user_id(admin, "staff")
    assert _admin_post(admin, f"/en/admin/users/{staff_id}/active", active="0").status_code == 303
    assert _sessions_of(engine, staff_id) == 0
    assert _admin_post(admin, f"/en/admin/users/{staff_id}/active", active="1").status_code == 303
    assert staff.get("/api/workspace/submissions").status_code == 401


def test_a_password_change_ends_the_other_sessions(app_client: TestClient, engine: Engine) -> None:
    app = app_client.app
    here, elsewhere = _browser(app, OWNER), _browser(app, "192.0.2.3")
    for browser in (here, elsewhere):
        assert _post_login(browser, "staff", PASSWORD).status_code == 303
    page = "/en/workspace/password"
    changed = here.post(
        page,
        data={"csrf_token": csrf_of(here, page), "current": PASSWORD, "new": NEW_PASSWORD,
              "repeat": NEW_PASSWORD},
    )  # fmt: skip
    assert changed.status_code == 303, changed.text
    assert "Your password has been changed" in here.get(changed.headers["location"]).text
    assert elsewhere.get("/api/workspace/submissions").status_code == 401
    assert here.get("/api/workspace/submissions").status_code == 200  # a new session here
    staff = next(u for u in accounts.list_users(engine) if u.username == "staff")
    assert _sessions_of(engine, staff.id) == 1
    assert log_in(_browser(app, OWNER), "staff", PASSWORD) == 401
    assert log_in(_browser(app, OWNER), "staff", NEW_PASSWORD) == 303
    assert audit.events(engine, action="change_password")[0].actor == "staff"


def test_a_wrong_current_password_changes_nothing_and_counts_as_a_failure(
    login: Login, engine: Engine
) -> None:
    client = login("staff")
    page = "/en/workspace/password"
    for _ in range(throttle.FREE_PER_USER_CLIENT):
        wrong = client.post(
            page,
            data={"csrf_token": csrf_of(client, page), "current": GUESS, "new": NEW_PASSWORD,
                  "repeat": NEW_PASSWORD},
        )  # fmt: skip
        assert wrong.status_code == 422
        assert "The current password is wrong" in wrong.text
    last = client.post(
        page,
        data={"csrf_token": csrf_of(client, page), "current": PASSWORD, "new": NEW_PASSWORD,
              "repeat": NEW_PASSWORD},
    )  # fmt: skip
    assert last.status_code == 429
    assert len(audit.events(engine, action="login_failed")) == throttle.FREE_PER_USER_CLIENT


def test_a_password_change_ends_every_session_in_the_library(
    app_client: TestClient, engine: Engine
) -> None:
    staff = _browser(app_client.app, OWNER)
    assert _post_login(staff, "staff", PASSWORD).status_code == 303
    user = next(u for u in accounts.list_users(engine) if u.username == "staff")
    set_password(engine, user.id, NEW_PASSWORD)
    assert staff.get("/api/workspace/submissions").status_code == 401


def test_an_admin_ends_a_users_sessions(
    app_client: TestClient, login: Login, engine: Engine
) -> None:
    staff = _browser(app_client.app, OWNER)
    assert _post_login(staff, "staff", PASSWORD).status_code == 303
    admin = login("admin")
    staff_id = _user_id(admin, "staff")
    assert re.search(r"<td>staff</td>.*?<td>1</td>", admin.get("/en/admin/users").text, re.S)
    assert _admin_post(admin, f"/en/admin/users/{staff_id}/sessions").status_code == 303
    assert staff.get("/api/workspace/submissions").status_code == 401
    event = audit.events(engine, action="end_sessions")[0]
    assert (event.actor, event.record, event.detail) == ("admin", "user:staff", {"ended": 1})
    assert _admin_post(admin, "/en/admin/users/999/sessions").status_code == 404


# --- L2: the password policy ------------------------------------------------------------------

WEAK = [
    ("aaaaaaaaaaaa", "repeat one character", "één teken"),
    (" " * 12, "only spaces", "alleen uit spaties"),
    ("abcabcabcabc", "repeat one character or a short pattern", "kort patroon"),
    ("newcomer", "at least 12 characters", "minstens 12 tekens"),
    ("newcomer2024", "cannot contain the username", "gebruikersnaam niet bevatten"),
    ("My-NEWCOMER-account", "cannot contain the username", "gebruikersnaam niet bevatten"),
    ("password1234", "too common", "te gewoon"),
    ("P@ssw0rd2024!", "too common", "te gewoon"),
    ("iloveyou iloveyou", "too common", "te gewoon"),
    ("iloveyouiloveyou", "too common", "te gewoon"),
    ("mensenhandel2024", "too common", "te gewoon"),
    ("x" * 2000, "at most 1,024 characters", "hoogstens 1024 tekens"),
]


@pytest.mark.parametrize(("password", "english", "dutch"), WEAK)
def test_weak_passwords_are_refused_with_a_clear_message(
    login: Login, engine: Engine, password: str, english: str, dutch: str
) -> None:
    admin = login("admin")
    for lang, message in (("en", english), ("nl", dutch)):
        page = f"/{lang}/admin/users"
        refused = admin.post(
            page,
            data={"csrf_token": csrf_of(admin, page), "username": "newcomer", "role": "staff",
                  "password": password},
        )  # fmt: skip
        assert refused.status_code == 422
        assert message in refused.text
    assert "newcomer" not in {u.username for u in accounts.list_users(engine)}


def test_the_longest_password_that_can_be_set_logs_in_and_a_longer_one_does_not(
    app_client: TestClient, engine: Engine
) -> None:
    longest = ("a phrase that goes on " * 50)[:1024]
    create_user(engine, "longwinded", longest, Role.STAFF)
    assert log_in(_browser(app_client.app, OWNER), "longwinded", longest) == 303
    # Longer is wrong, not cut to fit (the old form cut it to 1,024 characters).
    assert log_in(_browser(app_client.app, OWNER), "longwinded", longest + "!") == 401


# --- L3: identifiers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username",
    ["\u0455taff", "st\u0430ff", "\u0430dmin2", "-staff", "staff\u200b", "ad min", "x" * 65],
)
def test_look_alike_and_unsafe_usernames_are_refused(engine: Engine, username: str) -> None:
    with pytest.raises(AccountError, match="letters \\(a-z\\), digits"):
        create_user(engine, username, NEW_PASSWORD, Role.STAFF)


def test_usernames_are_nfkc_normalised(engine: Engine) -> None:
    user = create_user(
        engine, "\uff53\uff54\uff41\uff46\uff46", NEW_PASSWORD, Role.STAFF
    )  # fullwidth
    assert user.username == "staff"
    with pytest.raises(AccountError, match="taken"):
        create_user(engine, "STAFF", NEW_PASSWORD, Role.ANALYST)
    assert accounts.authenticate(engine, "\uff33\uff34\uff21\uff26\uff26", NEW_PASSWORD) is not None


def test_look_alike_organisation_codes_are_refused(login: Login, tmp_path: Path) -> None:
    admin = login("admin")
    page = "/en/admin/organisations"
    for code in ("\u0420OL", "PO\u04101", "POL-2", "P O L"):  # Cyrillic Р and Ӑ look like Latin
        refused = admin.post(
            page,
            data={"csrf_token": csrf_of(admin, page), "code": code, "name_nl": "Nep",
                  "name_en": "Fake", "reporter_type": "police", "investigative": "1",
                  "estimation_list": "P"},
        )  # fmt: skip
        assert refused.status_code == 422, code
        assert "capital letters (A-Z) or digits" in refused.text
    toml = tmp_path / "orgs.toml"
    toml.write_text(
        '[[organisation]]\ncode = "\u0420OL"\nname_nl = "x"\nname_en = "x"\n'
        'reporter_type = "police"\ninvestigative = true\nlist = "P"\n',
        "utf-8",
    )
    with pytest.raises(OrganisationsFileError, match="capital letters"):
        load_organisations(toml)


def test_a_reporter_of_a_look_alike_organisation_is_refused(engine: Engine) -> None:
    with pytest.raises(AccountError, match="capital letters"):
        create_user(engine, "newreporter", NEW_PASSWORD, Role.REPORTER, organisation="\u0420OL")


def test_the_demo_passwords_satisfy_the_policy() -> None:
    from victim_monitor.web import demo, passwords

    for username, *_ in demo.ACCOUNTS:
        assert passwords.problem(demo._password(username), username) is None


# --- M1: argon2 off the event loop -------------------------------------------------------------


def _off_the_loop(function: Any, calls: list[bool]) -> Any:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
            calls.append(False)
        except RuntimeError:
            calls.append(True)
        return function(*args, **kwargs)

    return wrapped


def test_password_hashing_runs_off_the_event_loop(
    app_client: TestClient, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []
    web = "victim_monitor.web"
    monkeypatch.setattr(
        f"{web}.workspace.authenticate", _off_the_loop(accounts.authenticate, calls)
    )
    assert log_in(_browser(app_client.app, OWNER), "staff", GUESS) == 401
    assert log_in(_browser(app_client.app, OWNER), "staff", PASSWORD) == 303
    monkeypatch.setattr(f"{web}.admin.create_user", _off_the_loop(accounts.create_user, calls))
    admin = login("admin")
    made = admin.post(
        "/en/admin/users",
        data={"csrf_token": csrf_of(admin, "/en/admin/users"), "username": "newcomer",
              "role": "staff", "password": NEW_PASSWORD},
    )  # fmt: skip
    assert made.status_code == 303
    for name in ("set_password", "authenticate"):
        wrapped = _off_the_loop(getattr(accounts, name), calls)
        monkeypatch.setattr(f"{web}.password_change.{name}", wrapped)
    client = login("staff")
    page = "/en/workspace/password"
    client.post(
        page,
        data={"csrf_token": csrf_of(client, page), "current": PASSWORD, "new": NEW_PASSWORD,
              "repeat": NEW_PASSWORD},
    )  # fmt: skip
    assert len(calls) >= 6  # logins, the user made, the password checked and changed
    assert all(calls)


def test_the_users_page_lists_the_admin_actions(login: Login) -> None:
    page = login("admin").get("/nl/admin/users").text
    for words in ("Sessies beëindigen van staff", "Inlogvertraging opheffen van staff"):
        assert words in page
