"""The public dashboard: pages under ``/nl`` and ``/en``, each with a JSON twin under ``/api``.

Both the page and its twin call the same function of :mod:`victim_monitor.web.dashboard`.
No login, and nothing here reads the register: only the published release.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from markupsafe import Markup

from victim_monitor.published import Publication
from victim_monitor.published.datapackage import LICENCE
from victim_monitor.web.dashboard import (
    Overview,
    QueryError,
    TableView,
    chart,
    overview,
    table_view,
)
from victim_monitor.web.deps import check_lang, context, current_user, render
from victim_monitor.web.figures import factsheet_figures
from victim_monitor.web.i18n import Lang
from victim_monitor.web.published import ReleaseError, load_published

router = APIRouter()

YearParam = Annotated[int | None, Query(ge=1900, le=2100, description="First or last year shown")]
LangParam = Annotated[Lang, Query(description="Language of the labels")]


def _release(request: Request) -> Publication | None:
    try:
        return load_published(context(request).settings.release_dir)
    except ReleaseError:
        return None


def _required(request: Request) -> Publication:
    published = _release(request)
    if published is None:
        raise HTTPException(404, "no release has been published")
    return published


def _view(
    request: Request,
    name: str,
    lang: Lang,
    year_from: int | None,
    year_to: int | None,
    group: str | None,
) -> TableView:
    try:
        view = table_view(
            _required(request), name, lang, year_from=year_from, year_to=year_to, group=group
        )
    except QueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    if view is None:
        raise HTTPException(404, f"no table {name}")
    return view


@router.get("/", include_in_schema=False)
def home() -> RedirectResponse:
    return RedirectResponse("/nl/", status_code=307)


@router.get("/{lang:lang}/", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(request: Request, lang: str) -> HTMLResponse:
    language = check_lang(lang)
    current_user(request)
    published = _release(request)
    view = overview(published, language) if published else None
    figures = factsheet_figures(published, language) if published else []
    return render(
        request,
        "dashboard.html",
        language,
        view=view,
        figures=[(f, Markup(f.svg)) for f in figures],
    )


@router.get("/api/overview", tags=["dashboard"])
def dashboard_json(request: Request, lang: LangParam = "en") -> Overview:
    """Registered victims per year and the tables of the current release."""
    return overview(_required(request), lang)


@router.get("/{lang:lang}/tables/{name}", response_class=HTMLResponse, include_in_schema=False)
def table_page(
    request: Request,
    lang: str,
    name: str,
    year_from: YearParam = None,
    year_to: YearParam = None,
    group: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    language = check_lang(lang)
    current_user(request)
    view = _view(request, name, language, year_from, year_to, group or None)
    return render(request, "table.html", language, view=view, chart=Markup(chart(view)))


@router.get("/api/tables/{name}", tags=["dashboard"])
def table_json(
    request: Request,
    name: str,
    lang: LangParam = "en",
    year_from: YearParam = None,
    year_to: YearParam = None,
    group: Annotated[str | None, Query(max_length=64)] = None,
) -> TableView:
    """One protected table, filtered by year range and group; suppressed cells are null."""
    return _view(request, name, lang, year_from, year_to, group)


FACTSHEET = re.compile(r"factsheet-\d{4}(-\d{4})?-(nl|en)\.pdf")


def _factsheets(request: Request) -> list[str]:
    folder = context(request).settings.factsheet_dir
    if folder is None or not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if FACTSHEET.fullmatch(p.name))


@router.get("/{lang:lang}/downloads", response_class=HTMLResponse, include_in_schema=False)
def downloads_page(request: Request, lang: str) -> HTMLResponse:
    language = check_lang(lang)
    current_user(request)
    published = _release(request)
    view = overview(published, language) if published else None
    return render(
        request, "downloads.html", language, view=view, factsheets=_factsheets(request),
        open_data=_open_data(request) if published else [], licence=LICENCE["name"],
    )  # fmt: skip


@router.get("/factsheets/{name}", tags=["downloads"], response_class=FileResponse)
def factsheet_download(request: Request, name: str) -> FileResponse:
    """A factsheet PDF (``factsheet-2014-2018-nl.pdf``) as ``victim-monitor factsheet`` wrote it."""
    if name not in _factsheets(request):
        raise HTTPException(404, "no such factsheet")
    folder = context(request).settings.factsheet_dir
    assert folder is not None
    return FileResponse(folder / name, media_type="application/pdf", filename=name)


# The publication's files (docs/methods/publication.md, "Layout"), and nothing else in its folder.
DOWNLOADABLE = re.compile(
    r"(manifest|estimates|trends|findings|datapackage)\.json|(estimates|estimates-sensitivity"
    r"|trends)\.csv|tables\.xlsx|tables/[a-z0-9_]+\.(json|csv)|sdmx/[a-z0-9_]+\.csv"
)
MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# The open-data formats beside the CSV and JSON files (a release before them has none).
OPEN_DATA = ("datapackage.json", "tables.xlsx", "estimates-sensitivity.csv")


def _open_data(request: Request) -> list[str]:
    folder = context(request).settings.release_dir
    sdmx = sorted(f"sdmx/{p.name}" for p in (folder / "sdmx").glob("*.csv"))
    return [p for p in (*OPEN_DATA, *sdmx) if DOWNLOADABLE.fullmatch(p) and (folder / p).is_file()]


@router.get("/downloads/{path:path}", tags=["downloads"], response_class=FileResponse)
def download(request: Request, path: str) -> FileResponse:
    """A file of the publication as published (``manifest.json``, ``tables/NAME.csv``, ...).

    Only the files the manifest lists, so nothing else in the folder can be fetched.
    """
    _required(request)
    folder = context(request).settings.release_dir
    if not DOWNLOADABLE.fullmatch(path) or not (folder / path).is_file():
        raise HTTPException(404, "no such published file")
    media = MEDIA_TYPES[path[path.rindex(".") :]]
    return FileResponse(folder / path, media_type=media, filename=path.replace("/", "-"))
