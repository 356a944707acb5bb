"""The constants of the generative model, each with where its value comes from.

Numbers in comments cite rows of ``published-figures.csv`` (the shared reference data) by
edition, year and category. Values were set by hand and checked by simulation against the
targets listed in ``docs/methods/synthetic.md``; the calibration test pins them.

Every per-year table covers the monitor years 2014-2018; other years use the nearest one.
"""

from __future__ import annotations

from typing import Final

from victim_monitor.vocab import FormGroup

PARAMETER_YEARS: Final = (2014, 2015, 2016, 2017, 2018)

#: The five true forms, in the order of every per-form table below. A true person always
#: has a known form; "unknown" only arises when a report leaves the kinds empty.
FORMS: Final = (
    FormGroup.DOMESTIC_SEXUAL,
    FormGroup.CROSS_BORDER_SEXUAL_NON_AFRICAN,
    FormGroup.CROSS_BORDER_SEXUAL_AFRICAN,
    FormGroup.LABOUR,
    FormGroup.CRIMINAL,
)
DS, CBN, CBA, LAB, CRIM = range(5)

#: Age groups in the order of the age columns of the tables: minor, adolescent, adult.
AGES: Final = ("minor", "adolescent", "adult")

# --- the hidden population -------------------------------------------------------------
#
# True victims per year and form (scale 1). Totals ~6,250 a year (MSE 2017 point estimate
# 6,250; "1 in 5" registered in 2014, "1 in 9" in 2018). Domestic sexual ~3,000 a year
# (factsheet; MSE 2017 share 46%), cross-border sexual ~21% (DutchNews on MSE 2017),
# criminal exploitation rising towards ~1,000 (WODC 2021: criminal ~1,000 in 2018-2019),
# African sexual exploitation rising with the Dublin claimants (factsheet 2018).
TRUE_VICTIMS: Final[dict[int, tuple[int, int, int, int, int]]] = {
    #      DS    CBN  CBA   LAB   CRIM
    2014: (3000, 1000, 300, 1100, 850),
    2015: (3000, 980, 320, 1070, 880),
    2016: (3000, 950, 340, 1060, 900),
    2017: (3000, 900, 380, 1020, 950),
    2018: (2950, 850, 560, 930, 930),
}

#: Share of minors / adolescents (18-22) per form; adults are the rest. Domestic sexual:
#: 1,300 of 3,000 minors (factsheet). Others chosen so that registered minors are 16-25%.
AGE_SHARES: Final = (
    (0.4333, 0.25),  # DS
    (0.07, 0.25),  # CBN
    (0.10, 0.30),  # CBA: unaccompanied minors among asylum seekers
    (0.05, 0.12),  # LAB
    (0.40, 0.30),  # CRIM: young Dutch and Vietnamese victims
)

#: Share female per form, and the small share of other/unknown sex. Males are 23% of the
#: true victims (about a sixth in the MSE 2017 estimate, DutchNews) and 27-29% of the
#: registered (27% in 2017, SM 2013-2017 summary).
FEMALE_SHARE: Final = (0.95, 0.93, 0.88, 0.40, 0.40)
OTHER_SEX_SHARE: Final = 0.003

#: Nationality (ISO alpha-2) per form with weights. Top nationalities of registered victims
#: 2014-2017: NL, PL, RO, BG, NG, PH, UG (SM 2013-2017 top-5 table).
NATIONALITIES: Final[tuple[dict[str, float], ...]] = (
    {"NL": 0.86, "PL": 0.02, "RO": 0.02, "BG": 0.015, "HU": 0.015, "MA": 0.02,
     "NG": 0.01, "UA": 0.005, "ER": 0.005, "VN": 0.005, "CN": 0.005},
    {"RO": 0.22, "BG": 0.14, "HU": 0.12, "PL": 0.14, "UA": 0.10, "CN": 0.08, "VN": 0.05,
     "PH": 0.07, "IN": 0.02, "NL": 0.06},
    {"NG": 0.47, "UG": 0.14, "SL": 0.08, "GN": 0.08, "GH": 0.07, "ER": 0.06, "CM": 0.04,
     "LR": 0.03, "MA": 0.03},
    {"PL": 0.21, "RO": 0.14, "BG": 0.10, "HU": 0.07, "UA": 0.08, "NL": 0.06, "IN": 0.08,
     "PH": 0.07, "CN": 0.06, "VN": 0.05, "MA": 0.03, "ER": 0.03, "NG": 0.02},
    {"NL": 0.46, "VN": 0.14, "RO": 0.12, "MA": 0.08, "BG": 0.05, "PL": 0.05, "CN": 0.03,
     "NG": 0.03, "ER": 0.02, "UA": 0.02},
)  # fmt: skip

