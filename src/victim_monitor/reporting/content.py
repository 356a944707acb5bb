"""The factsheet's content in one language: everything both renderers (HTML, PDF) print.

Built only from the publication and the checked editorial text. An optional section (the
follow-up of recommendations, from the programme monitor) can be passed in as Markdown; it is
checked like the editorial text and printed before the colophon.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from victim_monitor import __version__
from victim_monitor.reporting.charts import Chart, charts
from victim_monitor.reporting.editorial import Editorial, Section
from victim_monitor.reporting.figures import Lang, format_int, round_significant
from victim_monitor.reporting.published import Finding, Published
from victim_monitor.vocab import Label

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip

TEXT = {
    "estimated": Label("slachtoffers in {year} (schatting)", "victims in {year} (estimate)"),
    "not_estimable": Label("niet te schatten", "not estimable"),
    "not_estimable_why": Label("slachtoffers in {year}: {reason}", "victims in {year}: {reason}"),
    "registered": Label("slachtoffers in beeld in {year}", "victims registered in {year}"),
    "findings": Label("Bevindingen uit de tabellen", "Findings from the tables"),
    "findings_note": Label(
        "Zinnen gemaakt volgens vaste, gedocumenteerde regels uit de gepubliceerde tabellen.",
        "Sentences made by fixed, documented rules from the published tables.",
    ),
    "figures": Label("Cijfers", "Figures"),
    "colophon": Label("Colofon", "Colophon"),
    "sources": Label("Bronnen", "Sources"),
    "method": Label("Methode", "Method"),
    "disclosure": Label("Onthullingsbeheersing", "Disclosure control"),
    "sources_text": Label(
        "Meldingen van vermoedelijke slachtoffers door politie, Koninklijke Marechaussee, "
        "Arbeidsinspectie, zorgcoördinatoren, opvang en andere organisaties, gepseudonimiseerd "
        "bij de bron en gekoppeld tot personen. Publicatie: {label} (registerstand {snapshot}).",
        "Reports of presumed victims by the police, the Royal Marechaussee, the Labour "
        "Inspectorate, care coordinators, shelters and other organisations, pseudonymised at "
        "the source and linked into persons. Publication: {label} (register snapshot "
        "{snapshot}).",
    ),
    "method_text": Label(
        "Een slachtoffer is een persoon achter een of meer meldingen, één keer geteld in een "
        "totaal en onder elke melder die hem of haar meldde. Het aantal slachtoffers dat niet in "
        "beeld is, is geschat met multiple systems estimation over de lijsten van melders "
        "(log-lineaire modellen, {level} interval); schattingen zijn afgerond op twee "
        "significante cijfers, de grenzen van een interval naar buiten.",
        "A victim is a person behind one or more reports, counted once in a total and under "
        "every reporter that reported them. The number of victims not in view is estimated by "
        "multiple systems estimation over the reporters' lists (log-linear models, {level} "
        "interval); estimates are rounded to two significant digits, the ends of an interval "
        "outwards.",
    ),
    "disclosure_text": Label(
        "Alle cijfers komen uit tabellen na onthullingsbeheersing ({method}): cellen van 1 tot "
        "{below} personen zijn niet gepubliceerd, en ook cellen waaruit die terug te rekenen "
        "zijn (×). Een niet-gepubliceerde cel is geen nul. Elk getal in deze tekst is bij het "
        "maken gecontroleerd tegen de gepubliceerde tabellen ({numbers} getallen).",
        "Every figure comes from tables after disclosure control ({method}): cells of 1 to "
        "{below} persons are not published, nor are cells from which those could be worked "
        "out (×). A cell not published is not a zero. Every number in this text was checked "
        "against the published tables when the factsheet was built ({numbers} numbers).",
    ),
    "made_with": Label(
        "Gemaakt met victim-monitor {version}.", "Made with victim-monitor {version}."
    ),
    "page": Label("pagina", "page"),
}


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """The headline numbers: the estimated range against those registered."""

    estimate: str
    estimate_label: str
    estimate_ref: str
    registered: str
    registered_label: str
    registered_ref: str


@dataclass(frozen=True, slots=True)
class Colophon:
    title: str
    items: tuple[tuple[str, str], ...]  # (heading, text)
    extra: Section | None


@dataclass(frozen=True)
class Factsheet:
    """Everything the factsheet prints in one language."""

    lang: Lang
    title: str
    subtitle: str
    edition: str
    date: str
    years: str
    key_figure: KeyFigure | None
    intro: Section
    headlines: Section
    approach: Section
    charts: tuple[Chart, ...]
    charts_title: str
    findings_title: str
    findings_note: str
    findings: tuple[str, ...]
    recommendations: Section
    extra: tuple[Section, ...]
    colophon: Colophon
    page_word: str


def select_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """One finding per subject (the part of its id before ``/``), the first the publication gives.

    The publication states a fall both over five years and against the first two years; the
    factsheet has room for one sentence per subject.
    """
    seen: set[str] = set()
    chosen: list[Finding] = []
    for finding in findings:
        subject = finding.key.split("/", 1)[0]
        if subject not in seen:
            seen.add(subject)
            chosen.append(finding)
    return tuple(chosen)


def format_date(day: dt.date, lang: Lang) -> str:
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def _key_figure(published: Published, lang: Lang) -> KeyFigure | None:
    """The last year's estimated range against the victims registered in it."""
    last = published.years[-1]
    estimate = published.estimates.get(str(last))
    reason = published.not_estimable.get(str(last))
    if estimate is None and reason is None:
        return None
    registered = "×"
    by_year = published.tables.get("victims_by_year")
    if by_year is not None:
        value = by_year.cells.get((str(last),))
        if value is not None and value.value is not None:
            registered = format_int(value.value, lang)
    if estimate is None:  # never a number that does not exist: the reason instead
        assert reason is not None
        shown = TEXT["not_estimable"](lang)
        label = TEXT["not_estimable_why"](lang).format(year=last, reason=reason(lang))
        ref = ""
    else:
        low = format_int(round_significant(estimate.low, direction="down"), lang)
        high = format_int(round_significant(estimate.high, direction="up"), lang)
        shown, label = f"{low} – {high}", TEXT["estimated"](lang).format(year=last)
        ref = f"estimates[{last}].low-high"
    return KeyFigure(
        shown,
        label,
        ref,
        registered,
        TEXT["registered"](lang).format(year=last),
        f"victims_by_year[{last}]",
    )


