"""The monitor's categories and their Dutch and English labels: the one place they are defined.

Derivations from reported facts (form group, age group, nationality group) live here too, so
that a change of rule reclassifies history instead of being frozen into stored rows. The form
rule itself is data: ``data/form-rule.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Literal

import pycountry


@dataclass(frozen=True, slots=True)
class Label:
    """A bilingual label."""

    nl: str
    en: str

    def __call__(self, lang: Literal["nl", "en"]) -> str:
        return self.nl if lang == "nl" else self.en


class FormGroup(StrEnum):
    """The five groups of the 2014-2018 factsheet, plus unknown."""

    DOMESTIC_SEXUAL = "domestic_sexual"
    CROSS_BORDER_SEXUAL_NON_AFRICAN = "cross_border_sexual_non_african"
    CROSS_BORDER_SEXUAL_AFRICAN = "cross_border_sexual_african"
    LABOUR = "labour"
    CRIMINAL = "criminal"
    UNKNOWN = "unknown"


class ExploitationKind(StrEnum):
    """Kinds of exploitation a report may record (several per report)."""

    SEXUAL = "sexual"
    LABOUR = "labour"
    CRIMINAL = "criminal"
    ORGAN_REMOVAL = "organ_removal"
    OTHER = "other"


class Sector(StrEnum):
    """Sector in which the exploitation took place."""

    SEX_INDUSTRY = "sex_industry"
    AGRICULTURE = "agriculture"
    CONSTRUCTION = "construction"
    HOSPITALITY = "hospitality"
    DOMESTIC_WORK = "domestic_work"
    TRANSPORT_LOGISTICS = "transport_logistics"
    MANUFACTURING = "manufacturing"
    RETAIL = "retail"
    CLEANING = "cleaning"
    BEAUTY = "beauty"
    CRIMINAL_ACTIVITIES = "criminal_activities"
    OTHER = "other"


class AgeGroup(StrEnum):
    MINOR = "minor"
    ADOLESCENT = "adolescent"
    ADULT = "adult"
    UNKNOWN = "unknown"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER_UNKNOWN = "other_unknown"


class NationalityGroup(StrEnum):
    DUTCH = "dutch"
    OTHER_EU = "other_eu"
    AFRICAN = "african"
    OTHER_NON_EU = "other_non_eu"
    UNKNOWN = "unknown"


class YesNoUnknown(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class ResidencePermit(StrEnum):
    """Residence permit under the trafficking scheme (B8/3 in NL)."""

    APPLIED = "applied"
    GRANTED = "granted"
    REFUSED = "refused"
    NONE = "none"


class ReporterType(StrEnum):
    POLICE = "police"
    ROYAL_MARECHAUSSEE = "royal_marechaussee"
    LABOUR_INSPECTORATE = "labour_inspectorate"
    CARE_COORDINATOR = "care_coordinator"
    SHELTER = "shelter"
    YOUTH_CARE = "youth_care"
    HEALTH_CARE = "health_care"
    NGO = "ngo"
    LAWYER = "lawyer"
    MUNICIPALITY = "municipality"
    IMMIGRATION_SERVICE = "immigration_service"
    SELF = "self"
    OTHER = "other"


INVESTIGATIVE_TYPES: frozenset[ReporterType] = frozenset(
    {ReporterType.POLICE, ReporterType.ROYAL_MARECHAUSSEE, ReporterType.LABOUR_INSPECTORATE}
)


class EstimationList(StrEnum):
    """Lists of the Dutch MSE (van Dijk et al. 2017)."""

    P = "P"
    K = "K"
    I = "I"  # noqa: E741 - the list's published letter
    R = "R"
    O = "O"  # noqa: E741 - the list's published letter
    Z = "Z"


LABELS: dict[StrEnum, Label] = {
    FormGroup.DOMESTIC_SEXUAL: Label(
        "Binnenlandse seksuele uitbuiting", "Domestic sexual exploitation"
    ),
    FormGroup.CROSS_BORDER_SEXUAL_NON_AFRICAN: Label(
        "Grensoverschrijdende seksuele uitbuiting (niet-Afrikaans, met name Europees)",
        "Cross-border sexual exploitation (non-African, mainly European)",
    ),
    FormGroup.CROSS_BORDER_SEXUAL_AFRICAN: Label(
        "Grensoverschrijdende seksuele uitbuiting (Afrikaans)",
        "Cross-border sexual exploitation (African)",
    ),
    FormGroup.LABOUR: Label("Arbeidsuitbuiting", "Labour exploitation"),
    FormGroup.CRIMINAL: Label("Criminele uitbuiting", "Criminal exploitation"),
    FormGroup.UNKNOWN: Label("Onbekend", "Unknown"),
    ExploitationKind.SEXUAL: Label("Seksuele uitbuiting", "Sexual exploitation"),
    ExploitationKind.LABOUR: Label("Arbeidsuitbuiting", "Labour exploitation"),
    ExploitationKind.CRIMINAL: Label("Criminele uitbuiting", "Criminal exploitation"),
    ExploitationKind.ORGAN_REMOVAL: Label("Orgaanverwijdering", "Organ removal"),
    ExploitationKind.OTHER: Label("Overige uitbuiting", "Other exploitation"),
    Sector.SEX_INDUSTRY: Label("Seksindustrie", "Sex industry"),
    Sector.AGRICULTURE: Label("Land- en tuinbouw", "Agriculture and horticulture"),
    Sector.CONSTRUCTION: Label("Bouw", "Construction"),
    Sector.HOSPITALITY: Label("Horeca", "Hospitality"),
    Sector.DOMESTIC_WORK: Label("Huishoudelijk werk", "Domestic work"),
    Sector.TRANSPORT_LOGISTICS: Label("Transport en logistiek", "Transport and logistics"),
    Sector.MANUFACTURING: Label("Industrie", "Manufacturing"),
    Sector.RETAIL: Label("Detailhandel", "Retail"),
    Sector.CLEANING: Label("Schoonmaak", "Cleaning"),
    Sector.BEAUTY: Label("Schoonheidsbranche", "Beauty"),
    Sector.CRIMINAL_ACTIVITIES: Label("Criminele activiteiten", "Criminal activities"),
    Sector.OTHER: Label("Overig", "Other"),
    AgeGroup.MINOR: Label("Minderjarig", "Minor (under 18)"),
    AgeGroup.ADOLESCENT: Label("Adolescent (18-22)", "Adolescent (18-22)"),
    AgeGroup.ADULT: Label("23 jaar of ouder", "23 or older"),
    AgeGroup.UNKNOWN: Label("Onbekend", "Unknown"),
    Sex.FEMALE: Label("Vrouw", "Female"),
    Sex.MALE: Label("Man", "Male"),
    Sex.OTHER_UNKNOWN: Label("Anders/onbekend", "Other/unknown"),
    NationalityGroup.DUTCH: Label("Nederlands", "Dutch"),
    NationalityGroup.OTHER_EU: Label("Overig EU", "Other EU"),
    NationalityGroup.AFRICAN: Label("Afrikaans", "African"),
    NationalityGroup.OTHER_NON_EU: Label("Overig niet-EU", "Other non-EU"),
    NationalityGroup.UNKNOWN: Label("Onbekend", "Unknown"),
    YesNoUnknown.YES: Label("Ja", "Yes"),
    YesNoUnknown.NO: Label("Nee", "No"),
    YesNoUnknown.UNKNOWN: Label("Onbekend", "Unknown"),
    ResidencePermit.APPLIED: Label("Aangevraagd", "Applied"),
    ResidencePermit.GRANTED: Label("Verleend", "Granted"),
    ResidencePermit.REFUSED: Label("Geweigerd", "Refused"),
    ResidencePermit.NONE: Label("Geen", "None"),
    ReporterType.POLICE: Label("Politie", "Police"),
    ReporterType.ROYAL_MARECHAUSSEE: Label(
        "Koninklijke Marechaussee", "Royal Netherlands Marechaussee"
    ),
    ReporterType.LABOUR_INSPECTORATE: Label("Arbeidsinspectie", "Labour Inspectorate"),
    ReporterType.CARE_COORDINATOR: Label("Zorgcoördinator", "Care coordinator"),
    ReporterType.SHELTER: Label("Opvang", "Shelter"),
    ReporterType.YOUTH_CARE: Label("Jeugdzorg", "Youth care"),
    ReporterType.HEALTH_CARE: Label("Gezondheidszorg", "Health care"),
    ReporterType.NGO: Label("Maatschappelijke organisatie", "NGO"),
    ReporterType.LAWYER: Label("Advocatuur", "Lawyer"),
    ReporterType.MUNICIPALITY: Label("Gemeente", "Municipality"),
    ReporterType.IMMIGRATION_SERVICE: Label(
        "Immigratie- en Naturalisatiedienst", "Immigration and Naturalisation Service"
    ),
    ReporterType.SELF: Label("Slachtoffer zelf", "The victim themself"),
    ReporterType.OTHER: Label("Overig", "Other"),
    EstimationList.P: Label("Politie", "Police"),
    EstimationList.K: Label("Koninklijke Marechaussee", "Royal Marechaussee"),
    EstimationList.I: Label("Inspectie SZW / Arbeidsinspectie", "Labour Inspectorate"),
    EstimationList.R: Label("Regionale zorgcoördinatoren", "Regional care coordinators"),
    EstimationList.O: Label("Opvang en residentiële zorg", "Shelters and residential care"),
    EstimationList.Z: Label("Overige melders", "All other reporters"),
}


def label(value: StrEnum, lang: Literal["nl", "en"] = "en") -> str:
    """The label of a category value in Dutch or English."""
    return LABELS[value](lang)


# --- age -------------------------------------------------------------------------------


def age_group(age: int | None) -> AgeGroup:
    """Age group at report: minor (<18), adolescent (18-22), 23 and older."""
    if age is None or age < 0:
        return AgeGroup.UNKNOWN
    if age < 18:
        return AgeGroup.MINOR
    if age <= 22:
        return AgeGroup.ADOLESCENT
    return AgeGroup.ADULT


# --- nationality -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _CountryData:
    eu: frozenset[str]
    african: frozenset[str]


@cache
def _country_groups() -> _CountryData:
    raw = tomllib.loads(
        resources.files("victim_monitor.data").joinpath("country-groups.toml").read_text("utf-8")
    )
    return _CountryData(
        eu=frozenset(raw["eu"]["members"]), african=frozenset(raw["africa"]["members"])
    )


def nationality_group(alpha2: str | None) -> NationalityGroup:
    """Group an ISO 3166-1 alpha-2 code as Dutch, other EU, African, other non-EU or unknown
    (also for a missing value as pandas 3 gives it: NaN, not None)."""
    if not isinstance(alpha2, str) or not alpha2:
        return NationalityGroup.UNKNOWN
    code = alpha2.upper()
    groups = _country_groups()
    if code == "NL":
        return NationalityGroup.DUTCH
    if code in groups.eu:
        return NationalityGroup.OTHER_EU
    if code in groups.african:
        return NationalityGroup.AFRICAN
    return NationalityGroup.OTHER_NON_EU


def country_code(text: str | None) -> str | None:
    """A strict ISO 3166-1 alpha-2 or alpha-3 code as alpha-2, or None if it is not one."""
    if not text:
        return None
    code = text.strip().upper()
    if len(code) == 2:
        return code if pycountry.countries.get(alpha_2=code) is not None else None
    if len(code) == 3:
        country = pycountry.countries.get(alpha_3=code)
        return None if country is None else str(country.alpha_2)
    return None


# --- form group --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormRule:
    """One rule of the form derivation: every stated condition must hold."""

    group: FormGroup
    kinds_any: frozenset[ExploitationKind] | None
    border_crossed: frozenset[YesNoUnknown] | None
    nationality_group: frozenset[NationalityGroup] | None

    def matches(
        self,
        kinds: frozenset[ExploitationKind],
        border_crossed: YesNoUnknown,
        nationality: NationalityGroup,
    ) -> bool:
        return (
            (self.kinds_any is None or bool(self.kinds_any & kinds))
            and (self.border_crossed is None or border_crossed in self.border_crossed)
            and (self.nationality_group is None or nationality in self.nationality_group)
        )


@cache
def form_rules() -> tuple[FormRule, ...]:
    """The ordered form rules from ``data/form-rule.toml``."""
    raw = tomllib.loads(
        resources.files("victim_monitor.data").joinpath("form-rule.toml").read_text("utf-8")
    )
    rules: list[FormRule] = []
    for item in raw["rule"]:
        kinds = item.get("kinds_any")
        border = item.get("border_crossed")
        nat = item.get("nationality_group")
        rules.append(
            FormRule(
                group=FormGroup(item["group"]),
                kinds_any=None if kinds is None else frozenset(ExploitationKind(k) for k in kinds),
                border_crossed=None
                if border is None
                else frozenset(YesNoUnknown(b) for b in border),
                nationality_group=None
                if nat is None
                else frozenset(NationalityGroup(n) for n in nat),
            )
        )
    last = rules[-1] if rules else None
    if last is None or (last.kinds_any, last.border_crossed, last.nationality_group) != (
        None,
        None,
        None,
    ):
        raise ValueError("form-rule.toml must end with a catch-all rule (no conditions)")
    return tuple(rules)


def form_group(
    kinds: frozenset[ExploitationKind],
    border_crossed: YesNoUnknown,
    nationality: NationalityGroup,
) -> FormGroup:
    """Derive the factsheet's form group from the reported facts (first matching rule)."""
    for rule in form_rules():
        if rule.matches(kinds, border_crossed, nationality):
            return rule.group
    raise AssertionError("unreachable: the last rule is a catch-all")
