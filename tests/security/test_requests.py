"""Hostile requests: bodies refused before they are read, CSRF bound to the session and to the
page's origin, and malformed parameters answered with a 4xx instead of a server error.

The body tests drive the application at the ASGI level with a body that is generated while it
is read and counts how much the server took, so "refused before it was read" is measured, not
assumed (the test client would buffer the whole body first).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.types import Message

from tests.web.conftest import Login, csrf_of, log_in
from tests.web.register import fixed_file
from victim_monitor.config import ConfigError
from victim_monitor.web import WebSettings, create_app
from victim_monitor.web.workspace import stored_name

CHUNK = 64 * 1024
MB = 1024 * 1024
BOUNDARY = "hostile-boundary-7d3f"


@dataclass
class Answer:
    status: int
    consumed: int  # body bytes the server asked for
    headers: dict[str, str]
    body: bytes


def _zeros(size: int) -> Iterator[bytes]:
    block = b"0" * CHUNK
    for _ in range(size // CHUNK):
        yield block
    if size % CHUNK:
        yield block[: size % CHUNK]


def _call(
    client: TestClient,
    path: str,
    body: Iterator[bytes],
    *,
    content_type: str,
    length: int | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """POST ``body`` chunk by chunk, as a slow client would, and count what the server read."""
    consumed = 0
    finished = False
    raw = [(b"host", b"testserver"), (b"content-type", content_type.encode())]
    if length is not None:
        raw.append((b"content-length", str(length).encode()))
    cookies = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    if cookies:
        raw.append((b"cookie", cookies.encode()))
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": raw,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal consumed, finished
        if finished:
            return {"type": "http.disconnect"}
        chunk = next(body, None)
        if chunk is None:
            finished = True
            return {"type": "http.request", "body": b"", "more_body": False}
        consumed += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    async def run() -> None:
        await client.app(scope, receive, send)

    assert client.portal is not None
    client.portal.call(run)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return Answer(
        start["status"],
        consumed,
        {k.decode(): v.decode() for k, v in start["headers"]},
        b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"),
    )


def _part(name: str, value: str) -> bytes:
    return (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
    ).encode()


def _upload(fields: list[tuple[str, str]], file_size: int) -> tuple[int, Iterator[bytes]]:
    """A multipart body and its length: ``fields`` in order, then a file of ``file_size`` bytes."""
    head = (
        b"".join(_part(k, v) for k, v in fields)
        + (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
    )
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        yield head
        yield from _zeros(file_size)
        yield tail

    return len(head) + file_size + len(tail), chunks()


def _upload_body(fields: list[tuple[str, str]], file_size: int) -> Iterator[bytes]:
    return _upload(fields, file_size)[1]


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
FORM = "application/x-www-form-urlencoded"


# --- H1: bodies limited before they are read -------------------------------------------------


def test_a_large_login_body_with_its_length_is_refused_unread(app_client: TestClient) -> None:
    size, body = _upload([("username", "staff")], 50 * MB)
    answer = _call(app_client, "/nl/login", body, content_type=MULTIPART, length=size)
    assert answer.status == 413
    assert answer.consumed == 0


def test_a_chunked_login_body_is_cut_off_at_the_limit(app_client: TestClient) -> None:
    answer = _call(app_client, "/nl/login", _zeros(50 * MB), content_type=FORM)
    assert answer.status == 413
    assert answer.consumed <= 16 * 1024 + CHUNK


def test_many_large_login_fields_are_refused(app_client: TestClient) -> None:
    token = csrf_of(app_client, "/en/login")
    fields = "&".join(f"f{i}={'a' * 1024}" for i in range(900))
    body = f"csrf_token={token}&{fields}".encode()
    answer = _call(app_client, "/en/login", iter([body]), content_type=FORM, length=len(body))
    assert answer.status == 413
    assert answer.consumed == 0


def test_an_anonymous_upload_is_refused_before_its_body_is_read(app_client: TestClient) -> None:
    token = csrf_of(app_client, "/en/login")
    body = _upload_body([("csrf_token", token)], 60 * MB)
    answer = _call(app_client, "/en/workspace/submissions", body, content_type=MULTIPART)
    assert answer.status in (303, 401)
    assert answer.consumed <= CHUNK


def test_an_upload_without_the_token_first_is_refused_after_its_first_part(
    login: Login,
) -> None:
    client = login("reporter")
    token = csrf_of(client, "/en/workspace/submissions")
    body = _upload_body([], 30 * MB)  # the file first; the token never comes
    answer = _call(client, "/en/workspace/submissions", body, content_type=MULTIPART)
    assert answer.status == 403
    assert answer.consumed <= 2 * CHUNK
    late = _upload_body([("other", "x"), ("csrf_token", token)], 1000)
    assert _call(client, "/en/workspace/submissions", late, content_type=MULTIPART).status == 403


def test_an_upload_over_the_configured_maximum_is_cut_off(
    app_client: TestClient, web_settings: WebSettings, engine: Engine
) -> None:
    assert web_settings.max_upload_mb == 50
    app = create_app(replace(web_settings, max_upload_mb=1), engine)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        assert log_in(client, "reporter") == 303
        token = csrf_of(client, "/en/workspace/submissions")
        body = _upload_body([("csrf_token", token)], 20 * MB)
        answer = _call(client, "/en/workspace/submissions", body, content_type=MULTIPART)
        assert answer.status == 413
        assert answer.consumed <= MB + 64 * 1024 + CHUNK
        assert client.get("/api/workspace/submissions").json() == []


def test_an_upload_with_many_fields_or_a_large_field_is_refused(login: Login) -> None:
    client = login("reporter")
    token = csrf_of(client, "/en/workspace/submissions")
    many = [("csrf_token", token)] + [(f"f{i}", "x") for i in range(50)]
    large = [("csrf_token", token), ("note", "x" * 200_000)]
    for fields in (many, large):
        body = _upload_body(fields, 1000)
        answer = _call(client, "/en/workspace/submissions", body, content_type=MULTIPART)
        assert answer.status == 400, answer.body[:200]
    assert client.get("/api/workspace/submissions").json() == []


def test_the_token_in_a_header_lets_any_order_through(login: Login, tmp_path: Path) -> None:
    client = login("reporter")
    token = csrf_of(client, "/en/workspace/submissions")
    path = fixed_file(tmp_path)
    with path.open("rb") as handle:
        response = client.post(
            "/en/workspace/submissions",
            headers={"X-CSRF-Token": token},
            files={"file": (path.name, handle, "text/csv")},
        )
    assert response.status_code == 303, response.text[:300]
    body = _upload_body([], 10 * MB)
    wrong = _call(
        client,
        "/en/workspace/submissions",
        body,
        content_type=MULTIPART,
        headers={"X-CSRF-Token": "0" * 64},
    )
    assert wrong.status == 403
    assert wrong.consumed == 0


# --- CSRF bound to the session, Origin checked -----------------------------------------------


def test_a_foreign_origin_is_refused(login: Login) -> None:
    client = login("staff")
    token = csrf_of(client, "/en/workspace/")
    for origin in ("https://evil.example", "null", "http://testserver"):
        response = client.post("/en/logout", data={"csrf_token": token}, headers={"Origin": origin})
        assert response.status_code == 403, origin
    referer = client.post(
        "/en/logout",
        data={"csrf_token": token},
        headers={"Referer": "https://evil.example/page"},
    )
    assert referer.status_code == 403
    assert client.get("/api/workspace/submissions").status_code == 200  # still logged in
    own = client.post(
        "/en/logout", data={"csrf_token": token}, headers={"Origin": "https://testserver"}
    )
    assert own.status_code == 303
    assert client.get("/api/workspace/submissions").status_code == 401


def test_an_attacker_chosen_csrf_cookie_does_not_pass(app_client: TestClient) -> None:
    # The attacker fetches a form with a cookie of their choosing and learns its token ...
    app_client.cookies.clear()
    app_client.cookies.set("vm_csrf", "chosen-by-the-attacker", domain="testserver.local")
    attackers_token = csrf_of(app_client, "/en/login")
    # ... and plants that cookie in the victim's browser, who is logged in.
    app_client.cookies.clear()
    assert log_in(app_client, "staff") == 303
    app_client.cookies.set("vm_csrf", "chosen-by-the-attacker", domain="testserver.local")
    forged = app_client.post("/en/logout", data={"csrf_token": attackers_token})
    assert forged.status_code == 403
    assert app_client.get("/api/workspace/submissions").status_code == 200


def test_the_token_changes_with_the_session(app_client: TestClient) -> None:
    before = csrf_of(app_client, "/en/login")
    assert log_in(app_client, "staff") == 303
    during = csrf_of(app_client, "/en/workspace/")
    assert during != before
    refused = app_client.post("/en/logout", data={"csrf_token": before})
    assert refused.status_code == 403
    assert app_client.post("/en/logout", data={"csrf_token": during}).status_code == 303


# --- malformed parameters, stored file names -------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/admin/audit?before=99999999999999999999",
        "/en/admin/audit?before=99999999999999999999",
        "/api/admin/audit?before=-1",
        "/api/admin/audit?limit=99999999999999999999",
        "/api/workspace/persons?page=99999999999999999999",
        "/api/tables/victims_by_form?year_from=99999999999999999999",
        "/en/tables/victims_by_form?group=" + "x" * 5000,
    ],
)
def test_malformed_parameters_are_client_errors(login: Login, url: str) -> None:
    user = "admin" if "/admin/" in url else "staff"
    response = login(user).get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)


def test_a_long_file_name_keeps_its_extension(login: Login, tmp_path: Path) -> None:
    client = login("reporter")
    token = csrf_of(client, "/en/workspace/submissions")
    path = fixed_file(tmp_path)
    name = "verslag-" + "a" * 200 + ".csv"
    with path.open("rb") as handle:
        response = client.post(
            "/en/workspace/submissions",
            data={"csrf_token": token},
            files={"file": (name, handle, "text/csv")},
        )
    assert response.status_code == 303, response.text[:300]
    stored = client.get("/api/workspace/submissions").json()[0]["filename"]
    assert stored.endswith(".csv")
    assert len(stored) <= 120
    assert re.fullmatch(r"verslag-a+\.csv", stored)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("a" * 200 + ".xlsx", "a" * 115 + ".xlsx"),
        ("../../etc/passwd.csv", "passwd.csv"),
        ("..", "submission.csv"),
        (".csv", "csv"),
        ("C:\\Users\\x\\meldingen 2018 (1).csv", "C_Users_x_meldingen_2018_1_.csv"),
        ("z" * 300, "z" * 120),
        (None, "submission.csv"),
    ],
)
def test_stored_names_are_safe_and_keep_the_extension(given: str | None, stored: str) -> None:
    assert stored_name(given) == stored


def test_the_upload_maximum_is_a_validated_setting() -> None:
    env = {"VICTIM_MONITOR_DATABASE_URL": "sqlite://"}
    assert WebSettings.from_env(env).max_upload_mb == 50
    assert WebSettings.from_env(env | {"VICTIM_MONITOR_MAX_UPLOAD_MB": "7"}).max_upload_mb == 7
    for bad in ("0", "2000", "ten", "-5"):
        with pytest.raises(ConfigError):
            WebSettings.from_env(env | {"VICTIM_MONITOR_MAX_UPLOAD_MB": bad})
