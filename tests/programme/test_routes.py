"""The public programme pages and their JSON twins, in-process, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.web.publication import write
from victim_monitor.programme import import_programme
from victim_monitor.web import WebSettings, create_app

MEASURE = "/programme/samen-tegen-mensenhandel/measures/VB-01"


@pytest.fixture
def client(
    engine: Engine, database_url: str, example: Path, tmp_path: Path
) -> Iterator[TestClient]:
    import_programme(engine, example)
    settings = WebSettings(
        database_url=database_url,
        release_dir=write(tmp_path / "release"),
        secret="test-secret-of-enough-length",
        secure_cookies=True,
    )
    with TestClient(create_app(settings, engine), base_url="https://testserver") as c:
        yield c


def test_overview_page_and_twin(client: TestClient) -> None:
    page = client.get("/nl/programme")
    assert page.status_code == 200
    assert "Samen tegen mensenhandel (2018)" in page.text
    assert "Kennis en informatie delen" in page.text
    assert "voorbeeld" in page.text
    english = client.get("/en/programme")
    assert "Sharing knowledge and information" in english.text
    data = client.get("/api/programme").json()
    assert data["programmes"][0]["title"] == {
        "nl": "Samen tegen mensenhandel", "en": "Together against human trafficking",
    }  # fmt: skip
    assert data["editions"][0]["code"] == "2014-2018"


def test_measure_page_shows_history_and_published_indicator(client: TestClient) -> None:
    page = client.get(f"/en{MEASURE}")
    assert page.status_code == 200
    assert "This is an example, not a measure of the programme." in page.text
    assert "Example: final report." in page.text
    data = client.get(f"/api{MEASURE}").json()
    assert [c["status"] for c in data["history"]] == ["planned", "running", "implemented"]
    coverage = next(i for i in data["indicators"] if i["code"] == "coverage-minors-sexual")
    assert coverage["observations"][0]["year"] == 2018
    # The made-up publication has no domestic_sexual_by_age table: no values, said so.
    minors = next(i for i in data["indicators"] if i["code"] == "minors-domestic-sexual")
    assert minors["observations"] == []
    assert minors["source"]["en"].startswith("Published tables")


def test_recommendations_page_and_twin(client: TestClient) -> None:
    page = client.get("/nl/recommendations/2014-2018")
    assert page.status_code == 200
    assert "Versterk de rol van de Nationale Politie" in page.text
    assert "nog niet vastgelegd" in page.text
    data = client.get("/api/recommendations/2014-2018").json()
    assert len(data["recommendations"]) == 5
    assert data["by_status"]["open"] == 5


def test_unknown_codes_are_404_and_bad_codes_422(client: TestClient) -> None:
    assert client.get("/api/programme/samen-tegen-mensenhandel/measures/NOPE").status_code == 404
    assert client.get("/en/recommendations/1999").status_code == 404
    assert client.get("/api/recommendations/bad%20code").status_code == 422