#: Share of Dublin claimants (asylum claimed earlier in another EU state) among adult and
#: adolescent African cross-border sexual victims, and among other non-EU victims (minors
#: are not transferred under Dublin). Sharp rise in 2018
#: (factsheet: "forse toename van het aantal Dublinclaimanten").
DUBLIN_SHARE_AFRICAN: Final = {2014: 0.10, 2015: 0.15, 2016: 0.22, 2017: 0.30, 2018: 0.55}
DUBLIN_SHARE_OTHER_NON_EU: Final = {2014: 0.03, 2015: 0.04, 2016: 0.05, 2017: 0.06, 2018: 0.10}

#: Labour and criminal victims of foreign nationality who crossed a border to be exploited
#: (the rest already lived here); Dutch labour/criminal victims never did.
FOREIGN_BORDER_SHARE: Final = 0.85

#: A second kind of exploitation beside the form's own: sexual+labour ~4-5% of registered
#: sexual victims (US TIP 2018: 35 of 558; US TIP 2020: 28 of 486).
EXTRA_LABOUR_SHARE_SEXUAL: Final = 0.05
EXTRA_LABOUR_SHARE_CRIMINAL: Final = 0.10
OTHER_KIND_SHARE_LABOUR: Final = 0.03  # "other" (e.g. forced begging) beside labour
ORGAN_REMOVAL_SHARE_LABOUR: Final = 0.002

#: Sectors for labour exploitation (weights; codes of vocab.Sector).
LABOUR_SECTORS: Final = {
    "agriculture": 0.20, "construction": 0.12, "hospitality": 0.15, "domestic_work": 0.08,
    "transport_logistics": 0.12, "manufacturing": 0.10, "retail": 0.05, "cleaning": 0.10,
    "beauty": 0.04, "other": 0.04,
}  # fmt: skip

#: Where African Dublin claimants were exploited (many en route, in Italy or Libya).
DUBLIN_EXPLOITATION_COUNTRIES: Final = {"NL": 0.35, "IT": 0.40, "FR": 0.10, "ES": 0.05, "LY": 0.10}

# --- capture by organisations ----------------------------------------------------------
#
# Each organisation o sees person i in its year with probability
#     p_io = 1 - exp(-r_io),
#     r_io = base[o][form][age] * year[o][year] * latent_io * referral_io * extra_io,
# where latent_io = exp(lambda_o z_i + kappa_o w_i - (lambda_o^2 + kappa_o^2) / 2) with
# z_i, w_i ~ N(0, 1) (mean 1), referral_io multiplies by REFERRAL[o][L] when list L saw the
# person (lists are drawn in CAPTURE_ORDER), and extra_io carries the Dublin, border and
# nationality rules below.

