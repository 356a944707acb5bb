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
