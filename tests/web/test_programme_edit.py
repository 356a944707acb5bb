"""Editing the programme register in the workspace, in-process on both databases: an analyst's
change reaches the public page, its JSON twin and the audit trail; the history only grows;
nobody else writes anything."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from tests.web.conftest import USERS, Login, csrf_of
from victim_monitor.programme import import_example
from victim_monitor.storage.schema import measure_history, recommendation_history
from victim_monitor.web import audit

MEASURE = "samen-tegen-mensenhandel/measures/VB-04"
EDIT_MEASURE = f"/en/workspace/programme/{MEASURE}"
EDIT_REC = "/en/workspace/recommendations/2014-2018/1"


@pytest.fixture
def example(engine: Engine) -> None:
    assert import_example(engine).ok


def _changes(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        measures = conn.scalar(select(func.count()).select_from(measure_history))
        recs = conn.scalar(select(func.count()).select_from(recommendation_history))
    return int(measures or 0), int(recs or 0)


def _form(client: TestClient, page: str, **values: str) -> dict[str, str]:
    return {"csrf_token": csrf_of(client, page)} | values


DELAY = {
    "status": "delayed",
    "date": "2020-03-16",
    "evidence_nl": "Scholen gesloten; voorlichting uitgesteld (verzonnen voorbeeld).",
    "evidence_en": "Schools closed; sessions postponed (made-up example).",
    "url": "https://example.org/progress-2020",
}


def test_a_status_change_reaches_the_public_page_its_twin_and_the_audit_trail(
    login: Login, engine: Engine, example: None
) -> None:
    client = login("analyst")
    before = client.get(f"/api/programme/{MEASURE}").json()
    assert before["status"] != "delayed"
    response = client.post(EDIT_MEASURE, data=_form(client, EDIT_MEASURE, **DELAY))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{EDIT_MEASURE}?saved=1"
    assert "Recorded and added to the history." in client.get(response.headers["location"]).text

    after = client.get(f"/api/programme/{MEASURE}").json()
    assert after["status"] == "delayed"  # the latest change by date is the current status
    assert [c["date"] for c in after["history"]] == [c["date"] for c in before["history"]] + [
        "2020-03-16"
    ]
    assert after["history"][-1]["recorded_by"] == "analyst"
    assert after["history"][-1]["url"] == DELAY["url"]
    public = login(None).get(f"/nl/programme/{MEASURE}")
    assert "Scholen gesloten; voorlichting uitgesteld" in public.text
    assert "Vertraagd" in public.text

    event = audit.events(engine, limit=1, action="programme_status")[0]
    assert (event.actor, event.role) == ("analyst", "analyst")
    assert event.record == f"measure:{MEASURE.replace('/measures/', '/')}"
    assert event.screen == EDIT_MEASURE
    assert event.detail["ok"] is True
    assert event.detail["status"] == "delayed"
    assert audit.verify(engine).intact


def test_a_government_response_is_recorded_as_a_dated_follow_up_with_its_source(
    login: Login, engine: Engine, example: None
) -> None:
    client = login("analyst")
    values = {
        "status": "in_progress",
        "date": "2019-06-20",
        "evidence_nl": "Kabinetsreactie: coördinatie bij een programmaregisseur (verzonnen).",
        "evidence_en": "Government response: a programme director coordinates (made-up).",
        "url": "https://example.org/kamerbrief",
    }
    nl_page = "/nl/workspace/recommendations/2014-2018/1"
    response = client.post(nl_page, data=_form(client, nl_page, **values))
    assert response.status_code == 303, response.text
    edition = client.get("/api/recommendations/2014-2018").json()
    first = edition["recommendations"][0]
    assert first["status"] == "in_progress"
    assert first["history"][-1]["evidence"]["en"] == values["evidence_en"]
    assert first["history"][-1]["date"] == "2019-06-20"
    page = login(None).get("/en/recommendations/2014-2018")
    assert "Government response: a programme director coordinates" in page.text
    assert 'href="https://example.org/kamerbrief"' in page.text
    assert "Record follow-up" not in page.text  # no edit link for the public
    event = audit.events(engine, limit=1, action="programme_followup")[0]
    assert event.record == "recommendation:2014-2018/1"
    assert event.screen == nl_page


def test_the_history_only_grows(login: Login, engine: Engine, example: None) -> None:
    client = login("analyst")
    assert client.post(EDIT_MEASURE, data=_form(client, EDIT_MEASURE, **DELAY)).status_code == 303
    counts = _changes(engine)
    again = DELAY | {"evidence_en": "A different story for the same day."}
    response = client.post(EDIT_MEASURE, data=_form(client, EDIT_MEASURE, **again))
    assert response.status_code == 422
    assert "<td>date</td><td><code>VM612</code>" in response.text  # refused by the library
    assert "never overwritten" in response.text
    assert _changes(engine) == counts
    history = client.get(f"/api/programme/{MEASURE}").json()["history"]
    assert history[-1]["evidence"]["en"] == DELAY["evidence_en"]  # not replaced
    event = audit.events(engine, limit=1, action="programme_status")[0]
    assert (event.detail["ok"], event.detail["problems"]) == (False, ["VM612"])


def test_every_response_and_follow_up_stays_in_the_history_page_and_twin(
    login: Login, engine: Engine, example: None
) -> None:
    client = login("analyst")
    steps = [
        ("in_progress", "2019-06-20", "Government response: a director coordinates (made-up)."),
        ("in_progress", "2020-01-15", "Government response, second letter (made-up)."),
        ("implemented", "2021-07-01", "Programme director appointed (made-up)."),
    ]
    for status, on, text in steps:
        values = {
            "status": status,
            "date": on,
            "evidence_nl": f"NL: {text}",
            "evidence_en": text,
            "url": f"https://example.org/{on}",
        }
        assert client.post(EDIT_REC, data=_form(client, EDIT_REC, **values)).status_code == 303
    first = client.get("/api/recommendations/2014-2018").json()["recommendations"][0]
    assert first["status"] == "implemented"
    assert [(c["status"], c["date"], c["evidence"]["en"]) for c in first["history"]] == steps
    assert all(c["recorded_by"] == "analyst" and c["recorded_at"] for c in first["history"])
    assert [c["url"] for c in first["history"]] == [f"https://example.org/{s[1]}" for s in steps]
    for lang, prefix in (("en", ""), ("nl", "NL: ")):
        page = login(None).get(f"/{lang}/recommendations/2014-2018").text
        section = page.split('id="r1"')[1].split('id="r2"')[0]
        for _, on, text in steps:
            assert f"{prefix}{text}" in section
            assert f'href="https://example.org/{on}"' in section


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"status": "finished"}, "VM605", "status"),
        ({"evidence_nl": ""}, "VM604", "evidence_nl"),
        ({"date": "16-03-2020"}, "VM605", "date"),
        ({"url": "not a web address"}, "VM605", "url"),
    ],
)
def test_a_bad_change_gets_coded_problems_and_writes_nothing(
    login: Login, engine: Engine, example: None, change: dict[str, str], code: str, field: str
) -> None:
    client = login("analyst")
    counts = _changes(engine)
    response = client.post(EDIT_MEASURE, data=_form(client, EDIT_MEASURE, **(DELAY | change)))
    assert response.status_code == 422
    assert f"<td>{field}</td><td><code>{code}</code>" in response.text
    assert "nothing was written" in response.text
    assert _changes(engine) == counts
    event = audit.events(engine, limit=1, action="programme_status")[0]
    assert event.detail["ok"] is False
    assert code in event.detail["problems"]


@pytest.mark.parametrize("user", [None, *(u for u in USERS if u != "analyst")])
def test_nobody_else_writes(login: Login, engine: Engine, example: None, user: str | None) -> None:
    client = login(user)
    counts = _changes(engine)
    token = csrf_of(client, "/en/login")
    posts: list[tuple[str, dict[str, Any]]] = [
        (EDIT_MEASURE, DELAY),
        (EDIT_REC, DELAY | {"status": "implemented"}),
    ]
    for url, values in posts:
        response = client.post(url, data={"csrf_token": token, **values})
        if user is None:
            assert response.status_code == 303
            assert "/login" in response.headers["location"]
        else:
            assert response.status_code == 403
        for page in (url, "/en/workspace/programme", "/api/workspace/programme"):
            assert client.get(page).status_code in ((303, 401) if user is None else (403,))
    assert _changes(engine) == counts
    for page in (f"/en/programme/{MEASURE}", "/en/recommendations/2014-2018"):
        assert "/workspace/" not in client.get(page).text.split("<main")[1]


def test_without_a_csrf_token_nothing_is_written(
    login: Login, engine: Engine, example: None
) -> None:
    client = login("analyst")
    counts = _changes(engine)
    assert client.post(EDIT_MEASURE, data=DELAY).status_code == 403
    assert _changes(engine) == counts


def test_the_workspace_list_and_its_twin(login: Login, example: None) -> None:
    client = login("analyst")
    listing = client.get("/api/workspace/programme").json()
    kinds = {r["kind"] for r in listing}
    assert kinds == {"measure", "recommendation"}
    assert sum(r["kind"] == "recommendation" for r in listing) == 5
    vb01 = next(r for r in listing if r["key"] == "samen-tegen-mensenhandel/VB-01")
    assert (vb01["status"], vb01["changes"]) == ("implemented", 3)
    page = client.get("/nl/workspace/programme")
    assert page.status_code == 200
    assert f'href="/nl{vb01["edit"]}"' in page.text
    assert 'href="/nl/workspace/programme">Programma bijwerken</a>' in page.text
    measure = client.get(f"/en/programme/{MEASURE}").text
    assert f'href="{EDIT_MEASURE}"' in measure  # the analyst sees where to edit


def test_unknown_records_are_404(login: Login, example: None) -> None:
    client = login("analyst")
    assert (
        client.get("/en/workspace/programme/samen-tegen-mensenhandel/measures/NOPE").status_code
        == 404
    )
    assert client.get("/en/workspace/recommendations/2014-2018/99").status_code == 404
    assert client.get("/en/workspace/recommendations/1900/1").status_code == 404


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_programme_is_in_the_public_navigation(login: Login, lang: str) -> None:
    page = login(None).get(f"/{lang}/").text
    name = "Programma" if lang == "nl" else "Programme"
    assert f'<a href="/{lang}/programme">{name}</a>' in page
    current = login(None).get(f"/{lang}/programme").text
    assert f'<a href="/{lang}/programme" aria-current="page">{name}</a>' in current