#: Base rates in 2014 per organisation, form (DS, CBN, CBA, LAB, CRIM) and age
#: (minor, adolescent, adult). They give (expected) 2014 list sizes P ~635, K ~16, I ~45,
#: R ~240, O ~200, Z ~225: police about half of the registered, care coordinators a fifth
#: (US TIP 2018 and 2020 reporter counts for 2016-2018; MSE 2010-2015 list sizes).
BASE_RATE: Final[dict[str, tuple[tuple[float, float, float], ...]]] = {
    "POL": ((0.024, 0.05, 0.058), (0.23, 0.25, 0.25), (0.11, 0.12, 0.12),
            (0.07, 0.18, 0.18), (0.07, 0.13, 0.13)),
    "KMAR": ((0.0, 0.0, 0.0), (0.008, 0.008, 0.008), (0.02, 0.02, 0.02),
             (0.004, 0.006, 0.006), (0.002, 0.002, 0.002)),
    "NLA": ((0.0, 0.0, 0.0), (0.0, 0.001, 0.002), (0.0, 0.001, 0.002),
            (0.01, 0.04, 0.04), (0.002, 0.004, 0.006)),
    "ZC": ((0.03, 0.04, 0.03), (0.05, 0.05, 0.05), (0.10, 0.10, 0.10),
           (0.02, 0.04, 0.04), (0.035, 0.02, 0.02)),
    "COSM": ((0.0, 0.002, 0.004), (0.02, 0.03, 0.03), (0.04, 0.05, 0.05),
             (0.0, 0.012, 0.012), (0.0, 0.004, 0.004)),
    "OPV": ((0.0, 0.012, 0.018), (0.0, 0.004, 0.004), (0.0, 0.004, 0.004),
            (0.0, 0.0, 0.001), (0.0, 0.0, 0.0)),
    "JZ": ((0.055, 0.004, 0.0), (0.03, 0.0, 0.0), (0.02, 0.0, 0.0),
           (0.01, 0.0, 0.0), (0.12, 0.003, 0.0)),
    "GZ": ((0.008, 0.01, 0.01), (0.002, 0.002, 0.002), (0.003, 0.003, 0.003),
           (0.001, 0.001, 0.001), (0.002, 0.002, 0.002)),
    "FW": ((0.0, 0.001, 0.001), (0.008, 0.01, 0.01), (0.025, 0.03, 0.03),
           (0.02, 0.09, 0.09), (0.004, 0.006, 0.006)),
    "ADV": ((0.0, 0.0, 0.0), (0.0, 0.001, 0.002), (0.01, 0.025, 0.025),
            (0.0, 0.004, 0.005), (0.0, 0.002, 0.002)),
    "GEM": ((0.005, 0.005, 0.004), (0.001, 0.001, 0.001), (0.002, 0.002, 0.002),
            (0.001, 0.002, 0.002), (0.02, 0.01, 0.006)),
    "IND": ((0.0, 0.0, 0.0), (0.004, 0.01, 0.01), (0.02, 0.035, 0.035),
            (0.0, 0.004, 0.005), (0.0, 0.002, 0.002)),
    "SELF": ((0.0, 0.001, 0.001), (0.0, 0.001, 0.001), (0.0, 0.001, 0.001),
             (0.0, 0.001, 0.001), (0.0, 0.0005, 0.0005)),
    "OVR": ((0.002, 0.002, 0.002), (0.002, 0.002, 0.002), (0.002, 0.002, 0.002),
            (0.002, 0.002, 0.002), (0.002, 0.002, 0.002)),
}  # fmt: skip

#: Year factors per organisation (2014..2018). Non-investigative organisations fall to about
#: a quarter in 2018 because of the GDPR (factsheet: ~550 a year 2014-2017, 150 in 2018);
#: residential youth care almost stopped reporting. The Labour Inspectorate rose in 2018
#: (US TIP 2020: 75). KMar 12-21 a year (US TIP 2018, 2020).
YEAR_FACTOR: Final[dict[str, tuple[float, float, float, float, float]]] = {
    "POL": (1.0, 1.0, 1.0, 1.0, 1.0),  # see POLICE_YEAR_FACTOR
    "KMAR": (1.0, 0.9, 0.6, 1.0, 0.55),
    "NLA": (1.0, 1.0, 0.85, 0.85, 1.4),
    "ZC": (1.0, 0.95, 0.8, 0.9, 0.32),
    "COSM": (1.0, 0.9, 0.75, 0.7, 0.15),
    "OPV": (1.0, 0.9, 0.75, 0.7, 0.12),
    "JZ": (1.0, 0.9, 0.75, 0.7, 0.1),
    "GZ": (1.0, 0.9, 0.75, 0.7, 0.15),
    "FW": (1.0, 0.9, 0.8, 0.7, 0.2),
    "ADV": (1.0, 0.9, 0.8, 0.7, 0.25),
    "GEM": (1.0, 0.9, 0.75, 0.7, 0.15),
    "IND": (1.0, 1.0, 0.85, 0.8, 0.25),
    "SELF": (1.0, 1.0, 1.0, 1.0, 0.5),
    "OVR": (1.0, 0.9, 0.75, 0.7, 0.15),
}

