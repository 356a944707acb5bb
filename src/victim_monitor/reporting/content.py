"""The factsheet's content in one language: everything both renderers (HTML, PDF) print.

Built only from the publication and the checked editorial text. An optional section (the
follow-up of recommendations, from the programme monitor) can be passed in as Markdown; it is
checked like the editorial text and printed before the colophon.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from victim_monitor import __version__
from victim_monitor.published import Finding
from victim_monitor.reporting.charts import Chart, charts
from victim_monitor.reporting.editorial import Editorial, Section
from victim_monitor.reporting.figures import Lang, format_int, round_significant
from victim_monitor.reporting.published import Published
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
    "statements": Label("In het kort", "In brief"),
    "findings": Label("Bijlage: bevindingen per onderwerp", "Annex: findings by subject"),
    "findings_note": Label(
        "Per onderwerp de belangrijkste verandering, en alleen waar die groter is dan toeval kan "
        "verklaren. Alle bevindingen staan in de open data bij deze publicatie.",
        "For each subject its main change, and only where it is larger than chance can explain. "
        "All findings are in the open data of this publication.",
    ),
    "figures": Label("Cijfers", "Figures"),
    "colophon": Label("Colofon", "Colophon"),
    "sources": Label("Bronnen", "Sources"),
    "method": Label("Methode", "Method"),
    "disclosure": Label("Statistische beveiliging", "Statistical disclosure control"),
    "sources_text": Label(
        "Meldingen van vermoedelijke slachtoffers door politie, Koninklijke Marechaussee, "
        "Arbeidsinspectie, zorgcoördinatoren, opvang en andere organisaties. De meldingen zijn "
        "bij de bron gepseudonimiseerd en daarna aan elkaar gekoppeld, zodat elk slachtoffer "
        "één keer wordt geteld. Publicatie: {label}; de cijfers geven de stand van het "
        "register weer op het moment van publiceren (kenmerk {snapshot}).",
        "Reports of presumed victims by the police, the Royal Marechaussee, the Labour "
        "Inspectorate, care coordinators, shelters and other organisations. The reports were "
        "pseudonymised at the source and then linked, so that each victim is counted once. "
        "Publication: {label}; the figures show the register as it stood when they were "
        "published (reference {snapshot}).",
    ),
    "method_text": Label(
        "Een slachtoffer is een persoon achter een of meer meldingen, één keer geteld in een "
        "totaal en onder elke melder die hem of haar meldde. Het aantal slachtoffers dat niet in "
        "beeld is, is geschat met multiple systems estimation over de lijsten van melders "
        "({models}; {level}-interval); schattingen zijn afgerond op twee "
        "significante cijfers, de grenzen van een interval naar buiten.",
        "A victim is a person behind one or more reports, counted once in a total and under "
        "every reporter that reported them. The number of victims not in view is estimated by "
        "multiple systems estimation over the reporters' lists ({models}; {level} "
        "interval); estimates are rounded to two significant digits, the ends of an interval "
        "outwards.",
    ),
    "disclosure_text": Label(
        "Alle cijfers komen uit tabellen na statistische beveiliging ({method}): cellen van 1 "
        "tot {below} personen zijn niet gepubliceerd, en ook cellen waaruit die terug te rekenen "
        "zijn (×). Een niet-gepubliceerde cel is geen nul. Elk getal in deze tekst is "
        "nagerekend tegen de gepubliceerde tabellen. De bevindingen in de bijlage zijn volgens "
        "vaste, beschreven regels uit die tabellen afgeleid.",
        "Every figure comes from tables after statistical disclosure control ({method}): cells "
        "of 1 to {below} persons are not published, nor are cells from which those could be "
        "worked out (×). A cell not published is not a zero. Every number in this text was "
        "checked against the published tables. The findings in the annex were derived from "
        "those tables by fixed, documented rules.",
    ),
    "made_with": Label(
        "Opgesteld met het programma victim-monitor, versie {version}.",
        "Prepared with the victim-monitor software, version {version}.",
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
    statements_title: str
    statements: tuple[str, ...]  # the 3-5 chosen findings for the first page
    findings_title: str
    findings_note: str
    findings: tuple[str, ...]
    recommendations: Section
    extra: tuple[Section, ...]
    colophon: Colophon
    page_word: str


STATEMENTS = (3, 5)  # the first page states at least 3 and at most 5 findings
FIRST = ("registered", "coverage")  # the subjects a reader looks for first, when they speak


def select_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """One finding per subject (the part of its id before ``/``), the first the publication gives.

    The publication states a fall both over five years and against the first two years; the
    annex has room for one sentence per subject.
    """
    seen: set[str] = set()
    chosen: list[Finding] = []
    for finding in findings:
        subject = finding.id.split("/", 1)[0]
        if subject not in seen:
            seen.add(subject)
            chosen.append(finding)
    return tuple(chosen)


def strength(finding: Finding) -> float:
    """How far a finding's evidence lies from "no change": for a change, the log of the end
    of its interval nearest to 1; for a share registered, how far its upper limit lies below
    a half. Larger is stronger."""
    n = finding.numbers
    if "low" in n and "high" in n and "ratio" in n and n["low"] > 0:
        return max(math.log(n["low"]), -math.log(n["high"]), 0.0)
    if "coverage_high" in n:
        return max(0.5 - n["coverage_high"], 0.0) * 2
    return 0.0


def choose_statements(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """The first page's statements: the registered total and the share in view first (when
    the rules made them), then the strongest finding of other subjects, one per subject, up to
    five. Rule and reasons: ``docs/methods/factsheet.md``."""
    per_subject = select_findings(findings)
    first = [f for f in per_subject if f.id.split("/", 1)[0] in FIRST]
    first = [f for f in first if not f.id.startswith("coverage/") or f.id.count("/") == 1]
    rest = sorted((f for f in per_subject if f not in first and strength(f) > 0),
                  key=lambda f: -strength(f))  # fmt: skip
    return tuple((first + rest)[: STATEMENTS[1]])


def _models(published: Published, lang: Lang) -> str:
    """The models the published estimates come from, as the colophon names them: the text
    must not say "log-linear" of an estimate made with Chao's model."""
    models = sorted({e.model for e in published.estimates.values() if e.model})
    if not models:
        return "log-lineaire modellen" if lang == "nl" else "log-linear models"
    if len(models) == 1:
        return f"model {models[0]}"
    word = "modellen per jaar" if lang == "nl" else "models by year"
    return f"{word}: {', '.join(models)}"


