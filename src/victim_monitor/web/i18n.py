"""Dutch and English: the interface's words, and category labels for the dashboard.

Pages live under ``/nl/...`` and ``/en/...`` so that each language has a stable URL; the switch
links to the same path under the other prefix. Category and dimension labels
come from :mod:`victim_monitor.tables.categories` (and so :mod:`victim_monitor.vocab`), as in
the published tables.
"""

from __future__ import annotations

from typing import Literal

from victim_monitor.tables.categories import DIMENSION_LABELS, category_label
from victim_monitor.vocab import Label

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")


def category(dimension: str, value: str, lang: Lang) -> str:
    """The label of a category of a dimension (the value itself when none is defined)."""
    return category_label(dimension, value)(lang)


def dimension(name: str, lang: Lang) -> str:
    found = DIMENSION_LABELS.get(name)
    return found(lang) if found else name


# The interface's own words. Templates call ``t("key")``.
WORDS: dict[str, Label] = {
    "site": Label("Slachtoffermonitor mensenhandel", "Human trafficking victim monitor"),
    "skip": Label("Naar de inhoud", "Skip to content"),
    "dashboard": Label("Cijfers", "Figures"),
    "tables": Label("Tabellen", "Tables"),
    "downloads": Label("Downloads", "Downloads"),
    "workspace": Label("Werkruimte", "Workspace"),
    "login": Label("Inloggen", "Log in"),
    "logout": Label("Uitloggen", "Log out"),
    "username": Label("Gebruikersnaam", "Username"),
    "password": Label("Wachtwoord", "Password"),
    "login_failed": Label(
        "Onbekende gebruikersnaam of wachtwoord.", "Unknown username or password."
    ),
    "login_blocked": Label(
        "Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.",
        "Too many failed attempts. Try again in fifteen minutes.",
    ),
    "suppressed": Label("onderdrukt", "suppressed"),
    "suppressed_note": Label(
        "Cellen met een • zijn onderdrukt: te weinig personen om te publiceren, of nodig om "
        "zo'n cel te beschermen. Ze zijn niet nul.",
        "Cells marked • are suppressed: too few persons to publish, or needed to protect such "
        "a cell. They are not zero.",
    ),
    "no_release": Label(
        "Er zijn nog geen cijfers gepubliceerd.", "No figures have been published yet."
    ),
    "registered": Label("Geregistreerde slachtoffers", "Registered victims"),
    "year_from": Label("Van jaar", "From year"),
    "year_to": Label("Tot en met jaar", "To year"),
    "group": Label("Groep", "Group"),
    "all_groups": Label("Alle groepen", "All groups"),
    "apply": Label("Toepassen", "Apply"),
    "json_twin": Label("Deze gegevens als JSON", "This data as JSON"),
    "csv": Label("CSV", "CSV"),
    "counting": Label("Telling", "Counting"),
    "submissions": Label("Aanleveringen", "Submissions"),
    "upload": Label("Aanlevering uploaden", "Upload a submission"),
    "file": Label("Bestand", "File"),
    "review": Label("Beoordelen", "Review"),
    "persons": Label("Personen", "Persons"),
    "publish": Label("Publiceren", "Publish"),
    "users": Label("Gebruikers", "Users"),
    "organisations": Label("Organisaties", "Organisations"),
    "audit": Label("Audittrail", "Audit trail"),
    "problems": Label("Problemen", "Problems"),
    "row": Label("Rij", "Row"),
    "field": Label("Veld", "Field"),
    "value": Label("Waarde", "Value"),
    "code": Label("Code", "Code"),
    "message": Label("Melding", "Message"),
    "severity": Label("Ernst", "Severity"),
    "outcome": Label("Uitkomst", "Outcome"),
    "received": Label("Ontvangen", "Received"),
    "organisation": Label("Organisatie", "Organisation"),
    "rows": Label("Rijen", "Rows"),
    "errors": Label("Fouten", "Errors"),
    "warnings": Label("Waarschuwingen", "Warnings"),
    "same": Label("Zelfde persoon", "Same person"),
    "different": Label("Verschillende personen", "Different persons"),
    "reason": Label("Reden", "Reason"),
    "decide": Label("Besluiten", "Decide"),
    "evidence": Label("Bewijs", "Evidence"),
    "probability": Label("Kans", "Probability"),
    "last_run": Label("Laatste koppeling", "Last linkage run"),
    "threshold": Label("Drempel", "Threshold"),
    "threshold_chosen": Label("gekozen door het model", "chosen by the model"),
    "threshold_given": Label("opgegeven", "given"),
    "expected_pairs": Label("Verwachte paren van één persoon", "Expected pairs of one person"),
    "linked_pairs": Label("Gekoppelde paren", "Linked pairs"),
    "estimated_precision": Label("Geschatte precisie", "Estimated precision"),
    "estimated_recall": Label("Geschatte recall", "Estimated recall"),
    "estimated_overlap": Label(
        "Geschatte fout in personen op twee of meer lijsten",
        "Estimated error in persons on two or more lists",
    ),
    "status": Label("Status", "Status"),
    "years": Label("Jaren", "Years"),
    "role": Label("Rol", "Role"),
    "name": Label("Naam", "Name"),
    "active": Label("Actief", "Active"),
    "create": Label("Aanmaken", "Create"),
    "block": Label("Blokkeren", "Block"),
    "unblock": Label("Deblokkeren", "Unblock"),
    "export": Label("Exporteren", "Export"),
    "key_file": Label("Sleutelbestand", "Key file"),
    "encode_in_browser": Label("Versleutelen in de browser", "Encode in the browser"),
    "language": Label("Taal", "Language"),
    "other_language": Label("English", "Nederlands"),
    "not_found": Label("Niet gevonden.", "Not found."),
    "forbidden": Label("Geen toegang.", "No access."),
}


def translator(lang: Lang) -> object:
    """``t(key)`` for templates."""

    def t(key: str) -> str:
        return WORDS[key](lang) if key in WORDS else key

    return t
