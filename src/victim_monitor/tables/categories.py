"""The categories of every table dimension, their bilingual labels, and the Eurostat groups.

Codes come from :mod:`victim_monitor.vocab`; the Eurostat THB table groups them (child/adult,
reporting country / other EU / non-EU, sexual / labour / criminal exploitation), and those
groups are sums of the monitor's categories, which disclosure control must know.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

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

TOTAL_LABEL = Label("Totaal", "Total")

# Eurostat categories as sums of the monitor's (parent -> children).
EUROSTAT_AGE: dict[str, tuple[str, ...]] = {
    "adult_18": (str(AgeGroup.ADOLESCENT), str(AgeGroup.ADULT)),
}
EUROSTAT_NATIONALITY: dict[str, tuple[str, ...]] = {
    "non_eu": (str(NationalityGroup.AFRICAN), str(NationalityGroup.OTHER_NON_EU)),
}
EUROSTAT_FORM: dict[str, tuple[str, ...]] = {
    "sexual": (
        str(FormGroup.DOMESTIC_SEXUAL),
        str(FormGroup.CROSS_BORDER_SEXUAL_NON_AFRICAN),
        str(FormGroup.CROSS_BORDER_SEXUAL_AFRICAN),
    ),
}

EUROSTAT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "age_group": ("minor", "adult_18", "unknown"),
    "nationality_group": ("dutch", "other_eu", "non_eu", "unknown"),
    "form_group": ("sexual", "labour", "criminal", "unknown"),
}

EXTRA_LABELS: dict[str, dict[str, Label]] = {
    "age_group": {"adult_18": Label("Volwassen (18 jaar of ouder)", "Adult (18 or older)")},
    "nationality_group": {
        "non_eu": Label("Niet-EU", "Non-EU"),
        "dutch": Label("Nederlands (meldend land)", "Dutch (reporting country)"),
    },
    "form_group": {"sexual": Label("Seksuele uitbuiting", "Sexual exploitation")},
    "reporter_type": {
        "investigative": Label("Opsporingsinstanties", "Investigative organisations"),
        "non_investigative": Label("Niet-opsporingsinstanties", "Non-investigative organisations"),
    },
}

DIMENSION_LABELS: dict[str, Label] = {
    "year": Label("Jaar", "Year"),
    "form_group": Label("Uitbuitingsvorm", "Form of exploitation"),
    "age_group": Label("Leeftijdsgroep", "Age group"),
    "sex": Label("Geslacht", "Sex"),
    "nationality_group": Label("Nationaliteit", "Nationality"),
    "organisation": Label("Melder", "Reporting organisation"),
    "reporter_type": Label("Soort melder", "Reporter type"),
    "estimation_list": Label("Schattingslijst", "Estimation list"),
    "residence_permit": Label("Verblijfsregeling mensenhandel", "Trafficking residence permit"),
    "dublin_claimant": Label("Dublinclaimant", "Dublin claimant"),
}

_ENUMS: dict[str, type[StrEnum]] = {
    "form_group": FormGroup,
    "age_group": AgeGroup,
    "sex": Sex,
    "nationality_group": NationalityGroup,
    "estimation_list": EstimationList,
    "residence_permit": ResidencePermit,
    "dublin_claimant": YesNoUnknown,
}


def categories(years: Sequence[int], organisations: Sequence[str]) -> dict[str, list[str]]:
    """The categories of every dimension, in display order (no totals)."""
    cats: dict[str, list[str]] = {d: [str(v) for v in e] for d, e in _ENUMS.items()}
    cats["residence_permit"] = ["applied", "refused", "granted", "none"]
    cats["year"] = [str(y) for y in years]
    cats["organisation"] = list(organisations)
    cats["reporter_type"] = ["investigative", "non_investigative"]
    return cats


def category_label(dimension: str, code: str, names: dict[str, Label] | None = None) -> Label:
    """The Dutch and English label of a category (``names``: organisations by code)."""
    if code == "Total":
        return TOTAL_LABEL
    if dimension in EXTRA_LABELS and code in EXTRA_LABELS[dimension]:
        return EXTRA_LABELS[dimension][code]
    if dimension in _ENUMS:
        try:
            return LABELS[_ENUMS[dimension](code)]
        except (ValueError, KeyError):  # a code of another vocabulary version: shown as is
            return Label(code, code)
    if dimension == "organisation" and names and code in names:
        return names[code]
    return Label(code, code)
