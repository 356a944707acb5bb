"""The submission API: bearer tokens of one organisation, hashed at rest, revocable, audited;
the body never read without a valid token; the intake's result as ``import --json`` gives it.

The body tests drive the app at the ASGI level with a body that counts what the server asked
for (as tests/security/test_requests.py does), so "refused unread" is measured.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from alembic import command
from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select

from tests.security.test_requests import CHUNK, MB, MULTIPART, _call, _upload, _zeros
from tests.web.conftest import Login, csrf_of
from tests.web.register import bad_file, fixed_file
from victim_monitor.cli import main
from victim_monitor.registry.intake import import_submission
from victim_monitor.storage import connect, upgrade
from victim_monitor.storage.migrate import _config
from victim_monitor.storage.schema import api_tokens, audit_events, metadata
from victim_monitor.web import WebSettings, api_upload, audit, create_app
from victim_monitor.web.tokens import Actor, NewToken, create_token, list_tokens, revoke_token

ADMIN = Actor("admin", "admin", "tests")
API = "/api/submissions"


def _token(engine: Engine, organisation: str = "POL", days: int | None = None) -> NewToken:
    return create_token(engine, organisation, by=ADMIN, name="case system", expires_days=days)


def _bearer(made: NewToken | str) -> dict[str, str]:
    secret = made if isinstance(made, str) else made.secret
    return {"Authorization": f"Bearer {secret}"}


def _send(client: TestClient, made: NewToken | str, path: Path) -> dict[str, object]:
    with path.open("rb") as handle:
        response = client.post(API, headers=_bearer(made), files={"file": (path.name, handle)})
    return {"status": response.status_code, "json": response.json(), "headers": response.headers}


def _actions(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_events.c.actor, audit_events.c.action, audit_events.c.record).order_by(
                audit_events.c.id
            )
        )
        return [(r.actor, r.action, r.record) for r in rows]


# --- submitting -------------------------------------------------------------------------------


def test_a_token_submits_a_file_and_the_same_file_again_is_a_duplicate(
    app_client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    made = _token(engine)
    path = fixed_file(tmp_path)
    first = _send(app_client, made, path)
    assert first["status"] == 201, first
    answer = first["json"]
    assert isinstance(answer, dict)
    assert answer["outcome"] == "accepted"
    assert answer["organisation"] == "POL"
    assert answer["rows"] == {"total": 3, "new": 3, "changed": 0, "unchanged": 0}
    assert first["headers"]["location"] == f"/api/submissions/{answer['submission_id']}"  # type: ignore[index]
    assert list_tokens(engine)[0].last_used_at is not None
    again = _send(app_client, made, path)
    assert again["status"] == 200
    repeat = again["json"]
    assert isinstance(repeat, dict)
    assert repeat["outcome"] == "duplicate"
    assert [p["code"] for p in repeat["problems"]] == ["VM302"]
    # The same fields as `victim-monitor import --json` prints (IntakeResult.as_dict).
    printed = import_submission(engine, path, "POL", dry_run=True).as_dict()
    assert set(answer) == set(printed)
    assert set(repeat["problems"][0]) == set(printed["problems"][0])


def test_a_raw_body_is_named_by_a_header(
    app_client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    made = _token(engine)
    data = fixed_file(tmp_path).read_bytes()
    headers = _bearer(made) | {"Content-Type": "text/csv", "X-Filename": "../../pol 2018.csv"}
    response = app_client.post(API, headers=headers, content=data)
    assert response.status_code == 201, response.text
    assert response.json()["file"] == "pol_2018.csv"  # the stored name is made safe
    nameless = app_client.post(
        API, headers=_bearer(made) | {"Content-Type": "text/csv"}, content=data
    )
    assert nameless.status_code == 400


def test_a_rejected_file_is_422_with_its_coded_problems(
    app_client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    made = _token(engine)
    response = _send(app_client, made, bad_file(tmp_path))
    assert response["status"] == 422
    answer = response["json"]
    assert isinstance(answer, dict)
    assert answer["outcome"] == "rejected"
    assert {"VM203", "VM205"} <= {p["code"] for p in answer["problems"]}
    assert all(p["value"] is None for p in answer["problems"])  # no value from the file


def test_the_status_is_only_for_the_tokens_organisation(
    login: Login, engine: Engine, tmp_path: Path
) -> None:
    pol, kmar = _token(engine, "POL"), _token(engine, "KMAR")
    client = login(None)
    sent = _send(client, pol, fixed_file(tmp_path))["json"]
    assert isinstance(sent, dict)
    url = f"{API}/{sent['submission_id']}"
    status = client.get(url, headers=_bearer(pol))
    assert status.status_code == 200
    assert status.json()["submission"]["outcome"] == "accepted"
    assert status.json()["submission"]["organisation"] == "POL"
    assert client.get(url, headers=_bearer(kmar)).status_code == 404
    assert client.get(url).status_code == 401
    # A browser session is no token: the reporter of POL, logged in, gets 401 too.
    assert login("reporter").get(url).status_code == 401
    assert login("reporter").post(API, files={"file": ("x.csv", b"a")}).status_code == 401


def test_revoked_and_expired_tokens_are_refused(
    app_client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    revoked, expired, live = _token(engine), _token(engine, days=1), _token(engine)
    revoke_token(engine, revoked.token.id, by=ADMIN)
    with engine.begin() as conn:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        conn.execute(
            api_tokens.update().where(api_tokens.c.id == expired.token.id).values(expires_at=past)
        )
    path = fixed_file(tmp_path)
    for made in (revoked, expired, live.secret[:-1] + "x", "vmt_short", "not a token"):
        response = app_client.post(API, headers=_bearer(made), files={"file": (path.name, b"x")})
        assert response.status_code == 401, made
        assert response.headers["www-authenticate"] == "Bearer"
    assert _send(app_client, live, path)["status"] == 201
    refused = [(a, r) for _, a, r in _actions(engine) if a == "api_refused"]
    assert refused == [
        ("api_refused", f"api_token:{revoked.token.id}"),
        ("api_refused", f"api_token:{expired.token.id}"),
    ]


# --- the body is not read without a valid token ------------------------------------------------


def test_no_body_is_read_without_a_valid_token(app_client: TestClient, engine: Engine) -> None:
    revoked = _token(engine)
    revoke_token(engine, revoked.token.id, by=ADMIN)
    unknown = "vmt_" + "A" * 43
    for authorization in (None, "Bearer " + unknown, "Bearer " + revoked.secret, "Basic eDp5"):
        headers = {} if authorization is None else {"authorization": authorization}
        _size, body = _upload([], 60 * MB)
        answer = _call(app_client, API, body, content_type=MULTIPART, headers=headers)
        assert answer.status == 401, (authorization, answer.body[:200])
        assert answer.consumed == 0, authorization
        raw = _call(app_client, API, _zeros(60 * MB), content_type="text/csv", headers=headers)
        assert (raw.status, raw.consumed) == (401, 0)


def test_a_foreign_origin_is_refused_even_with_a_token(
    app_client: TestClient, engine: Engine
) -> None:
    headers = _bearer(_token(engine)) | {"Origin": "https://elsewhere.example"}
    response = app_client.post(API, headers=headers, files={"file": ("x.csv", b"x")})
    assert response.status_code == 403


def test_the_upload_maximum_applies_to_a_valid_token(
    app_client: TestClient, web_settings: WebSettings, engine: Engine
) -> None:
    made = _token(engine)
    app = create_app(replace(web_settings, max_upload_mb=1), engine)
    headers = {"authorization": f"Bearer {made.secret}", "x-filename": "big.csv"}
    with TestClient(app, base_url="https://testserver") as client:
        size, body = _upload([], 20 * MB)
        declared = _call(client, API, body, content_type=MULTIPART, length=size, headers=headers)
        assert (declared.status, declared.consumed) == (413, 0)
        chunked = _call(client, API, _zeros(20 * MB), content_type="text/csv", headers=headers)
        assert chunked.status == 413
        assert chunked.consumed <= MB + 64 * 1024 + CHUNK
        assert client.get(f"{API}/1", headers=_bearer(made)).status_code == 404  # none stored


def test_each_token_is_rate_limited(
    app_client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_upload, "RATE", api_upload.TokenRate(requests=2, window=60))
    made, other = _token(engine), _token(engine)
    assert [app_client.get(f"{API}/1", headers=_bearer(made)).status_code for _ in range(2)] == [
        404,
        404,
    ]
    limited = app_client.get(f"{API}/1", headers=_bearer(made))
    assert limited.status_code == 429
    assert 0 < int(limited.headers["retry-after"]) <= 60
    assert app_client.get(f"{API}/1", headers=_bearer(other)).status_code == 404


# --- hashed at rest, audited, managed ---------------------------------------------------------


def test_the_token_is_not_stored(app_client: TestClient, engine: Engine, tmp_path: Path) -> None:
    made = _token(engine)
    assert _send(app_client, made, fixed_file(tmp_path))["status"] == 201
    secret = made.secret
    hidden = secret[12:]  # the part after the prefix kept in clear
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                text = repr(tuple(row))
                assert hidden not in text, table.name
        stored = conn.execute(select(api_tokens.c.prefix, api_tokens.c.token_sha256)).one()
    assert stored.prefix == secret[:12]
    assert re.fullmatch(r"[0-9a-f]{64}", stored.token_sha256)
    if engine.dialect.name == "sqlite":  # the file and its write-ahead log, byte for byte
        database = Path(str(engine.url.database))
        for part in (database, Path(f"{database}-wal")):
            if part.exists():
                assert hidden.encode() not in part.read_bytes(), part


def test_making_using_and_revoking_a_token_is_audited(
    login: Login, engine: Engine, tmp_path: Path
) -> None:
    client = login("admin")
    token = csrf_of(client, "/en/admin/tokens")
    made = client.post(
        "/en/admin/tokens",
        data={
            "csrf_token": token,
            "organisation": "POL",
            "name": "case system",
            "expires_days": "30",
        },
    )
    assert made.status_code == 200
    shown = re.findall(r"vmt_[A-Za-z0-9_-]{43}", made.text)
    assert len(shown) == 1
    secret = shown[0]
    assert secret not in client.get("/en/admin/tokens").text  # shown once
    listed = client.get("/api/admin/tokens").json()
    assert [(t["organisation"], t["prefix"], t["state"]) for t in listed] == [
        ("POL", secret[:12], "active")
    ]
    assert listed[0]["expires_at"] is not None
    token_id = listed[0]["id"]
    for bad in ({"organisation": "NOPE"}, {"organisation": "POL", "expires_days": "0"}):
        refused = client.post("/en/admin/tokens", data={"csrf_token": token, **bad})
        assert refused.status_code == 422
        assert re.search(r"vmt_[A-Za-z0-9_-]{43}", refused.text) is None
    assert len(client.get("/api/admin/tokens").json()) == 1

    api = login(None)
    sent = _send(api, secret, fixed_file(tmp_path))["json"]
    assert isinstance(sent, dict)
    assert api.get(f"{API}/{sent['submission_id']}", headers=_bearer(secret)).status_code == 200

    client = login("admin")
    token = csrf_of(client, "/en/admin/tokens")
    revoked = client.post(f"/en/admin/tokens/{token_id}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert client.post("/en/admin/tokens/999/revoke", data={"csrf_token": token}).status_code == 404
    assert login(None).get(f"{API}/1", headers=_bearer(secret)).status_code == 401

    record = f"api_token:{token_id}"
    submission = f"submission:{sent['submission_id']}"
    events = [e for e in _actions(engine) if e[1] != "read" and e[1] != "login"]
    assert [e for e in events if "api" in e[1]] == [
        ("admin", "create_api_token", record),
        (record, "api_upload", submission),
        (record, "api_read", submission),
        ("admin", "revoke_api_token", record),
        (record, "api_refused", record),
    ]
    assert audit.verify(engine).intact


def _cli(database_url: str, *words: str) -> Result:
    return CliRunner().invoke(main, ["token", *words, "--database", database_url])


def test_the_token_commands(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VICTIM_MONITOR_AUDIT_KEY", raising=False)
    made = _cli(database_url, "create", "--organisation", "pol", "--expires", "30", "--name", "x")
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip()
    assert re.fullmatch(r"vmt_[A-Za-z0-9_-]{43}", secret)
    assert "not kept" in made.stderr
    listed = _cli(database_url, "list", "--json")
    rows = json.loads(listed.stdout)
    assert [(r["organisation"], r["prefix"], r["state"]) for r in rows] == [
        ("POL", secret[:12], "active")
    ]
    assert secret not in listed.stdout
    text = _cli(database_url, "list", "--organisation", "POL").stdout
    assert secret[:12] in text
    assert "active" in text
    revoked = _cli(database_url, "revoke", str(rows[0]["id"]))
    assert revoked.exit_code == 0
    assert "revoked" in revoked.stdout
    missing = _cli(database_url, "revoke", "999", "--json")
    assert missing.exit_code == 1
    assert json.loads(missing.stderr)["problems"][0]["code"] == "VM320"
    unknown = _cli(database_url, "create", "--organisation", "NOPE")
    assert unknown.exit_code == 1
    assert "VM301" in unknown.stderr
    actions = [(actor.startswith("cli:"), action) for actor, action, _ in _actions(engine)]
    assert actions == [(True, "create_api_token"), (True, "revoke_api_token")]


def test_the_openapi_schema_documents_the_bearer_scheme(app_client: TestClient) -> None:
    schema = app_client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": api_upload.bearer.model.description,
    }
    post = schema["paths"]["/api/submissions"]["post"]
    get = schema["paths"]["/api/submissions/{submission_id}"]["get"]
    assert post["security"] == get["security"] == [{"apiToken": []}]
    assert {"201", "200", "401", "413", "422", "429"} <= set(post["responses"])
    assert "multipart/form-data" in post["requestBody"]["content"]


# --- migration 0008 -------------------------------------------------------------------------


def test_migration_0008_adds_and_drops_the_token_table(database_url: str) -> None:
    engine = connect(database_url)
    try:
        upgrade(engine)
        assert "api_tokens" in inspect(engine).get_table_names()
        config = _config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
        assert "api_tokens" not in inspect(engine).get_table_names()
        upgrade(engine)
        assert "api_tokens" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
