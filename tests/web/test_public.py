"""The public dashboard: pages in both languages, JSON twins from the same queries, filters."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fastapi.testclient import TestClient

from tests.web.publication import COUNTS, SUPPRESSED


def test_root_redirects_to_dutch(app_client: TestClient) -> None:
    response = app_client.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/nl/"


def test_dashboard_in_both_languages(app_client: TestClient) -> None:
    nl = app_client.get("/nl/")
    en = app_client.get("/en/")
    assert nl.status_code == en.status_code == 200
    assert 'lang="nl"' in nl.text
    assert "Geregistreerde slachtoffers" in nl.text
    assert 'lang="en"' in en.text
    assert "Registered victims" in en.text
    # The switch links to the same page in the other language.
    assert 'href="/en/"' in nl.text
    assert 'href="/nl/"' in en.text
    total_2016 = sum(COUNTS["2016"])
    assert f"{total_2016:,}" in en.text
    assert f"{total_2016:,}".replace(",", ".") in nl.text


def test_json_twin_has_what_the_page_shows(app_client: TestClient) -> None:
    data = app_client.get("/api/overview", params={"lang": "en"}).json()
    assert [f["value"] for f in data["registered"]] == [sum(COUNTS[y]) for y in sorted(COUNTS)]
    assert data["estimates"][0]["estimate"] == 6200.0
    assert data["findings"] == ["A made-up finding."]
    page = app_client.get("/en/").text
    for finding in data["findings"]:
        assert finding in page


def test_a_year_that_is_not_estimable_says_why_in_both_languages(
    app_client: TestClient,
) -> None:
    data = app_client.get("/api/overview", params={"lang": "en"}).json()
    row = next(e for e in data["estimates"] if e["year"] == "2015")
    assert row["estimate"] is None
    assert row["not_estimable"].startswith("more than 20 times")
    assert "not estimable: more than 20 times the registered count" in app_client.get("/en/").text
    assert "niet te schatten: meer dan 20 keer" in app_client.get("/nl/").text


def test_the_other_methods_are_shown_beside_the_published_estimate(
    app_client: TestClient,
) -> None:
    data = app_client.get("/api/overview", params={"lang": "nl"}).json()
    assert data["sensitivity"]["methods"] == ["Onafhankelijke lijsten", "Log-lineair, stapsgewijs"]
    page = app_client.get("/en/").text
    section = page[page.index('id="sensitivity"') :]
    assert "Independent lists" in section
    assert "Log-linear, stepwise" in section
    assert "5,400 (4,600–6,700)" in section
    assert "not estimable" in section  # stepwise 2016: unbounded, no number
    assert "the estimate above is the one published" in section


def test_table_marks_suppressed_cells_and_never_shows_zero(app_client: TestClient) -> None:
    data = app_client.get("/api/tables/victims_by_form").json()
    codes = [c["code"] for c in data["columns"]]
    for row in data["rows"]:
        for code, cell in zip(codes, row["cells"], strict=True):
            if (row["year"], code) in SUPPRESSED:
                assert cell == {"value": None, "suppressed": True, "outcome": "suppressed"}
            else:
                assert cell["value"] is not None
                assert not cell["suppressed"]
    assert data["suppressed_cells"] == len(SUPPRESSED)
    page = app_client.get("/en/tables/victims_by_form").text
    assert page.count('class="suppressed"') == len(SUPPRESSED)
    assert "<svg" in page
    assert "<script" not in page


def test_filters_by_year_range_and_group(app_client: TestClient) -> None:
    data = app_client.get(
        "/api/tables/victims_by_form",
        params={"year_from": 2015, "year_to": 2016, "group": "labour"},
    ).json()
    assert [r["year"] for r in data["rows"]] == ["2015", "2016"]
    assert [c["code"] for c in data["columns"]] == ["labour"]
    assert [r["cells"][0]["value"] for r in data["rows"]] == [260, 250]
    html = app_client.get(
        "/nl/tables/victims_by_form", params={"year_from": 2015, "group": "labour"}
    )
    assert html.status_code == 200
    assert "Arbeidsuitbuiting" in html.text


def test_bad_filters_are_client_errors(app_client: TestClient) -> None:
    assert app_client.get("/api/tables/victims_by_form?year_from=2030").status_code == 422
    assert app_client.get("/api/tables/victims_by_form?group=nope").status_code == 422
    assert app_client.get("/api/tables/victims_by_form?year_from=x").status_code == 422
    assert app_client.get("/api/tables/no_such_table").status_code == 404
    assert app_client.get("/de/").status_code == 404


def test_downloads_serve_only_published_files(app_client: TestClient) -> None:
    csv = app_client.get("/downloads/tables/victims_by_form.csv")
    assert csv.status_code == 200
    assert csv.text.splitlines()[0] == "year,form_group,value,outcome"
    assert "2016,unknown,,suppressed" in csv.text
    assert app_client.get("/downloads/manifest.json").json()["format"].startswith("victim-monitor")
    for path in ("..%2F..%2Fpyproject.toml", "tables%2F..%2F..%2Fx.json", "other.txt"):
        assert app_client.get(f"/downloads/{path}").status_code == 404


def test_the_open_data_formats_are_listed_and_downloadable(app_client: TestClient) -> None:
    page = app_client.get("/nl/downloads").text
    for path in ("datapackage.json", "tables.xlsx"):
        assert f'href="/downloads/{path}"' in page
    assert "licentie CC-BY-4.0" in page
    package = app_client.get("/downloads/datapackage.json")
    assert package.headers["content-type"] == "application/json"
    assert {r["path"] for r in package.json()["resources"]} >= {"tables/victims_by_form.csv"}
    book = app_client.get("/downloads/tables.xlsx")
    assert book.status_code == 200
    assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert book.content.startswith(b"PK")
    for path in ("sdmx%2F..%2Fmanifest.json", "sdmx/crim_thb_none.csv", "tables.xlsx.bak"):
        assert app_client.get(f"/downloads/{path}").status_code == 404


def test_security_headers_and_strict_csp(app_client: TestClient) -> None:
    response = app_client.get("/en/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" in response.headers
    assert "<script>" not in response.text
    assert " style=" not in response.text


def test_openapi_lists_every_json_twin(app_client: TestClient) -> None:
    paths = app_client.get("/openapi.json").json()["paths"]
    for path in ("/api/overview", "/api/tables/{name}", "/api/workspace/submissions"):
        assert path in paths
    assert not any(p.startswith(("/nl", "/en", "/{lang}")) for p in paths)


def test_factsheet_pdfs_are_offered_when_configured(app_client: TestClient, tmp_path: Path) -> None:
    folder = tmp_path / "factsheets"
    folder.mkdir()
    (folder / "factsheet-2014-2018-nl.pdf").write_bytes(b"%PDF-1.7 made up")
    (folder / "notes.pdf").write_bytes(b"%PDF private")
    assert "factsheet-2014-2018-nl.pdf" not in app_client.get("/en/downloads").text
    web = app_client.app.state.web  # type: ignore[attr-defined]
    app_client.app.state.web = dataclasses.replace(  # type: ignore[attr-defined]
        web, settings=dataclasses.replace(web.settings, factsheet_dir=folder)
    )
    page = app_client.get("/en/downloads").text
    assert "/factsheets/factsheet-2014-2018-nl.pdf" in page
    assert "notes.pdf" not in page
    pdf = app_client.get("/factsheets/factsheet-2014-2018-nl.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == b"%PDF-1.7 made up"
    assert app_client.get("/factsheets/notes.pdf").status_code == 404
