"""The optional section: the follow-up of a monitor edition's recommendations.

Read from the programme register (``victim_monitor.programme.followup``): public programme data,
no person-level rows. Turned into one :class:`Section` per language, which the factsheet prints
before the colophon. Its text carries no table figures, so it is not number-checked.
"""

from __future__ import annotations

from sqlalchemy import Engine

from victim_monitor.programme import EditionView, followup
from victim_monitor.reporting.editorial import Section
from victim_monitor.reporting.figures import Lang
from victim_monitor.reporting.markup import escape_markdown
from victim_monitor.vocab import Label

TITLE = Label(
    "Opvolging van de aanbevelingen {edition}", "Follow-up of the recommendations {edition}"
)
TO = Label("Aan", "To")
RESPONSE = Label("Reactie", "Response")
NONE_YET = Label("nog geen reactie geregistreerd", "no response registered yet")
LATEST = Label("laatste opvolging,", "latest follow-up,")


def followup_section(view: EditionView, lang: Lang) -> Section:
    """One language's section for an edition's recommendations and their status."""
    items = []
    for r in view.recommendations:
        response = f"*{NONE_YET(lang)}*"
        if r.response is not None:
            response = escape_markdown(r.response(lang))
        elif r.history:  # a response or other follow-up recorded in the workspace
            last = r.history[-1]
            response = f"{escape_markdown(last.evidence(lang))} ({LATEST(lang)} {last.date})"
        items.append(
            f"{r.number}. **{escape_markdown(r.status_label(lang))}**: "
            f"{escape_markdown(_first_sentence(r.text(lang)))} "
            f"{TO(lang)}: {escape_markdown(r.addressee(lang))}. "
            f"{RESPONSE(lang)}: {response}"
        )
    return Section("followup", TITLE(lang).format(edition=view.code), "\n".join(items))


def followup_sections(engine: Engine, edition: str) -> dict[Lang, list[Section]]:
    """The follow-up section in Dutch and English, for ``build_factsheet(extra=...)``."""
    view = followup(engine, edition)
    return {lang: [followup_section(view, lang)] for lang in ("nl", "en")}


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text
