"""Editing the programme register in the workspace: a measure's status, a recommendation's
follow-up and the government's response, each as one dated change with its evidence.

Only the right ``programme`` (the analyst) may record. Every change goes through
:func:`victim_monitor.programme.record_measure_status` or
:func:`~victim_monitor.programme.record_followup`: the same coded checks as an import, the
history appended, and the change in the audit trail. A change the history already holds (same
date and status) is refused by the library inside its writing transaction
(``on_existing="refuse"``, VM612), so two analysts recording it at once cannot overwrite the
first one's evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from victim_monitor.problems import Problem
from victim_monitor.programme.codes import BAD_VALUE
from victim_monitor.programme.edit import record_followup, record_measure_status
from victim_monitor.programme.intake import ImportResult
from victim_monitor.programme.store import measure_change_counts
from victim_monitor.programme.terms import LABELS, FollowUp, MeasureStatus
from victim_monitor.programme.views import (
    MeasureView,
    NotFoundError,
    RecommendationView,
    editions,
    followup,
    measure_detail,
    programme_overview,
)
from victim_monitor.vocab import Label
from victim_monitor.web.accounts import User
from victim_monitor.web.deps import CsrfForm, check_lang, context, log, render, require
from victim_monitor.web.i18n import Lang
from victim_monitor.web.programme_routes import Code

router = APIRouter()

RIGHT = "programme"
MAX_TEXT = 2000
Number = Annotated[int, Path(ge=1, le=999, description="A recommendation's number")]


@dataclass(frozen=True, slots=True)
class EditableRecord:
    """A measure or recommendation as the workspace lists it: where to edit it, its status."""

    kind: str  # measure, recommendation
    key: str  # "programme/code" or "edition/number"
    title: Label
    status: str
    status_label: Label
    changes: int
    edit_path: str  # after /{lang}
    public_path: str  # after /{lang}

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "title": {"nl": self.title.nl, "en": self.title.en},
            "status": self.status,
            "status_label": {"nl": self.status_label.nl, "en": self.status_label.en},
            "changes": self.changes,
            "edit": self.edit_path,
            "public": self.public_path,
        }


@dataclass(frozen=True, slots=True)
class Form:
    """What was typed into an edit form (kept to show it again with its problems)."""

    status: str
    on: str
    evidence_nl: str
    evidence_en: str
    url: str

    @classmethod
    def read(cls, form: dict[str, Any]) -> Form:
        def text(name: str) -> str:
            return str(form.get(name, "")).strip()[:MAX_TEXT]

        return cls(
            text("status"), text("date"), text("evidence_nl"), text("evidence_en"), text("url")
        )


def _records(request: Request) -> list[EditableRecord]:
    engine = context(request).engine
    changes = measure_change_counts(engine)
    found: list[EditableRecord] = []
    for p in programme_overview(engine):
        for line in p.action_lines:
            for m in line.measures:
                path = f"/programme/{p.code}/measures/{m.code}"
                found.append(
                    EditableRecord(
                        "measure",
                        f"{p.code}/{m.code}",
                        m.title,
                        m.status,
                        m.status_label,
                        changes.get((p.code, m.code), 0),
                        f"/workspace{path}",
                        path,
                    )
                )
    for e in editions(engine):
        for r in e.recommendations:
            found.append(
                EditableRecord(
                    "recommendation",
                    f"{e.code}/{r.number}",
                    Label(
                        f"{e.code} #{r.number}: {_first(r.text.nl)}",
                        f"{e.code} #{r.number}: {_first(r.text.en)}",
                    ),
                    r.status,
                    r.status_label,
                    len(r.history),
                    f"/workspace/recommendations/{e.code}/{r.number}",
                    f"/recommendations/{e.code}#r{r.number}",
                )
            )
    return found


def _first(text: str) -> str:
    return text.split(". ")[0][:120]


def _measure(request: Request, programme: str, code: str) -> MeasureView:
    try:
        return measure_detail(context(request).engine, programme, code)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc


def _recommendation(request: Request, edition: str, number: int) -> RecommendationView:
    try:
        view = followup(context(request).engine, edition)
    except NotFoundError as exc:
        raise HTTPException(404, str(exc)) from exc
    for r in view.recommendations:
        if r.number == number:
            return r
    raise HTTPException(404, f"no recommendation {number} in edition {edition!r}")


def _bad(field: str, message: str, value: str) -> Problem:
    return BAD_VALUE(message, file="edit", field=field, value=value)


Writer = Callable[[str, Label, date, str | None, str], ImportResult]


def _write(form: Form, by: str, write: Writer) -> Outcome:
    """Read the date, then write through the library (which refuses a change already held)."""
    try:
        on = date.fromisoformat(form.on)
    except ValueError:
        return Outcome(None, (_bad("date", "a date is written YYYY-MM-DD", form.on),))
    evidence = Label(form.evidence_nl, form.evidence_en)
    result = write(form.status, evidence, on, form.url or None, by)
    return Outcome(result, result.problems)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The library's result (None when refused before writing) and every problem to show."""

    result: ImportResult | None
    problems: tuple[Problem, ...]

    @property
    def written(self) -> bool:
        return self.result is not None and self.result.outcome == "accepted"