#: Police year factors per form: reports of Dutch and European sexual-exploitation victims
#: fell over 2014-2018 while African ones rose (factsheet, "Aanpak van mensenhandel door de
#: Nationale Politie blijft achter"); the African rise runs mostly through DUBLIN_FACTOR.
POLICE_YEAR_FACTOR: Final[tuple[tuple[float, float, float, float, float], ...]] = (
    (1.0, 0.95, 0.63, 0.6, 0.75),  # DS
    (1.0, 0.87, 0.47, 0.46, 0.4),  # CBN
    (1.0, 1.0, 1.0, 0.95, 1.25),  # CBA
    (1.0, 0.8, 0.7, 0.75, 0.4),  # LAB
    (1.0, 0.9, 0.75, 0.8, 0.35),  # CRIM
)

#: Police reports of minors fell faster still ("het zicht op deze zeer kwetsbare groep
#: slachtoffers neemt drastisch af", factsheet); multiplies POLICE_YEAR_FACTOR for minors.
POLICE_MINOR_YEAR_FACTOR: Final = (1.0, 1.0, 0.9, 0.8, 0.35)

#: Dublin claimants file police reports to obtain protection, so the police see them far
#: more often; they also meet the IND and lawyers.
DUBLIN_FACTOR: Final = {"POL": 7.5, "IND": 2.0, "ADV": 2.0}

#: Organisations that only see persons who crossed a border (KMar), or only non-EU
#: nationals (IND: residence permits).
BORDER_ONLY: Final = frozenset({"KMAR"})
NON_EU_ONLY: Final = frozenset({"IND"})

#: Heterogeneity: two latent traits per person, z ~ N(0, 1) and w ~ N(0, 1), independent.
#: z is visibility to everyone (a positive loading on every list makes lists positively
#: dependent); w is orientation towards investigative (w > 0) or care organisations
#: (w < 0), which makes P, K and I negatively dependent on R, O and Z. KMar checks at the
#: border: it does not depend on z.
VISIBILITY_LOADING: Final = {
    "POL": 0.3, "KMAR": 0.0, "NLA": 0.2, "ZC": 0.3, "COSM": 0.3, "OPV": 0.3, "JZ": 0.3,
    "GZ": 0.3, "FW": 0.3, "ADV": 0.3, "GEM": 0.3, "IND": 0.2, "SELF": 0.3, "OVR": 0.3,
}  # fmt: skip
ORIENTATION_LOADING_INVESTIGATIVE: Final = 0.6
ORIENTATION_LOADING_CARE: Final = -0.6

#: Referral: rate multipliers when an earlier list saw the person. The police refer victims
#: to care coordinators and shelters; shelters bring in health care, lawyers and the IND.
#: A factor below 1 is substitution: KMar hands its cases to the police, and a care
#: coordinator reports for the shelter it places a victim in and for the other
#: organisations around the victim. MSE 2010-2015: P+R, P+O, P+Z
#: and O+Z above independence, R+O and R+Z rare, K+P far below.
REFERRAL: Final[dict[str, dict[str, float]]] = {
    "KMAR": {"P": 0.3},
    "ZC": {"P": 1.15},
    "OPV": {"R": 0.4},
    "JZ": {"R": 0.4},
    "COSM": {"P": 1.3, "R": 0.4},
    "IND": {"P": 1.3, "R": 0.5, "O": 2.0},
    "ADV": {"P": 1.15, "R": 0.5, "O": 2.0},
    "GZ": {"P": 1.15, "R": 0.3, "O": 2.0},
    "GEM": {"R": 0.3},
    "FW": {"R": 0.5, "O": 1.5},
}

#: The order in which lists are drawn (referral looks at lists drawn before).
CAPTURE_ORDER: Final = ("P", "K", "I", "R", "O", "Z")

#: Rate of the police recording a police report (aangifte) for persons they saw; Dublin
#: claimants nearly always file one. Persons not seen by the police rarely did.
POLICE_REPORT_IF_SEEN: Final = 0.75
POLICE_REPORT_IF_SEEN_DUBLIN: Final = 0.95
POLICE_REPORT_IF_UNSEEN: Final = 0.03


def year_index(year: int) -> int:
    """Index of a year in the per-year tables; years outside 2014-2018 use the nearest."""
    return min(max(year - PARAMETER_YEARS[0], 0), len(PARAMETER_YEARS) - 1)


def for_year(table: dict[int, float], year: int) -> float:
    """A per-year value, the nearest parameter year standing in for others."""
    return table[PARAMETER_YEARS[year_index(year)]]
