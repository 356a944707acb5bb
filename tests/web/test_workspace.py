"""The registry workspace in-process: uploads and their problems, need-to-know, review, audit."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DatabaseError

from tests.web.conftest import PASSWORD, Login, csrf_of, log_in
from tests.web.register import Register, bad_file, fixed_file, populate
from victim_monitor.linkage import ReviewError
from victim_monitor.linkage.codes import NO_PAIR
from victim_monitor.storage.schema import audit_events, pair_decisions, submissions
from victim_monitor.web import audit


def wait_for_job(client: TestClient, job_id: str, seconds: float = 120) -> dict[str, Any]:
    """The job's JSON once it has finished (its page refreshes itself until then)."""
    deadline = time.monotonic() + seconds
    while True:
        job: dict[str, Any] = client.get(f"/api/workspace/jobs/{job_id}").json()
        if job["state"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


@pytest.fixture
def register(engine: Engine, tmp_path: Path) -> Register:
    return populate(engine, tmp_path / "files")


def _upload(client: TestClient, path: Path) -> str:
    token = csrf_of(client, "/en/workspace/submissions")
    with path.open("rb") as handle:
        response = client.post(
            "/en/workspace/submissions",
            data={"csrf_token": token},
            files={"file": (path.name, handle, "text/csv")},
        )
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_bad_file_shows_problems_per_row_and_field_then_fixed(login: Login, tmp_path: Path) -> None:
    client = login("reporter")
    page = client.get(_upload(client, bad_file(tmp_path)))
    assert page.status_code == 200
    assert "rejected" in page.text
    rows = re.findall(
        r'<tr class="sev-error"><td class="n">(\d+)</td><td>([a-z_]+)</td>'
        r"<td><code>(VM\d+)</code>",
        page.text,
    )
    assert ("3", "report_date", "VM203") in rows
    assert any(r[0] == "4" and r[1] == "pn_last_name" for r in rows)
    fixed = client.get(_upload(client, fixed_file(tmp_path)))
    assert "accepted" in fixed.text
    listing = client.get("/api/workspace/submissions").json()
    assert [s["outcome"] for s in listing] == ["accepted", "rejected"]


def test_reporters_see_only_their_organisations_submissions(
    login: Login, register: Register
) -> None:
    own = login("reporter").get("/api/workspace/submissions").json()
    assert {s["organisation"] for s in own} == {"POL"}
    other = login("other_reporter")
    assert {s["organisation"] for s in other.get("/api/workspace/submissions").json()} == {"KMAR"}
    assert other.get(f"/api/workspace/submissions/{register.pol_submission}").status_code == 404
    assert other.get(f"/en/workspace/submissions/{register.pol_submission}").status_code == 404
    staff = login("staff").get("/api/workspace/submissions").json()
    assert {s["organisation"] for s in staff} == {"POL", "KMAR"}


def test_staff_decide_a_pair_on_the_evidence(
    login: Login, register: Register, engine: Engine
) -> None:
    client = login("staff")
    page = client.get("/en/workspace/review")
    assert "same date" in page.text
    # The last run's own estimate of its quality, beside the queue it made.
    assert "Last linkage run" in page.text
    assert "Estimated precision" in page.text
    assert "chosen by the model" in page.text
    assert "Geschatte recall" in client.get("/nl/workspace/review").text
    token = csrf_of(client, "/en/workspace/review")
    response = client.post(
        f"/en/workspace/review/{register.pair_id}",
        data={"csrf_token": token, "decision": "different", "reason": "other birth year"},
    )
    assert response.status_code == 303
    with engine.connect() as conn:
        row = conn.execute(
            select(pair_decisions).where(pair_decisions.c.id == register.pair_id)
        ).one()
    assert (row.status, row.reviewer, row.reason) == ("different", "staff", "other birth year")
    decided = audit.events(engine, action="decide")
    assert decided[0].record == f"pair:{register.pair_id}"
    assert decided[0].actor == "staff"
    history = client.get("/en/workspace/review?status=different").text
    assert "Earlier decisions" in history
    assert "other birth year" in history


def test_a_refused_decision_is_answered_422_with_its_coded_problem(
    login: Login, register: Register, app_client: TestClient
) -> None:
    client = login("staff")
    token = csrf_of(client, "/en/workspace/review")
    refused = client.post(
        "/en/workspace/review/999999", data={"csrf_token": token, "decision": "same"}
    )
    assert refused.status_code == 422
    assert "VM331" in refused.text  # caught once, by the app: no route catches it itself

    def stopped() -> None:
        raise ReviewError([NO_PAIR("no pair #7 in the review queue")])

    app_client.app.add_api_route("/api/test-refusal", stopped)  # type: ignore[attr-defined]
    answer = app_client.get("/api/test-refusal")
    assert answer.status_code == 422
    assert [p["code"] for p in answer.json()["detail"]] == ["VM331"]


def test_every_read_of_person_level_data_is_audited(
    login: Login, register: Register, engine: Engine
) -> None:
    client = login("staff")
    assert client.get(f"/en/workspace/persons/{register.person_id}").status_code == 200
    assert client.get(f"/api/workspace/submissions/{register.kmar_submission}").status_code == 200
    reads = {(e.actor, e.record, e.screen) for e in audit.events(engine, action="read")}
    assert (
        "staff",
        f"person:{register.person_id}",
        f"/en/workspace/persons/{register.person_id}",
    ) in reads
    assert (
        "staff",
        f"submission:{register.kmar_submission}",
        f"/api/workspace/submissions/{register.kmar_submission}",
    ) in reads
    assert audit.verify(engine).intact


def test_the_audit_trail_is_append_only_and_tamper_evident(
    login: Login, register: Register, engine: Engine
) -> None:
    login("staff").get(f"/en/workspace/persons/{register.person_id}")
    with pytest.raises(DatabaseError), engine.begin() as conn:
        conn.execute(audit_events.update().values(actor="someone else"))
    with pytest.raises(DatabaseError), engine.begin() as conn:
        conn.execute(audit_events.delete())
    assert audit.verify(engine).intact
    # An attacker with the database owner's rights drops the guard and edits one event.
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        first = conn.scalar(select(audit_events.c.id).order_by(audit_events.c.id).limit(1))
        conn.execute(
            audit_events.update().where(audit_events.c.id == first).values(actor="someone else")
        )
    check = audit.verify(engine)
    assert not check.intact
    assert check.broken_at == first


def test_admin_views_and_exports_the_audit_trail(login: Login, engine: Engine) -> None:
    client = login("admin")
    page = client.get("/en/admin/audit")
    assert "audit trail intact" in page.text
    export = client.get("/admin/audit.csv")
    assert export.status_code == 200
    lines = export.text.splitlines()
    assert lines[0].startswith("id,at,actor,role,action")
    assert len(lines) - 1 == audit.total(engine)  # the export itself is logged first
    assert lines[-1].endswith(audit.events(engine, limit=1)[0].hash)


def test_forms_need_the_csrf_token(login: Login, tmp_path: Path) -> None:
    client = login("reporter")
    path = bad_file(tmp_path)
    for data in ({}, {"csrf_token": "0" * 64}):
        with path.open("rb") as handle:
            response = client.post(
                "/en/workspace/submissions", data=data, files={"file": (path.name, handle)}
            )
        assert response.status_code == 403
    assert client.get("/api/workspace/submissions").json() == []


def test_login_is_throttled_after_repeated_failures(app_client: TestClient) -> None:
    for _ in range(5):
        assert log_in(app_client, "staff", "wrong password!") == 401
    assert log_in(app_client, "staff", PASSWORD) == 429
    assert log_in(app_client, "analyst", PASSWORD) == 303  # other users are not locked out


def test_logout_and_blocking_end_sessions(login: Login, engine: Engine) -> None:
    client = login("staff")
    assert client.get("/api/workspace/submissions").status_code == 200
    client.post("/en/logout", data={"csrf_token": csrf_of(client, "/en/workspace/")})
    assert client.get("/api/workspace/submissions").status_code == 401
    client = login("reporter")
    admin_cookies = dict(login("admin").cookies)
    reporter_id = next(
        u["id"] for u in client.get("/api/admin/users").json() if u["username"] == "reporter"
    )
    token = csrf_of(client, "/en/admin/users")
    client.post(f"/en/admin/users/{reporter_id}/active", data={"csrf_token": token, "active": "0"})
    assert admin_cookies
    assert log_in(client, "reporter") == 401


def test_analyst_publishes_and_the_dashboard_shows_it(
    login: Login, register: Register, engine: Engine
) -> None:
    client = login("analyst")
    assert client.get("/api/overview").json()["years"] == ["2014", "2015", "2016"]
    token = csrf_of(client, "/en/workspace/publish")
    bad = client.post(
        "/en/workspace/publish", data={"csrf_token": token, "year_from": "x", "year_to": "2018"}
    )
    assert bad.status_code == 422
    started = client.post(
        "/en/workspace/publish",
        data={"csrf_token": token, "year_from": "2018", "year_to": "2018"},
    )
    assert started.status_code == 303, started.text  # to the job's page
    job_page = started.headers["location"]
    job = wait_for_job(client, job_page.rsplit("/", 1)[1])
    assert job["state"] == "done", job
    done = client.get(job_page)
    assert done.status_code == 200
    assert "audit passed" in done.text
    assert "refresh" not in done.headers  # a finished job's page stays
    overview = client.get("/api/overview").json()
    assert overview["years"] == ["2018"]
    # One person is below every threshold: the year total is published suppressed, not as 1.
    assert overview["registered"] == [{"year": "2018", "value": None, "suppressed": True}]
    assert audit.events(engine, action="publish")[0].actor == "analyst"
    # Every table of a real publication renders as a page and a twin, in both languages.
    for table in overview["tables"]:
        for lang in ("nl", "en"):
            page = client.get(f"/{lang}/tables/{table['name']}")
            assert page.status_code == 200, (table["name"], page.text[:200])
        twin = client.get(f"/api/tables/{table['name']}").json()
        assert twin["rows"][0]["year"] == "2018"


def test_session_cookie_flags(app_client: TestClient) -> None:
    token = csrf_of(app_client, "/en/login")
    response = app_client.post(
        "/en/login", data={"username": "staff", "password": PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("vm_session=")
    for flag in ("httponly", "samesite=strict", "secure"):
        assert flag in cookie


def test_reporters_download_only_their_own_key(
    app_client: TestClient, login: Login, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "POL.key").write_text("made-up key file for POL\n")
    settings = app_client.app.state.web.settings  # type: ignore[attr-defined]
    app_client.app.state.web = dataclasses.replace(  # type: ignore[attr-defined]
        app_client.app.state.web,  # type: ignore[attr-defined]
        settings=dataclasses.replace(settings, key_dir=keys),
    )
    pol = login("reporter").get("/en/workspace/key")
    assert pol.status_code == 200
    assert pol.text == "made-up key file for POL\n"
    assert login("other_reporter").get("/en/workspace/key").status_code == 404
    assert login("staff").get("/en/workspace/key").status_code == 403


def test_login_is_throttled_per_client_address(app_client: TestClient) -> None:
    for n in range(20):  # a password sprayed over many usernames
        assert log_in(app_client, f"nobody{n}", "wrong password!") == 401
    assert log_in(app_client, "staff", PASSWORD) == 429


def test_the_review_page_shows_the_queue_a_page_at_a_time(
    login: Login, register: Register, engine: Engine
) -> None:
    with engine.begin() as conn:
        first = conn.execute(select(pair_decisions).where(pair_decisions.c.id == register.pair_id))
        template = dict(first.mappings().one())
        for n in range(24):  # 25 pending pairs in all
            row = {k: v for k, v in template.items() if k not in ("id", "case_reference_l")}
            conn.execute(pair_decisions.insert().values(**row, case_reference_l=f"CASE-9{n:05d}"))
    client = login("staff")
    first_page = client.get("/en/workspace/review").text
    assert first_page.count('class="pair"') == 10
    assert "pairs 1–10 of 25" in first_page
    last = client.get("/en/workspace/review?status=pending&page=3").text
    assert last.count('class="pair"') == 5
    assert "pairs 21–25 of 25" in last
    assert len(client.get("/api/workspace/review").json()) == 25  # the twin: the whole queue


def test_the_submissions_page_lists_every_submission_a_page_at_a_time(
    login: Login, register: Register, engine: Engine
) -> None:
    # Before, the list stopped at the newest 200 without saying so; now 50 a page, numbered.
    with engine.begin() as conn:
        template = dict(conn.execute(select(submissions).limit(1)).mappings().one())
        before = conn.scalar(select(submissions.c.id).order_by(submissions.c.id.desc()).limit(1))
        for n in range(120):
            row = {k: v for k, v in template.items() if k not in ("id", "content_sha256")}
            row.update(outcome="rejected", content_sha256=f"{n:064x}", filename=f"old-{n}.csv")
            conn.execute(submissions.insert().values(**row))
        total = int(conn.scalar(select(text("count(*)")).select_from(submissions)) or 0)
    client = login("staff")
    first = client.get("/en/workspace/submissions").text
    assert first.count('href="/en/workspace/submissions/') == 50
    assert f"submissions 1–50 of {total}" in first
    last_page = (total + 49) // 50
    last = client.get(f"/en/workspace/submissions?page={last_page}").text
    shown = total - 50 * (last_page - 1)
    assert last.count('href="/en/workspace/submissions/') == shown
    assert f'href="/en/workspace/submissions/{before}"' not in first  # newest first
    oldest = client.get(f"/api/workspace/submissions?page={last_page}").json()
    assert len(oldest) == shown
    assert min(line["id"] for line in oldest) == 1
    assert client.get("/api/workspace/submissions?page=0").status_code == 422
