"""The monitor's tables as data: name, bilingual title and definition, rows counted, rule.

``source`` is the rows a table counts: ``once`` (a row per person), ``reporter`` (a row per
person and report: a person counts under every reporter) or ``eurostat`` (a row per person, in
Eurostat's categories). ``fixed`` keeps the rows with that category and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from victim_monitor.tables.categories import EUROSTAT_CATEGORIES
from victim_monitor.vocab import Label

COUNTING = {
    "once": Label("Personen, elk één keer geteld", "Persons, each counted once"),
    "per_reporter": Label(
        "Personen, geteld onder elke melder die hen meldde (rijen tellen op tot meer dan "
        "het totaal)",
        "Persons, counted under every reporter that reported them (rows add up to more than "
        "the total)",
    ),
}

_PERSON = Label(
    "Een slachtoffer is een persoon: alle meldingen over dezelfde persoon zijn gekoppeld. Het "
    "jaar is het jaar van de eerste melding.",
    "A victim is a person: all reports of the same person are linked. The year is the year of "
    "the first report.",
)


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    nl: str
    en: str
    what: Label
    source: str
    dimensions: tuple[str, ...]
    counting: str = "once"
    overlapping: tuple[str, ...] = ()
    fixed: Mapping[str, str] = field(default_factory=dict)
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    weight: float = 1.0  # > 1: a headline table, whose cells disclosure control hides last

    @property
    def definition(self) -> Label:
        return Label(f"{self.what.nl} {_PERSON.nl}", f"{self.what.en} {_PERSON.en}")


def _l(nl: str, en: str) -> Label:
    return Label(nl, en)


TABLES: tuple[Spec, ...] = (
    Spec("victims_by_year", "Geregistreerde slachtoffers per jaar", "Registered victims per year",
         _l("Geregistreerde vermoedelijke slachtoffers.", "Registered presumed victims."),
         "once", ("year",)),
    Spec("victims_by_form", "Slachtoffers naar uitbuitingsvorm", "Victims by form of exploitation",
         _l("Naar de vijf groepen van de factsheet, afgeleid uit de gemelde feiten.",
            "By the factsheet's five groups, derived from the reported facts."),
         "once", ("year", "form_group")),
    Spec("victims_by_age", "Slachtoffers naar leeftijdsgroep", "Victims by age group",
         _l("Leeftijd bij de eerste melding.", "Age at the first report."),
         "once", ("year", "age_group")),
    Spec("victims_by_sex", "Slachtoffers naar geslacht", "Victims by sex",
         _l("Geslacht zoals gemeld.", "Sex as reported."), "once", ("year", "sex")),
    Spec("victims_by_nationality", "Slachtoffers naar nationaliteit",
         "Victims by nationality group",
         _l("Nationaliteit zoals gemeld, gegroepeerd.", "Nationality as reported, grouped."),
         "once", ("year", "nationality_group")),
    Spec("victims_by_form_age", "Slachtoffers naar uitbuitingsvorm en leeftijd",
         "Victims by form of exploitation and age group",
         _l("Uitbuitingsvorm naar leeftijd bij de eerste melding.",
            "Form of exploitation by age at the first report."),
         "once", ("year", "form_group", "age_group")),
    Spec("victims_by_reporter", "Slachtoffers naar melder", "Victims by reporting organisation",
         _l("Een slachtoffer telt onder elke organisatie die het meldde, en één keer in het "
            "totaal.",
            "A victim counts under every organisation that reported them, and once in the "
            "total."),
         "reporter", ("year", "organisation"), "per_reporter", ("organisation",)),
    Spec("victims_by_reporter_type", "Slachtoffers naar opsporings- en niet-opsporingsinstanties",
         "Victims by investigative and non-investigative reporters",
         _l("Opsporingsinstanties: politie, Koninklijke Marechaussee, Arbeidsinspectie. Een "
            "slachtoffer telt onder elk soort melder dat het meldde.",
            "Investigative: police, Royal Marechaussee, Labour Inspectorate. A victim counts "
            "under every type of reporter that reported them."),
         "reporter", ("year", "reporter_type"), "per_reporter", ("reporter_type",)),
    Spec("victims_by_list", "Slachtoffers naar schattingslijst", "Victims by estimation list",
         _l("De lijsten van de schatting (P politie, K KMar, I Arbeidsinspectie, R "
            "zorgcoördinatoren, O opvang, Z overige). Een slachtoffer telt op elke lijst.",
            "The lists of the estimate (P police, K Royal Marechaussee, I Labour Inspectorate, "
            "R care coordinators, O shelters, Z others). A victim counts on every list."),
         "reporter", ("year", "estimation_list"), "per_reporter", ("estimation_list",)),
    Spec("police_reports_by_form", "Politiemeldingen naar slachtoffergroep",
         "Police reports by victim group",
         _l("Slachtoffers gemeld door de politie (lijst P), naar slachtoffergroep.",
            "Victims reported by the police (list P), by victim group."),
         "reporter", ("year", "form_group"), fixed={"estimation_list": "P"}),
    Spec("domestic_sexual_by_age", "Binnenlandse seksuele uitbuiting naar leeftijd",
         "Domestic sexual exploitation by age group",
         _l("Slachtoffers van binnenlandse seksuele uitbuiting, naar leeftijd bij de eerste "
            "melding.",
            "Victims of domestic sexual exploitation, by age at the first report."),
         "once", ("year", "age_group"), fixed={"form_group": "domestic_sexual"}),
    Spec("residence_permits", "Verblijfsregeling mensenhandel onder slachtoffers",
         "Trafficking residence permits among victims",
         _l("Het verste stadium dat een melding over het slachtoffer noemt (verleend boven "
            "geweigerd boven aangevraagd).",
            "The furthest stage any report of the victim records (granted over refused over "
            "applied)."),
         "once", ("year", "residence_permit")),
    Spec("dublin_claimants", "Dublinclaimanten onder slachtoffers",
         "Dublin claimants among victims",
         _l("Slachtoffers die eerder in een ander EU-land asiel aanvroegen (ja wint van nee, "
            "een bekend antwoord van onbekend).",
            "Victims who applied for asylum in another EU country before (yes over no, a "
            "known answer over unknown)."),
         "once", ("year", "dublin_claimant")),
    Spec("eurostat_sex_age", "Geregistreerde slachtoffers naar geslacht en leeftijd (Eurostat)",
         "Registered victims by sex and age (Eurostat THB)",
         _l("Eurostat-indeling: kind (onder 18) of volwassene.",
            "Eurostat breakdown: child (under 18) or adult."),
         "eurostat", ("year", "sex", "age_group"), categories=EUROSTAT_CATEGORIES),
    Spec("eurostat_sex_citizenship",
         "Geregistreerde slachtoffers naar geslacht en staatsburgerschap (Eurostat)",
         "Registered victims by sex and citizenship (Eurostat THB)",
         _l("Eurostat-indeling: meldend land (Nederlands), overig EU, niet-EU.",
            "Eurostat breakdown: reporting country (Dutch), other EU, non-EU."),
         "eurostat", ("year", "sex", "nationality_group"), categories=EUROSTAT_CATEGORIES),
    Spec("eurostat_sex_form",
         "Geregistreerde slachtoffers naar geslacht en uitbuitingsvorm (Eurostat)",
         "Registered victims by sex and form of exploitation (Eurostat THB)",
         _l("Eurostat-indeling: seksuele uitbuiting, arbeidsuitbuiting, criminele uitbuiting.",
            "Eurostat breakdown: sexual, labour and criminal exploitation."),
         "eurostat", ("year", "sex", "form_group"), categories=EUROSTAT_CATEGORIES),
)  # fmt: skip

# The factsheet's headline tables: hiding one of their cells costs ten times as much.
HEADLINES = frozenset({
    "victims_by_year", "victims_by_form", "victims_by_age", "victims_by_sex",
    "victims_by_nationality", "victims_by_reporter_type", "victims_by_list",
    "police_reports_by_form",
})  # fmt: skip
HEADLINE_WEIGHT = 10.0
