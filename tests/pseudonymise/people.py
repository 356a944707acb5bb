"""Synthetic people for the encoder tests. Every name and date is invented."""

from __future__ import annotations

from datetime import date

TODAY = date(2024, 6, 1)

# Invented people. The last one has no name (N.N.), as victims sometimes have.
PEOPLE: tuple[dict[str, str], ...] = (
    {
        "case_reference": "T-0001",
        "first_name": "Anna-Maria",
        "last_name": "van der Berg",
        "birth_date": "12-05-1990",
        "sex": "vrouw",
        "nationality": "Poolse",
        "report_date": "2021-03-04",
        "exploitation": "seksueel; arbeid",
        "sector": "Horeca",
        "border_crossed": "ja",
        "country_of_exploitation": "Nederland",
        "dublin_claimant": "nee",
        "residence_permit": "aangevraagd",
        "police_report": "j",
    },
    {
        "case_reference": "T-0002",
        "first_name": "Olena",
        "last_name": "Kovalenkova",
        "birth_date": "1999-03",
        "sex": "F",
        "nationality": "UKR",
        "report_date": "2022-07-15",
        "exploitation": "labour",
        "sector": "agriculture",
        "border_crossed": "yes",
        "country_of_exploitation": "NL",
        "dublin_claimant": "",
        "residence_permit": "",
        "police_report": "no",
    },
    {
        "case_reference": "T-0003",
        "first_name": "Chidinma Blessing",
        "last_name": "Okonkwoala",
        "birth_date": "2006",
        "sex": "v",
        "nationality": "Nigeriaanse",
        "report_date": "2023-01-09",
        "exploitation": "crimineel",
        "sector": "",
        "border_crossed": "onbekend",
        "country_of_exploitation": "",
        "dublin_claimant": "ja",
        "residence_permit": "verleend",
        "police_report": "",
    },
    {
        "case_reference": "T-0004",
        "first_name": "N.N.",
        "last_name": "Zwartveldt",
        "birth_date": "",
        "sex": "man",
        "nationality": "",
        "report_date": "2023-11-30",
        "exploitation": "",
        "sector": "bouw",
        "border_crossed": "nee",
        "country_of_exploitation": "BE",
        "dublin_claimant": "nee",
        "residence_permit": "geen",
        "police_report": "nee",
    },
)


def person(**changes: str) -> dict[str, str]:
    """The first synthetic person with some cells changed."""
    return {**PEOPLE[0], **changes}
