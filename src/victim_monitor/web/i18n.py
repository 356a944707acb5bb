"""Dutch and English: the interface's words, and category labels for the dashboard.

Pages live under ``/nl/...`` and ``/en/...`` so that each language has a stable URL; the switch
links to the same path under the other prefix. Category labels come from
:mod:`victim_monitor.vocab`, the one place they are defined.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from victim_monitor.vocab import (
    LABELS,
    AgeGroup,
    EstimationList,
    FormGroup,
    Label,
    NationalityGroup,
    ResidencePermit,
    Sex,
    YesNoUnknown,
)

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")

_DIMENSIONS: dict[str, type[StrEnum]] = {
    "form_group": FormGroup,
    "age_group": AgeGroup,
    "sex": Sex,
    "nationality_group": NationalityGroup,
    "estimation_list": EstimationList,
    "residence_permit": ResidencePermit,
    "dublin_claimant": YesNoUnknown,
}

_EXTRA = {
    "Total": Label("Totaal", "Total"),
    "investigative": Label("Opsporingsinstanties", "Investigative organisations"),
    "non_investigative": Label("Niet-opsporingsinstanties", "Non-investigative organisations"),
}

DIMENSION_LABELS = {
    "year": Label("Jaar", "Year"),
    "form_group": Label("Uitbuitingsvorm", "Form of exploitation"),
    "age_group": Label("Leeftijdsgroep", "Age group"),
    "sex": Label("Geslacht", "Sex"),
    "nationality_group": Label("Nationaliteit", "Nationality group"),
    "organisation": Label("Melder", "Reporting organisation"),
    "reporter_type": Label("Soort melder", "Reporter type"),
    "estimation_list": Label("Schattingslijst", "Estimation list"),
    "residence_permit": Label("Verblijfsregeling", "Residence permit"),
    "dublin_claimant": Label("Dublinclaimant", "Dublin claimant"),
}


def category(dimension: str, value: str, lang: Lang) -> str:
    """The label of a category of a dimension (the value itself when none is defined)."""
    if value in _EXTRA:
        return _EXTRA[value](lang)
    enum = _DIMENSIONS.get(dimension)
    if enum is not None:
        try:
            return LABELS[enum(value)](lang)
        except (ValueError, KeyError):
            return value
    return value


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
