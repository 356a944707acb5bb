"""``victim-monitor demo`` ends with one user per role whose printed password works."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web.conftest import log_in
from victim_monitor.web import WebSettings, create_app
from victim_monitor.web.accounts import Role
from victim_monitor.web.demo import serve_demo


def test_demo_users_one_per_role_and_their_printed_passwords_work(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    printed: list[str] = []
    users = serve_demo(database_url, tmp_path, port=8000, serve=False, echo=printed.append)
    assert {u.role for u in users} == set(Role)
    text = "\n".join(printed)
    assert "http://127.0.0.1:8000/" in text
    assert f"victim-monitor serve --database {database_url} --release {tmp_path}" in text
    for user in users:
        assert f"{user.username:<12} {user.password}" in text
    app = create_app(WebSettings(database_url, tmp_path, secret="t" * 32), engine)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        for user in users:
            client.cookies.clear()
            assert log_in(client, user.username, user.password) == 303
        again = serve_demo(database_url, tmp_path, port=8000, serve=False, echo=printed.append)
        client.cookies.clear()
        assert log_in(client, users[0].username, users[0].password) == 401
        assert log_in(client, again[0].username, again[0].password) == 303
