"""Dutch and English: the interface's words, and category labels for the dashboard.

Pages live under ``/nl/...`` and ``/en/...`` so that each language has a stable URL; the switch
links to the same path under the other prefix. Category and dimension labels
come from :mod:`victim_monitor.tables.categories` (and so :mod:`victim_monitor.vocab`), as in
the published tables.
"""

from __future__ import annotations

import functools
from typing import Literal

from victim_monitor.tables.categories import DIMENSION_LABELS, category_label
from victim_monitor.vocab import Label

Lang = Literal["nl", "en"]
LANGS: tuple[Lang, ...] = ("nl", "en")


@functools.lru_cache(maxsize=4096)  # a page of 50 persons asks for 150 labels
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
    "login_blocked": Label("Te veel mislukte pogingen.", "Too many failed attempts."),
    "retry_seconds": Label("Probeer het over {n} seconden opnieuw.", "Try again in {n} seconds."),
    "retry_minutes": Label("Probeer het over {n} minuten opnieuw.", "Try again in {n} minutes."),
    "sessions": Label("Sessies", "Sessions"),
    "end_sessions": Label("Sessies beëindigen van", "End sessions of"),
    "clear_delays": Label("Inlogvertraging opheffen van", "Clear login delays of"),
    "clear_address_delays": Label(
        "Inlogvertraging van een adres opheffen", "Clear the login delays of an address"
    ),
    "client_address": Label("IP-adres", "IP address"),
    "change_password": Label("Wachtwoord wijzigen", "Change password"),
    "current_password": Label("Huidig wachtwoord", "Current password"),
    "new_password": Label("Nieuw wachtwoord", "New password"),
    "repeat_password": Label("Nieuw wachtwoord nogmaals", "New password again"),
    "password_rule": Label(
        "Minstens 12 en hoogstens 1024 tekens; niet de gebruikersnaam, geen herhaald patroon "
        "en geen veelgebruikt wachtwoord. Een zin van een paar woorden werkt goed.",
        "At least 12 and at most 1,024 characters; not the username, no repeated pattern and "
        "not a commonly used password. A phrase of a few words works well.",
    ),
    "password_changed": Label(
        "Uw wachtwoord is gewijzigd. Uw sessies in andere browsers zijn beëindigd.",
        "Your password has been changed. Your sessions in other browsers have ended.",
    ),
    "passwords_differ": Label(
        "De twee nieuwe wachtwoorden verschillen.", "The two new passwords differ."
    ),
    "current_password_wrong": Label(
        "Het huidige wachtwoord klopt niet.", "The current password is wrong."
    ),
    "suppressed": Label("onderdrukt", "suppressed"),
    # a cell of a publication made from published figures for which none was published
    "not_available": Label(
        "niet beschikbaar: geen cijfer gepubliceerd", "not available: no figure published"
    ),
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
    "audit_full": Label("Elke gebeurtenis controleren", "Verify every event"),
    "audit_keyed": Label("Keten met sleutel (HMAC), sleutel-id", "Keyed chain (HMAC), key id"),
    "audit_no_key": Label(
        "Geen auditsleutel ingesteld (VICTIM_MONITOR_AUDIT_KEY): de keten is alleen SHA-256; "
        "wie de database kan schrijven, kan haar herschrijven.",
        "No audit key set (VICTIM_MONITOR_AUDIT_KEY): the chain is SHA-256 only; whoever can "
        "write the database can rewrite it.",
    ),
    "audit_checkpoint_download": Label("Controlepunt downloaden", "Download a checkpoint"),
    "audit_checkpoint_file": Label("Controlepunt (JSON)", "Checkpoint (JSON)"),
    "audit_checkpoint_verify": Label(
        "Controleren tegen controlepunt", "Verify against the checkpoint"
    ),
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
    "api_tokens": Label("API-tokens", "API tokens"),
    "api_tokens_intro": Label(
        "Met een API-token levert het systeem van een organisatie zelf aanleveringen aan "
        "(POST /api/submissions). Alleen een hash van de token wordt bewaard.",
        "With an API token an organisation's own system submits files "
        "(POST /api/submissions). Only a hash of the token is kept.",
    ),
    "token_made": Label(
        "De nieuwe token. Kopieer hem nu: hij wordt niet bewaard en niet opnieuw getoond.",
        "The new token. Copy it now: it is not kept and will not be shown again.",
    ),
    "token_prefix": Label("Begint met", "Starts with"),
    "token_name": Label("Omschrijving", "Description"),
    "token_days": Label("Verloopt na dagen (leeg: nooit)", "Expires after days (empty: never)"),
    "token_days_rule": Label(
        "Het aantal dagen is een geheel getal van 1 tot {n}, of leeg.",
        "The number of days is a whole number from 1 to {n}, or empty.",
    ),
    "created": Label("Aangemaakt", "Created"),
    "last_used": Label("Laatst gebruikt", "Last used"),
    "expires": Label("Verloopt", "Expires"),
    "never": Label("nooit", "never"),
    "revoke": Label("Intrekken", "Revoke"),
    "revoked": Label("Ingetrokken", "Revoked"),
    "expired": Label("Verlopen", "Expired"),
    "not_found": Label("Niet gevonden.", "Not found."),
    "forbidden": Label("Geen toegang.", "No access."),
}


def translator(lang: Lang) -> object:
    """``t(key)`` for templates."""

    def t(key: str) -> str:
        return WORDS[key](lang) if key in WORDS else key

    return t
