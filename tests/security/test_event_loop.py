"""M1: workspace work never holds the event loop, so a public request is never kept waiting.

The app is served for real (uvicorn in a thread, one event loop, as ``victim-monitor serve``
runs it). The slow part of an upload, a publication or a review decision is made to block on
a ``threading.Event`` until the test lets it go; meanwhile a public page must answer within a
few seconds. Run on the event loop, as before, the slow part held every request with it.
Also here: the job page of a publication, and the audit trail's group commit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.web.conftest import Login, csrf_of
from tests.web.live import serving
from tests.web.register import fixed_file, populate
from victim_monitor.publication.codes import NO_PERSONS, PublicationError
from victim_monitor.storage.schema import audit_events
from victim_monitor.web import audit

WORKSPACE = "victim_monitor.web.workspace"
PUBLIC_PAGES = ("/en/login", "/api/overview", "/en/")
WAIT = 20.0  # seconds a blocked step waits at most for the test to let it go


class Gate:
    """Makes a function block until released, and says when a call has reached it."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            self.entered.set()
            self.released.wait(WAIT)
            return function(*args, **kwargs)

        return blocked


@contextmanager
def in_background(send: Callable[[], httpx2.Response]) -> Iterator[list[httpx2.Response]]:
    """Send a request in a thread (the answer lands in the yielded list); joined on exit."""
    answers: list[httpx2.Response] = []
    thread = threading.Thread(target=lambda: answers.append(send()), daemon=True)
    thread.start()
    try:
        yield answers
    finally:
        thread.join(WAIT + 10)


def _session(client: TestClient) -> dict[str, str]:
    """The logged-in test client's cookies, sent by hand (they are Secure; the server is http)."""
    return dict(client.cookies.items())


def _public_pages_answer(base: str) -> None:
    with httpx2.Client(base_url=base, timeout=5) as anonymous:
        for page in PUBLIC_PAGES:
            started = time.perf_counter()
            answer = anonymous.get(page)
            assert answer.status_code == 200, (page, answer.status_code)
            assert time.perf_counter() - started < 5


@pytest.fixture
def register(engine: Engine, tmp_path: Path) -> None:
    populate(engine, tmp_path / "files")


