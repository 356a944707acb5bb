"""The role matrix: every endpoint of the app with every role; nothing read outside a right.

The expected rights are written here, independently of the app's own table, so a route that
is opened by mistake fails. A workspace or admin route missing from ``EXPECTED`` fails too;
any other route is taken as a public page and must answer everyone without a server error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web.conftest import USERS, Login, csrf_of
from tests.web.register import MARKERS, Register, populate
from victim_monitor.programme import import_example

PUBLIC = "public"
LOGGED_IN = "logged_in"
ROLES: tuple[str | None, ...] = (None, *USERS)

# (method, path) -> who may: PUBLIC, LOGGED_IN, or the set of user names allowed.
EXPECTED: dict[tuple[str, str], str | frozenset[str]] = {
    ("GET", "/"): PUBLIC,
    ("GET", "/{lang:lang}/"): PUBLIC,
    ("GET", "/api/overview"): PUBLIC,
    ("GET", "/{lang:lang}/tables/{name}"): PUBLIC,
    ("GET", "/api/tables/{name}"): PUBLIC,
    ("GET", "/{lang:lang}/downloads"): PUBLIC,
    ("GET", "/downloads/{path:path}"): PUBLIC,
    ("GET", "/factsheets/{name}"): PUBLIC,
    ("GET", "/{lang:lang}/login"): PUBLIC,
    ("POST", "/{lang:lang}/login"): PUBLIC,
    ("POST", "/{lang:lang}/logout"): PUBLIC,
    # The programme register (victim_monitor.web.programme_routes): public pages and twins.
    ("GET", "/{lang:lang}/programme"): PUBLIC,
    ("GET", "/api/programme"): PUBLIC,
    ("GET", "/{lang:lang}/programme/{programme}/measures/{code}"): PUBLIC,
    ("GET", "/api/programme/{programme}/measures/{code}"): PUBLIC,
    ("GET", "/{lang:lang}/recommendations/{edition}"): PUBLIC,
    ("GET", "/api/recommendations/{edition}"): PUBLIC,
    ("GET", "/{lang:lang}/workspace/"): LOGGED_IN,
    ("GET", "/{lang:lang}/workspace/password"): LOGGED_IN,
    ("POST", "/{lang:lang}/workspace/password"): LOGGED_IN,
    # Editing the programme register (victim_monitor.web.programme_edit): the analyst only.
    ("GET", "/{lang:lang}/workspace/programme"): frozenset({"analyst"}),
    ("GET", "/api/workspace/programme"): frozenset({"analyst"}),
    ("GET", "/{lang:lang}/workspace/programme/{programme}/measures/{code}"): frozenset({"analyst"}),
    ("POST", "/{lang:lang}/workspace/programme/{programme}/measures/{code}"): frozenset(
        {"analyst"}
    ),
    ("GET", "/{lang:lang}/workspace/recommendations/{edition}/{number}"): frozenset({"analyst"}),
    ("POST", "/{lang:lang}/workspace/recommendations/{edition}/{number}"): frozenset({"analyst"}),
    ("GET", "/{lang:lang}/workspace/submissions"): frozenset(
        {"reporter", "other_reporter", "staff"}
    ),
    ("GET", "/api/workspace/submissions"): frozenset({"reporter", "other_reporter", "staff"}),
    ("POST", "/{lang:lang}/workspace/submissions"): frozenset({"reporter", "other_reporter"}),
    # The POL submission: its own reporter and staff only.
    ("GET", "/{lang:lang}/workspace/submissions/{submission_id}"): frozenset({"reporter", "staff"}),
    ("GET", "/api/workspace/submissions/{submission_id}"): frozenset({"reporter", "staff"}),
    ("GET", "/{lang:lang}/workspace/review"): frozenset({"staff"}),
    ("GET", "/api/workspace/review"): frozenset({"staff"}),
    ("POST", "/{lang:lang}/workspace/review/{pair_id}"): frozenset({"staff"}),
    ("GET", "/{lang:lang}/workspace/persons"): frozenset({"staff"}),
    ("GET", "/api/workspace/persons"): frozenset({"staff"}),
    ("GET", "/{lang:lang}/workspace/persons/{person_id}"): frozenset({"staff"}),
    ("GET", "/api/workspace/persons/{person_id}"): frozenset({"staff"}),
    ("GET", "/{lang:lang}/workspace/publish"): frozenset({"analyst"}),
    ("POST", "/{lang:lang}/workspace/publish"): frozenset({"analyst"}),
    ("GET", "/{lang:lang}/workspace/jobs/{job_id}"): frozenset({"analyst"}),
    ("GET", "/api/workspace/jobs/{job_id}"): frozenset({"analyst"}),
    ("GET", "/{lang:lang}/workspace/key"): frozenset({"reporter", "other_reporter"}),
    ("GET", "/{lang:lang}/workspace/encode"): frozenset({"reporter", "other_reporter"}),
    ("GET", "/{lang:lang}/admin/users"): frozenset({"admin"}),
    ("GET", "/api/admin/users"): frozenset({"admin"}),
    ("POST", "/{lang:lang}/admin/users"): frozenset({"admin"}),
    ("POST", "/{lang:lang}/admin/users/{user_id}/active"): frozenset({"admin"}),
    ("POST", "/{lang:lang}/admin/users/{user_id}/sessions"): frozenset({"admin"}),
    ("POST", "/{lang:lang}/admin/users/{user_id}/throttle"): frozenset({"admin"}),
    ("POST", "/{lang:lang}/admin/throttle"): frozenset({"admin"}),
    ("GET", "/{lang:lang}/admin/organisations"): frozenset({"admin"}),
    ("POST", "/{lang:lang}/admin/organisations"): frozenset({"admin"}),
    ("GET", "/{lang:lang}/admin/audit"): frozenset({"admin"}),
    ("GET", "/api/admin/audit"): frozenset({"admin"}),
    ("GET", "/admin/audit.csv"): frozenset({"admin"}),
    ("GET", "/api/admin/audit/check"): frozenset({"admin"}),
    ("GET", "/admin/audit/checkpoint.json"): frozenset({"admin"}),
    ("POST", "/{lang:lang}/admin/audit/checkpoint"): frozenset({"admin"}),
    # API tokens (victim_monitor.web.api_upload): the admin manages them; the submission API
    # takes a bearer token only, never a session, so every logged-in user is refused too.
    ("GET", "/{lang:lang}/admin/tokens"): frozenset({"admin"}),
    ("GET", "/api/admin/tokens"): frozenset({"admin"}),
    ("POST", "/{lang:lang}/admin/tokens"): frozenset({"admin"}),
    ("POST", "/{lang:lang}/admin/tokens/{token_id}/revoke"): frozenset({"admin"}),
    ("POST", "/api/submissions"): frozenset(),
    ("GET", "/api/submissions/{submission_id}"): frozenset(),
}


def _url(path: str, register: Register) -> str:
    values = {
        "{lang:lang}": "en",
        "{name}": "victims_by_form",
        "{path:path}": "manifest.json",
        "{submission_id}": str(register.pol_submission),
        "{pair_id}": str(register.pair_id),
        "{person_id}": str(register.person_id),
        "{user_id}": "999",
        "{programme}": "samen-tegen-mensenhandel",
        "{code}": "VB-01",
        "{edition}": "2014-2018",
        "{number}": "1",
        "{job_id}": "no-such-job-0123456789",
        "{token_id}": "999",
    }
    for key, value in values.items():
        path = path.replace(key, value)
    return path


def _allowed(rule: str | frozenset[str], user: str | None) -> bool:
    if rule == PUBLIC:
        return True
    if rule == LOGGED_IN:
        return user is not None
    assert isinstance(rule, frozenset)
    return user in rule


def _api_routes(routes: list[Any]) -> list[APIRoute]:
    found: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):  # an included router (no prefix here)
            found += _api_routes(route.original_router.routes)
    return found


def _routes(client: TestClient) -> list[tuple[str, str]]:
    routes = sorted(
        (method, route.path)
        for route in _api_routes(client.app.routes)  # type: ignore[attr-defined]
        for method in route.methods or ()
        if method != "HEAD"
    )
    assert len(routes) >= len(EXPECTED)
    return routes


RESTRICTED = (
    "/{lang:lang}/workspace",
    "/{lang:lang}/admin",
    "/api/workspace",
    "/api/admin",
    "/admin",
    "/api/submissions",
)


def test_every_restricted_route_is_in_the_matrix(app_client: TestClient) -> None:
    """Workspace and admin routes must state who may use them; other routes are public pages
    (a stage's public pages, such as the programme's, need no entry and are tried as public)."""
    missing = [r for r in _routes(app_client) if r not in EXPECTED and r[1].startswith(RESTRICTED)]
    assert missing == [], f"restricted routes without an entry in the role matrix: {missing}"


def test_role_matrix(login: Login, engine: Engine, tmp_path: Path) -> None:
    register = populate(engine, tmp_path / "files")
    assert import_example(engine).ok  # the programme pages and their edit forms have records
    matrix: dict[tuple[str, str], dict[str, int]] = {}
    denied_statuses = {401, 403, 404, 303}
    for user in ROLES:
        client = login(user)
        token = csrf_of(client, "/en/login")
        for method, path in _routes(client):
            rule = EXPECTED.get((method, path))
            url = _url(path, register)
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": token})
            status = response.status_code
            matrix.setdefault((method, path), {})[user or "anonymous"] = status
            assert status < 500, (method, url, user, response.text[:300])
            if rule is None:  # another stage's public route: no server error, no person data
                for marker in MARKERS:
                    assert marker not in response.text, (method, url, user, marker)
            elif (method, path) == ("POST", "/{lang:lang}/login"):
                assert status in (401, 429)  # public; no credentials: failed (or throttled)
            elif _allowed(rule, user):
                assert status not in (401, 403), (method, url, user, status)
            else:
                assert status in denied_statuses, (method, url, user, status)
                if status == 303:
                    assert "/login" in response.headers["location"], (method, url, user)
                for marker in MARKERS:
                    assert marker not in response.text, (method, url, user, marker)
            if method == "POST" and path.endswith("/logout"):
                client = login(user)
                token = csrf_of(client, "/en/login")
    # The matrix, for the record (pytest -s prints it).
    for (method, path), row in sorted(matrix.items()):
        print(f"{method:4} {path:55} " + " ".join(f"{k}={v}" for k, v in row.items()))
