"""The public pages over a publication made from published figures: a cell with no figure is
shown as not available ('.'), never as suppressed (•) or as a zero."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from victim_monitor.publication.from_figures import publish_figures

FIGURES = Path(__file__).resolve().parents[2] / "examples" / "slachtoffermonitor-2014-2018"


@pytest.fixture
def release_dir(tmp_path: Path) -> Path:
    out = tmp_path / "release"
    publish_figures(FIGURES / "figures.csv", range(2014, 2019), out)
    return out


def test_a_cell_without_a_published_figure_is_not_available(app_client: TestClient) -> None:
    data = app_client.get("/api/tables/domestic_sexual_by_age").json()
    text = str(data)
    assert "not_available" in text
    page = app_client.get("/nl/tables/domestic_sexual_by_age").text
    assert 'class="not-available"' in page
    assert "niet beschikbaar: geen cijfer gepubliceerd" in page
    assert 'class="suppressed"' not in page
    assert ">29<" in page  # the published figure itself


def test_the_dashboard_shows_the_published_figures_and_estimates(app_client: TestClient) -> None:
    nl = app_client.get("/nl/")
    assert nl.status_code == 200
    assert "1.255" in nl.text
    assert "668" in nl.text
    data = app_client.get("/api/overview", params={"lang": "en"}).json()
    assert [e["year"] for e in data["estimates"]] == ["2014", "2015"]
    assert app_client.get("/downloads/tables/domestic_sexual_by_age.csv").status_code == 200
