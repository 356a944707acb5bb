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
NONE_YET = Label("Er is nog geen reactie geregistreerd.", "No response has been registered yet.")
LATEST = Label("laatste opvolging,", "latest follow-up,")
# On the day recommendations are published nothing has followed yet: a list marking every one
# "Open" says nothing, so the section says that the follow-up starts here.
STARTS = Label(
    "Deze aanbevelingen worden met deze factsheet gedaan. Hun opvolging wordt vanaf nu "
    "bijgehouden; de volgende editie doet daarvan verslag.",
    "These recommendations are made with this factsheet. Their follow-up is recorded from now "
    "on and will be reported in the next edition.",
)


def followup_section(view: EditionView, lang: Lang) -> Section:
    """One language's section for an edition's recommendations and their status; a single
    sentence that the follow-up starts when nothing has been recorded for any of them yet."""
    title = TITLE(lang).format(edition=view.code)
    if all(r.response is None and not r.history for r in view.recommendations):
        return Section("followup", title, STARTS(lang))
    items = []
    for r in view.recommendations:
        response = NONE_YET(lang)
        if r.response is not None:
            response = f"{RESPONSE(lang)}: {escape_markdown(r.response(lang))}"
        elif r.history:  # a response or other follow-up recorded in the workspace
            last = r.history[-1]
            response = (
                f"{RESPONSE(lang)}: {escape_markdown(last.evidence(lang))} "
                f"({LATEST(lang)} {last.date})"
            )
        items.append(
            f"{r.number}. **{escape_markdown(r.status_label(lang))}**: "
            f"{escape_markdown(_first_sentence(r.text(lang)))} "
            f"{TO(lang)}: {escape_markdown(r.addressee(lang))}. {response}"
        )
    return Section("followup", title, "\n".join(items))


def followup_sections(engine: Engine, edition: str) -> dict[Lang, list[Section]]:
    """The follow-up section in Dutch and English, for ``build_factsheet(extra=...)``."""
    view = followup(engine, edition)
    return {lang: [followup_section(view, lang)] for lang in ("nl", "en")}


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text