def _choices(kind: type[MeasureStatus] | type[FollowUp], lang: Lang) -> list[tuple[str, str]]:
    return [(value, label(lang)) for value, label in LABELS[kind].items()]


# --- the list of what may be edited --------------------------------------------------------


@router.get(
    "/{lang:lang}/workspace/programme", response_class=HTMLResponse, include_in_schema=False
)
def edit_index(request: Request, lang: str) -> HTMLResponse:
    language = check_lang(lang)
    require(request, RIGHT)
    return render(request, "programme/workspace.html", language, records=_records(request))


@router.get("/api/workspace/programme", tags=["workspace"])
def edit_index_json(request: Request) -> list[dict[str, Any]]:
    """Every measure and recommendation the analyst may record a change for, with its current
    status and number of recorded changes (analysts only)."""
    require(request, RIGHT)
    return [r.as_dict() for r in _records(request)]


# --- a measure's status --------------------------------------------------------------------


def _measure_form(
    request: Request,
    lang: str,
    view: MeasureView,
    form: Form | None = None,
    outcome: Outcome | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = check_lang(lang)
    return render(
        request,
        "programme/edit.html",
        language,
        status_code=status_code,
        kind="measure",
        title=view.title,
        status_label=view.status_label,
        history=view.history,
        choices=_choices(MeasureStatus, language),
        action=f"/{language}/workspace/programme/{view.programme}/measures/{view.code}",
        public=f"/{language}/programme/{view.programme}/measures/{view.code}",
        form=form or Form(view.status, date.today().isoformat(), "", "", ""),
        outcome=outcome,
        saved=request.query_params.get("saved") == "1",
    )


@router.get(
    "/{lang:lang}/workspace/programme/{programme}/measures/{code}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def measure_edit_page(request: Request, lang: str, programme: Code, code: Code) -> HTMLResponse:
    require(request, RIGHT)
    return _measure_form(request, lang, _measure(request, programme, code))


@router.post(
    "/{lang:lang}/workspace/programme/{programme}/measures/{code}", include_in_schema=False
)
def measure_edit(
    request: Request, lang: str, programme: Code, code: Code, values: CsrfForm
) -> Response:
    language = check_lang(lang)
    user = require(request, RIGHT)
    view = _measure(request, programme, code)
    form = Form.read(values)
    engine = context(request).engine

    def write(status: str, evidence: Label, on: date, url: str | None, by: str) -> ImportResult:
        return record_measure_status(
            engine, programme, code, status, evidence, on=on, url=url, by=by, on_existing="refuse"
        )

    outcome = _write(form, user.username, write)
    _audit(request, user, "programme_status", f"measure:{programme}/{code}", form, outcome)
    if not outcome.written:
        return _measure_form(request, language, view, form, outcome, status_code=422)
    return RedirectResponse(f"{request.url.path}?saved=1", status_code=303)


# --- a recommendation's follow-up and the government's response ------------------------------


def _followup_form(
    request: Request,
    lang: str,
    view: RecommendationView,
    form: Form | None = None,
    outcome: Outcome | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = check_lang(lang)
    return render(
        request,
        "programme/edit.html",
        language,
        status_code=status_code,
        kind="recommendation",
        title=Label(
            f"{view.edition}, {view.number}. {_first(view.text.nl)}",
            f"{view.edition}, {view.number}. {_first(view.text.en)}",
        ),
        recommendation=view,
        status_label=view.status_label,
        history=view.history,
        choices=_choices(FollowUp, language),
        action=f"/{language}/workspace/recommendations/{view.edition}/{view.number}",
        public=f"/{language}/recommendations/{view.edition}#r{view.number}",
        form=form or Form(view.status, date.today().isoformat(), "", "", ""),
        outcome=outcome,
        saved=request.query_params.get("saved") == "1",
    )


@router.get(
    "/{lang:lang}/workspace/recommendations/{edition}/{number}",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def followup_edit_page(request: Request, lang: str, edition: Code, number: Number) -> HTMLResponse:
    require(request, RIGHT)
    return _followup_form(request, lang, _recommendation(request, edition, number))


@router.post("/{lang:lang}/workspace/recommendations/{edition}/{number}", include_in_schema=False)
def followup_edit(
    request: Request, lang: str, edition: Code, number: Number, values: CsrfForm
) -> Response:
    language = check_lang(lang)
    user = require(request, RIGHT)
    view = _recommendation(request, edition, number)
    form = Form.read(values)
    engine = context(request).engine

    def write(status: str, evidence: Label, on: date, url: str | None, by: str) -> ImportResult:
        return record_followup(
            engine, edition, number, status, evidence, on=on, url=url, by=by, on_existing="refuse"
        )

    outcome = _write(form, user.username, write)
    _audit(request, user, "programme_followup", f"recommendation:{edition}/{number}", form, outcome)
    if not outcome.written:
        return _followup_form(request, language, view, form, outcome, status_code=422)
    return RedirectResponse(f"{request.url.path}?saved=1", status_code=303)


def _audit(
    request: Request, user: User, action: str, record: str, form: Form, outcome: Outcome
) -> None:
    """Each attempt in the audit trail: what was recorded, or the codes that refused it."""
    log(
        request,
        user,
        action,
        record,
        ok=outcome.written,
        status=form.status,
        date=form.on,
        url=form.url,
        problems=[p.code for p in outcome.problems],
    )
