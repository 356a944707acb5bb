"""Public pages of the programme register, each with a JSON twin under ``/api``.

The programme, its measures and the recommendations with their follow-up come from the
programme register (no person data there); monitor indicators take their values from the
published, disclosure-protected release only. Page and twin call the same view function of
:mod:`victim_monitor.programme.views`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse

from victim_monitor.programme.series import PublicationSource
from victim_monitor.programme.terms import LABELS, MeasureStatus
from victim_monitor.programme.views import (
    EditionView,
    MeasureView,
    NotFoundError,
    editions,
    followup,
    measure_detail,
    programme_overview,
)
from victim_monitor.web.deps import check_lang, context, current_user, render
from victim_monitor.web.published import ReleaseError, load_published

router = APIRouter()

_CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
Code = Annotated[str, Path(max_length=64, pattern=_CODE, description="A code in the register")]


def _source(request: Request) -> PublicationSource | None:
    try:
        return PublicationSource(load_published(context(request).settings.release_dir))
    except ReleaseError:
        return None


def _overview(request: Request) -> dict[str, Any]:
    engine = context(request).engine
    return {"programmes": programme_overview(engine), "editions": editions(engine)}


def _measure(request: Request, programme: str, code: str) -> MeasureView:
    try:
        return measure_detail(context(request).engine, programme, code, _source(request))
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


def _edition(request: Request, edition: str) -> EditionView:
    try:
        return followup(context(request).engine, edition, _source(request))
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/{lang:lang}/programme", response_class=HTMLResponse, include_in_schema=False)
def programme_page(request: Request, lang: str) -> HTMLResponse:
    language = check_lang(lang)
    current_user(request)
    view = _overview(request)
    labels = LABELS[MeasureStatus]
    return render(request, "programme/overview.html", language, status_labels=labels, **view)


@router.get("/api/programme", tags=["programme"])
def programme_json(request: Request) -> dict[str, Any]:
    """Programmes with their measures by action line, and every edition's recommendations."""
    view = _overview(request)
    return {key: [v.as_dict() for v in views] for key, views in view.items()}


@router.get(
    "/{lang:lang}/programme/{programme}/measures/{code}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def measure_page(request: Request, lang: str, programme: Code, code: Code) -> HTMLResponse:
    language = check_lang(lang)
    current_user(request)
    view = _measure(request, programme, code)
    return render(request, "programme/measure.html", language, view=view)


@router.get("/api/programme/{programme}/measures/{code}", tags=["programme"])
def measure_json(request: Request, programme: Code, code: Code) -> dict[str, Any]:
    """One measure: status history with evidence, milestones, and its indicators before and
    after the start (monitor values from the published release)."""
    return _measure(request, programme, code).as_dict()


@router.get(
    "/{lang:lang}/recommendations/{edition}", response_class=HTMLResponse, include_in_schema=False
)
def edition_page(request: Request, lang: str, edition: Code) -> HTMLResponse:
    language = check_lang(lang)
    current_user(request)
    view = _edition(request, edition)
    return render(request, "programme/edition.html", language, view=view)


@router.get("/api/recommendations/{edition}", tags=["programme"])
def edition_json(request: Request, edition: Code) -> dict[str, Any]:
    """The recommendations of one monitor edition with the government's response and follow-up."""
    return _edition(request, edition).as_dict()