def compose(published: Published, editorial: Editorial, extra: Sequence[Section] = ()) -> Factsheet:
    """The factsheet's content from a publication and checked editorial text."""
    lang = editorial.lang
    level = published.level
    method = {"suppress": ("celonderdrukking", "cell suppression")}.get(
        published.method, (published.method, published.method)
    )
    colophon = Colophon(
        TEXT["colophon"](lang),
        (
            (
                TEXT["sources"](lang),
                TEXT["sources_text"](lang).format(
                    label=published.label(lang), snapshot=published.snapshot[:12] or "-"
                ),
            ),
            (TEXT["method"](lang), TEXT["method_text"](lang).format(level=f"{level:.0%}")),
            (
                TEXT["disclosure"](lang),
                TEXT["disclosure_text"](lang).format(
                    method=method[0 if lang == "nl" else 1],
                    below=published.threshold - 1,
                    numbers=editorial.numbers,
                )
                + " "
                + TEXT["made_with"](lang).format(version=__version__),
            ),
        ),
        editorial.sections.get("colophon"),
    )
    years = f"{published.years[0]}-{published.years[-1]}"
    return Factsheet(
        lang=lang,
        title=editorial.text("title"),
        subtitle=editorial.text("subtitle"),
        edition=editorial.text("edition"),
        date=format_date(editorial.date, lang),
        years=years,
        key_figure=_key_figure(published, lang),
        intro=editorial.sections["intro"],
        headlines=editorial.sections["headlines"],
        approach=editorial.sections["approach"],
        charts=charts(published, lang),
        charts_title=TEXT["figures"](lang),
        findings_title=TEXT["findings"](lang),
        findings_note=TEXT["findings_note"](lang),
        findings=tuple(f.text(lang) for f in select_findings(published.findings)),
        recommendations=editorial.sections["recommendations"],
        extra=tuple(extra),
        colophon=colophon,
        page_word=TEXT["page"](lang),
    )
