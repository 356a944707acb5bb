"""The cache of rendered public answers: ETags, 304, gzip, new releases, and never a user's page."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gzip
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.types import Message, Receive, Scope, Send

from tests.web.conftest import Login, csrf_of
from tests.web.publication import publication, write
from victim_monitor.programme import import_example, record_measure_status
from victim_monitor.published import write_publication
from victim_monitor.vocab import Label
from victim_monitor.web import cache as cache_module
from victim_monitor.web.cache import Entry, PublicCache, entry

PUBLIC = (
    "/en/",
    "/nl/tables/victims_by_form?year_from=2015",
    "/en/downloads",
    "/api/overview?lang=nl",
    "/api/tables/victims_by_form",
    "/downloads/tables/victims_by_form.csv",
    "/downloads/datapackage.json",
    "/downloads/tables.xlsx",
)


@pytest.mark.parametrize("path", PUBLIC)
def test_public_answers_have_a_strong_etag_and_revalidate_to_304(
    app_client: TestClient, path: str
) -> None:
    first = app_client.get(path, headers={"accept-encoding": "identity"})
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")
    assert first.headers["cache-control"] == "no-cache"
    assert "Cookie" in first.headers["vary"]
    again = app_client.get(path, headers={"accept-encoding": "identity"})
    assert again.content == first.content
    assert again.headers["etag"] == etag
    assert int(again.headers["content-length"]) == len(first.content)
    unchanged = app_client.get(path, headers={"if-none-match": etag, "accept-encoding": "identity"})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    # Security headers wrap cached answers too.
    assert "content-security-policy" in unchanged.headers
    other = app_client.get(path, headers={"if-none-match": '"other"'})
    assert other.status_code == 200


def test_gzip_twin_is_the_same_body_with_its_own_etag(app_client: TestClient) -> None:
    plain = app_client.get("/en/tables/victims_by_form", headers={"accept-encoding": "identity"})
    raw = app_client.get(
        "/en/tables/victims_by_form", headers={"accept-encoding": "gzip"}, extensions={}
    )
    assert raw.headers["content-encoding"] == "gzip"
    assert raw.content == plain.content  # the client decodes it
    assert raw.headers["etag"] != plain.headers["etag"]
    assert int(raw.headers["content-length"]) < len(plain.content)
    refused = app_client.get(
        "/en/tables/victims_by_form", headers={"accept-encoding": "gzip;q=0, identity"}
    )
    assert "content-encoding" not in refused.headers


def test_entry_compresses_only_when_it_pays() -> None:
    body = b"<p>" + b"made up " * 200 + b"</p>"
    made = entry(200, [(b"content-type", b"text/html"), (b"etag", b'"x"')], body)
    assert made.gzipped is not None
    assert gzip.decompress(made.gzipped) == body
    assert (b"etag", b'"x"') not in made.headers
    assert made.etag != made.gzip_etag
    assert entry(200, [], b"{}").gzipped is None
    assert entry(200, [], body).etag == made.etag  # the same body, the same tag
    assert entry(200, [], body + b" ").etag != made.etag


def test_a_new_release_is_served_at_once(app_client: TestClient, release_dir: Path) -> None:
    before = app_client.get("/api/overview?lang=en")
    assert app_client.get("/api/overview?lang=en").headers["etag"] == before.headers["etag"]
    finding = dataclasses.replace(
        publication().findings[0], text=Label("Nog een bevinding.", "Another finding.")
    )
    staged = write_publication(
        dataclasses.replace(publication(), findings=(finding,)), release_dir.parent / "next"
    )
    shutil.rmtree(release_dir)  # publishing replaces the directory
    staged.rename(release_dir)
    after = app_client.get(
        "/api/overview?lang=en", headers={"if-none-match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.json()["findings"] == ["Another finding."]
    assert after.headers["etag"] != before.headers["etag"]


def test_nothing_published_is_not_cached(app_client: TestClient, release_dir: Path) -> None:
    shutil.rmtree(release_dir)
    assert app_client.get("/api/overview").status_code == 404
    write(release_dir)
    assert app_client.get("/api/overview").status_code == 200


def test_errors_are_not_cached(app_client: TestClient) -> None:
    response = app_client.get("/api/tables/no_such_table")
    assert response.status_code == 404
    assert "etag" not in response.headers


def test_logged_in_pages_are_never_cached_nor_served_to_others(login: Login) -> None:
    anonymous = login(None).get("/en/")
    assert "etag" in anonymous.headers
    assert "staff" not in anonymous.text.split("<main", 1)[0]
    staff = login("staff")
    page = staff.get("/en/")
    assert page.status_code == 200
    assert "etag" not in page.headers
    assert page.headers["cache-control"] == "no-store"
    assert 'name="csrf_token"' in page.text  # the logout form: this user's token
    assert page.content != anonymous.content
    # A logged-in user holding the anonymous ETag still gets their own page.
    held = staff.get("/en/", headers={"if-none-match": anonymous.headers["etag"]})
    assert held.status_code == 200
    assert 'name="csrf_token"' in held.text
    # And the next anonymous visitor gets the anonymous page, not the user's.
    after = login(None).get("/en/")
    assert after.content == anonymous.content
    assert 'name="csrf_token"' not in after.text


@pytest.mark.parametrize(
    "path", ["/en/workspace", "/en/workspace/submissions", "/en/workspace/persons", "/en/login"]
)
def test_workspace_is_never_cached(login: Login, path: str) -> None:
    client = login("staff")
    for _ in range(2):
        response = client.get(path)
        assert "etag" not in response.headers
        assert response.headers.get("cache-control") == "no-store"
    assert login(None).get(path).headers.get("etag") is None


def test_person_level_json_is_never_cached(login: Login) -> None:
    client = login("staff")
    response = client.get("/api/workspace/submissions")
    assert response.status_code == 200
    assert "etag" not in response.headers
    anonymous = login(None).get("/api/workspace/submissions")
    assert anonymous.status_code == 401


def test_cache_is_bounded_and_evicts_the_oldest(app_client: TestClient) -> None:
    cache = _cache(app_client)
    cache.max_entries = 3
    queries = ["year_from=2014", "year_from=2015", "year_from=2016", "year_to=2015", "year_to=2016"]
    for query in queries:
        assert app_client.get(f"/api/tables/victims_by_form?{query}").status_code == 200
    assert len(cache) == 3
    hits = cache.hits
    app_client.get(f"/api/tables/victims_by_form?{queries[-1]}")
    assert cache.hits == hits + 1
    misses = cache.misses
    app_client.get(f"/api/tables/victims_by_form?{queries[0]}")  # evicted
    assert cache.misses == misses + 1


def _cache(client: TestClient) -> PublicCache:
    client.get("/en/")  # builds the middleware stack
    layer = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, PublicCache):
        layer = layer.app
    return layer


def test_entry_type_is_frozen() -> None:
    made = entry(200, [], b"x")
    with pytest.raises(AttributeError):
        made.body = b"y"  # type: ignore[misc]
    assert isinstance(made, Entry)


def test_concurrent_misses_render_once(release_dir: Path) -> None:
    """Fifty first requests for one page: the app renders it once; all get the same body."""
    rendered = 0

    async def slow_page(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal rendered
        rendered += 1
        await asyncio.sleep(0.05)
        body = b"<p>made up</p>" * 100
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    cache = PublicCache(slow_page)
    settings = SimpleNamespace(release_dir=release_dir, factsheet_dir=None)
    app = SimpleNamespace(state=SimpleNamespace(web=SimpleNamespace(settings=settings)))

    async def get() -> bytes:
        scope = {
            "type": "http",
            "method": "GET",
            "path": "/en/",
            "query_string": b"",
            "headers": [],
            "app": app,
        }
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        async def send(message: Message) -> None:
            sent.append(message)

        await cache(scope, receive, send)
        assert sent[0]["status"] == 200
        return b"".join(m.get("body", b"") for m in sent[1:])

    async def burst() -> list[bytes]:
        return await asyncio.gather(*(get() for _ in range(50)))

    bodies = asyncio.run(burst())
    assert rendered == 1
    assert len(set(bodies)) == 1
    assert bodies[0] == b"<p>made up</p>" * 100
    assert cache.misses == 1
    assert cache.hits == 49


MEASURE = "/api/programme/samen-tegen-mensenhandel/measures/VB-04"


def test_programme_pages_are_kept_briefly_and_dropped_on_a_change(
    login: Login, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert import_example(engine).ok
    first = login(None).get(MEASURE)
    assert "etag" in first.headers
    assert first.json()["status"] != "delayed"
    # A change the library makes behind the app's back (as `programme import` would) shows
    # once the brief entry has expired.
    assert record_measure_status(
        engine,
        "samen-tegen-mensenhandel",
        "VB-04",
        "delayed",
        Label("Verzonnen vertraging.", "Made-up delay."),
        on=dt.date(2020, 3, 16),
        by="test",
    ).ok
    assert login(None).get(MEASURE).json()["status"] != "delayed"  # still the kept copy
    later = time.monotonic() + cache_module.REGISTER_SECONDS + 0.1
    monkeypatch.setattr(cache_module, "_clock", lambda: later)
    assert login(None).get(MEASURE).json()["status"] == "delayed"
    # A change through the app drops the kept programme pages at once, whatever their age.
    monkeypatch.setattr(cache_module, "REGISTER_SECONDS", 3600.0)
    page = "/en/programme/samen-tegen-mensenhandel/measures/VB-04"
    assert "Made-up delay." in login(None).get(page).text
    analyst = login("analyst")
    edit = "/en/workspace/programme/samen-tegen-mensenhandel/measures/VB-04"
    form = {
        "csrf_token": csrf_of(analyst, edit),
        "status": "running",
        "date": "2021-01-04",
        "evidence_nl": "Weer gestart (verzonnen).",
        "evidence_en": "Restarted (made up).",
    }
    assert analyst.post(edit, data=form).status_code == 303
    assert "Restarted (made up)." in login(None).get(page).text