def format_date(day: dt.date, lang: Lang) -> str:
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def _key_figure(published: Published, lang: Lang) -> KeyFigure | None:
    """The last year's estimated range against the victims registered in it."""
    last = published.years[-1]
    if published.source_kind == "published_figures" and str(last) not in published.estimates:
        # Figures published before hold estimates for some years only (the 2014-2018 edition:
        # 2014-2015): the latest year that has one, with that year's registered count.
        years = [y for y in published.years if str(y) in published.estimates]
        last = years[-1] if years else last
    estimate = published.estimates.get(str(last))
    reason = published.not_estimable.get(str(last))
    if estimate is None and reason is None:
        return None
    registered = "×"
    by_year = published.tables.get("victims_by_year")
    if by_year is not None:
        value = by_year.by_key.get((str(last),))
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
            (
                TEXT["method"](lang),
                TEXT["method_text"](lang).format(
                    level=f"{level:.0%}", models=_models(published, lang)
                ),
            ),
            (
                TEXT["disclosure"](lang),
                TEXT["disclosure_text"](lang).format(
                    method=method[0 if lang == "nl" else 1],
                    below=published.threshold - 1,
                )
                + " "
                + TEXT["made_with"](lang).format(version=__version__),
            ),
        ),
        editorial.sections.get("colophon"),
    )
    if published.source_kind == "published_figures":  # publish --from-figures: no register
        colophon = Colophon(colophon.title, _figures_colophon(published, lang), colophon.extra)
    years = f"{published.years[0]}-{published.years[-1]}"
    statements = choose_statements(published.findings)
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
        statements_title=TEXT["statements"](lang),
        statements=tuple(f.text(lang) for f in statements),
        findings_title=TEXT["findings"](lang),
        findings_note=TEXT["findings_note"](lang),
        findings=tuple(
            f.text(lang) for f in select_findings(published.findings) if f not in statements
        ),
        recommendations=editorial.sections["recommendations"],
        extra=tuple(extra),
        colophon=colophon,
        page_word=TEXT["page"](lang),
    )


FIGURES_TEXT = {
    "sources_text": Label(
        "Cijfers die eerder zijn gepubliceerd, door de Nationaal Rapporteur en anderen; de bron "
        "van elk cijfer staat bij de cel in de publicatie ({label}, kenmerk {snapshot}).",
        "Figures published before, by the National Rapporteur and others; the source of each "
        "figure is given beside its cell in the publication ({label}, reference {snapshot}).",
    ),
    "method_text": Label(
        "Er is niets opnieuw geteld of geschat: de schattingen zijn de gepubliceerde, voor de "
        "jaren waarvoor ze zijn gepubliceerd. Een cel waarvoor geen cijfer is gepubliceerd, is "
        "niet beschikbaar (.); dat is geen nul.",
        "Nothing was counted or estimated again: the estimates are those published, for the "
        "years they were published for. A cell for which no figure was published is not "
        "available (.); it is not a zero.",
    ),
    "disclosure_text": Label(
        "De cijfers waren al openbaar; er is geen statistische beveiliging opnieuw op toegepast. "
        "Elk getal in deze tekst is nagerekend tegen de publicatie.",
        "The figures were public already; no disclosure control was applied to them again. "
        "Every number in this text was checked against the publication.",
    ),
}


def _figures_colophon(published: Published, lang: Lang) -> tuple[tuple[str, str], ...]:
    """Sources, method and disclosure of a publication made from published figures."""
    sources = FIGURES_TEXT["sources_text"](lang).format(
        label=published.label(lang), snapshot=published.snapshot[:12] or "-"
    )
    return (
        (TEXT["sources"](lang), sources),
        (TEXT["method"](lang), FIGURES_TEXT["method_text"](lang)),
        (
            TEXT["disclosure"](lang),
            FIGURES_TEXT["disclosure_text"](lang)
            + " "
            + TEXT["made_with"](lang).format(version=__version__),
        ),
    )