def test_a_public_page_answers_while_an_upload_is_imported(
    login: Login, register: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_monitor.registry.intake import import_submission

    gate = Gate()
    monkeypatch.setattr(f"{WORKSPACE}.import_submission", gate.wrap(import_submission))
    client = login("reporter")
    token = csrf_of(client, "/en/workspace/submissions")
    upload = fixed_file(tmp_path).read_bytes()
    with serving(client.app) as base:  # type: ignore[arg-type]

        def send() -> httpx2.Response:
            return httpx2.post(
                f"{base}/en/workspace/submissions",
                cookies=_session(client),
                files=[("csrf_token", (None, token)), ("file", ("again.csv", upload))],
                timeout=WAIT + 10,
            )

        with in_background(send) as answers:
            try:
                assert gate.entered.wait(WAIT), "the upload never reached its intake"
                _public_pages_answer(base)
                assert answers == []  # the upload is still being imported
            finally:
                gate.released.set()
    assert answers
    assert answers[0].status_code in (303, 422)


def test_a_public_page_answers_while_a_review_decision_is_written(
    login: Login, register: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_monitor.linkage import record_decision

    gate = Gate()
    monkeypatch.setattr(f"{WORKSPACE}.record_decision", gate.wrap(record_decision))
    client = login("staff")
    token = csrf_of(client, "/en/workspace/review")
    with serving(client.app) as base:  # type: ignore[arg-type]

        def send() -> httpx2.Response:
            return httpx2.post(
                f"{base}/en/workspace/review/999999",
                cookies=_session(client),
                data={"csrf_token": token, "decision": "same"},
                timeout=WAIT + 10,
            )

        with in_background(send) as answers:
            try:
                assert gate.entered.wait(WAIT), "the decision was never written"
                _public_pages_answer(base)
            finally:
                gate.released.set()
    assert answers
    assert answers[0].status_code == 422


@pytest.mark.parametrize(
    ("function", "user", "page", "form"),
    [
        ("admin.set_active", "admin", "/en/admin/users/{staff}/active", {"active": "0"}),
        ("admin.sync_organisations", "admin", "/en/admin/organisations",
         {"code": "NGO", "name_nl": "Een NGO", "name_en": "An NGO",
          "reporter_type": "ngo", "estimation_list": "O"}),
    ],
)  # fmt: skip
def test_a_public_page_answers_while_an_admin_form_is_written(
    login: Login,
    register: None,
    monkeypatch: pytest.MonkeyPatch,
    function: str,
    user: str,
    page: str,
    form: dict[str, str],
) -> None:
    from victim_monitor.web import admin

    module, name = function.split(".")
    gate = Gate()
    monkeypatch.setattr(f"victim_monitor.web.{module}.{name}", gate.wrap(getattr(admin, name)))
    client = login(user)
    staff = next(u["id"] for u in client.get("/api/admin/users").json() if u["username"] == "staff")
    token = csrf_of(client, "/en/admin/users")
    with serving(client.app) as base:  # type: ignore[arg-type]

        def send() -> httpx2.Response:
            return httpx2.post(
                base + page.format(staff=staff),
                cookies=_session(client),
                data={"csrf_token": token, **form},
                timeout=WAIT + 10,
            )

        with in_background(send) as answers:
            try:
                assert gate.entered.wait(WAIT), f"{function} was never called"
                _public_pages_answer(base)
            finally:
                gate.released.set()
    assert answers
    assert answers[0].status_code == 303, answers[0].text[:300]


def test_a_publication_is_a_job_that_holds_no_request(
    login: Login, register: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_monitor.web.publishing import publish

    gate = Gate()
    monkeypatch.setattr(f"{WORKSPACE}.publish", gate.wrap(publish))
    client = login("analyst")
    token = csrf_of(client, "/en/workspace/publish")
    with serving(client.app) as base:  # type: ignore[arg-type]
        cookies = _session(client)
        form = {"csrf_token": token, "year_from": "2018", "year_to": "2018"}
        try:
            with httpx2.Client(base_url=base, cookies=cookies, timeout=5) as analyst:
                started = analyst.post("/en/workspace/publish", data=form)
                assert started.status_code == 303  # at once, to the job's page
                job_page = started.headers["location"]
                assert gate.entered.wait(WAIT), "the publication never started"
                _public_pages_answer(base)
                running = analyst.get(job_page)
                assert running.status_code == 200
                assert running.headers["refresh"] == "2"  # reloads itself, no script
                assert "Publishing" in running.text
                again = analyst.post("/en/workspace/publish", data=form)
                assert again.headers["location"] == job_page  # one publication at a time
                assert job_page in analyst.get("/en/workspace/publish").text
        finally:
            gate.released.set()
        job_id = job_page.rsplit("/", 1)[1]
        with httpx2.Client(base_url=base, cookies=cookies, timeout=5) as analyst:
            deadline = time.monotonic() + 120
            while (job := analyst.get(f"/api/workspace/jobs/{job_id}").json())["state"] not in (
                "done",
                "failed",
            ):
                assert time.monotonic() < deadline, job
                time.sleep(0.05)
            assert job["state"] == "done", job
            assert job["owner"] == "analyst"
            assert "audit passed" in analyst.get(job_page).text


def test_a_job_page_is_the_analysts_only_and_unknown_jobs_are_404(
    login: Login, register: None, monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    def refused(*_args: Any) -> Any:
        raise PublicationError([NO_PERSONS("the register is not ready (test)")])

    monkeypatch.setattr(f"{WORKSPACE}.publish", refused)
    client = login("analyst")
    token = csrf_of(client, "/en/workspace/publish")
    started = client.post(
        "/en/workspace/publish", data={"csrf_token": token, "year_from": "2018", "year_to": "2018"}
    )
    job_page = started.headers["location"]
    job_id = job_page.rsplit("/", 1)[1]
    deadline = time.monotonic() + 30
    while (job := client.get(f"/api/workspace/jobs/{job_id}").json())["state"] != "failed":
        assert time.monotonic() < deadline, job
        time.sleep(0.02)
    assert "not ready" in job["error"]
    assert [p["code"] for p in job["problems"]] == [NO_PERSONS.code]  # the coded problems kept
    page = client.get(job_page.replace("/en/", "/nl/"))
    assert "Niet gepubliceerd" in page.text
    assert f"<code>{NO_PERSONS.code}</code> the register is not ready (test)" in page.text
    assert "refresh" not in page.headers
    assert client.get("/api/workspace/jobs/no-such-job-0123456789").status_code == 404
    assert client.get("/api/workspace/jobs/x").status_code == 422  # not an id at all
    # Its start and its end are in the audit trail, with the job's id.
    assert audit.events(engine, action="publish_start")[0].record == f"job:{job_id}"
    deadline = time.monotonic() + 10
    while not (ended := audit.events(engine, action="publish")):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert ended[0].detail["job"] == job_id
    assert ended[0].detail["ok"] is False
    for other in ("staff", "reporter", "admin"):
        assert login(other).get(f"/api/workspace/jobs/{job_id}").status_code == 403
    assert login(None).get(f"/api/workspace/jobs/{job_id}").status_code == 401


def test_a_job_runner_runs_jobs_one_at_a_time_in_order() -> None:
    from victim_monitor.web import jobs

    runner = jobs.JobRunner()
    gate, order = Gate(), []

    def work(n: int, summary: str) -> Callable[[], str]:
        def run() -> str:
            order.append(n)
            return summary

        return run

    first = runner.submit("publish", "analyst", gate.wrap(work(1, "one")))
    second = runner.submit("publish", "analyst", work(2, "two"))
    assert gate.entered.wait(WAIT)
    assert runner.get(first.id).state == "running"  # type: ignore[union-attr]
    assert runner.get(second.id).state == "queued"  # type: ignore[union-attr]
    assert runner.active("publish") == runner.get(first.id)
    gate.released.set()
    deadline = time.monotonic() + WAIT
    while not runner.get(second.id).finished:  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert order == [1, 2]
    assert runner.get(second.id).summary == "two"  # type: ignore[union-attr]
    assert runner.active("publish") is None


def test_concurrent_audit_events_share_commits_and_keep_the_chain(engine: Engine) -> None:
    from victim_monitor.web import audit_batch

    commits: list[int] = []
    real = audit.append_rows

    def counted(on: Engine, rows: list[dict[str, Any]]) -> list[str]:
        commits.append(len(rows))
        time.sleep(0.02)  # a slow disk: callers pile up behind the writer
        return real(on, rows)

    threads = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(audit, "append_rows", counted)
        for n in range(40):
            thread = threading.Thread(
                target=audit_batch.append,
                args=(engine,),
                kwargs={"actor": f"user{n}", "role": "staff", "action": "read", "record": "x"},
            )
            threads.append(thread)
            thread.start()
        for thread in threads:
            thread.join(WAIT)
    assert sum(commits) == 40
    assert len(commits) < 40  # some events shared a commit
    with engine.connect() as conn:
        actors = conn.scalars(select(audit_events.c.actor).order_by(audit_events.c.id)).all()
    assert sorted(actors) == sorted(f"user{n}" for n in range(40))
    assert audit.verify(engine).intact


def test_few_route_threads_and_a_database_pool_that_fits_them(tmp_path: Path) -> None:
    """Eight route threads (40 queued on the GIL in a convoy), and a connection for each
    thread that may want one, so none waits for one behind a long job (the old pool held 15
    for 40 threads)."""
    import anyio

    from victim_monitor.web import WebSettings, app, create_app, workspace

    settings = WebSettings(f"sqlite:///{tmp_path / 'register.db'}", release_dir=tmp_path)
    made = create_app(settings)
    engine = made.state.web.engine
    try:
        with TestClient(made) as client:  # the app's lifespan sets the route threads
            portal = client.portal
            assert portal is not None
            tokens = portal.call(lambda: anyio.to_thread.current_default_thread_limiter())
            assert tokens.total_tokens == app.THREADS == 8
        wanting = app.THREADS + workspace.INTAKE.total_tokens + 1 + 2  # the job, the loop
        assert engine.pool.size() >= wanting
    finally:
        engine.dispose()
