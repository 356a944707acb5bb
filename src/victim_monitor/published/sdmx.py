"""The three Eurostat THB tables as SDMX-CSV 1.0, one file per Eurostat dataset.

Eurostat publishes registered victims of trafficking in human beings by sex crossed with age,
with citizenship and with form of exploitation; the publication's ``eurostat_*`` tables hold
exactly those crosses (``docs/methods/publication.md``). Each becomes one SDMX-CSV file: a row
per published cell, the columns of Eurostat's own SDMX-CSV downloads (``DATAFLOW``, then the
dimensions, ``TIME_PERIOD``, ``OBS_VALUE``, ``OBS_FLAG``), our category codes translated to
Eurostat's code lists. A suppressed cell has no ``OBS_VALUE`` and the flag ``c``
(confidential), as Eurostat marks the cells a country does not release.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from victim_monitor.csvfile import to_text
from victim_monitor.published.model import TOTAL, Publication

AGENCY = "ESTAT"
VERSION = "1.0"
GEO = "NL"  # the reporting country: the monitor's own nationality group is "dutch" (vocab.py)
FREQ = "A"  # annual: a published year is a calendar year of first reports
UNIT = "NR"  # number of persons
CONFIDENTIAL = "c"  # Eurostat's flag for a value not released; primary or secondary alike

# Eurostat's SEX code list; "other/unknown" has no code of its own there and goes to UNK.
SEX = {"female": "F", "male": "M", "other_unknown": "UNK", TOTAL: "T"}


@dataclass(frozen=True, slots=True)
class Dataflow:
    """One Eurostat dataset: the published table it is made of and its second dimension."""

    code: str  # Eurostat's dataset code, lower case as in its database
    table: str  # the publication's table (dimensions year, sex and ``dimension``)
    dimension: str  # our dimension
    concept: str  # Eurostat's dimension id
    codes: Mapping[str, str]  # our category code -> Eurostat's

    @property
    def dataflow(self) -> str:
        """The SDMX reference, ``ESTAT:CRIM_THB_VCTZ(1.0)``."""
        return f"{AGENCY}:{self.code.upper()}({VERSION})"

    @property
    def path(self) -> str:
        return f"sdmx/{self.code}.csv"

    @property
    def columns(self) -> tuple[str, ...]:
        return ("DATAFLOW", "freq", "unit", "sex", self.concept, "geo",
                "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG")  # fmt: skip


DATAFLOWS: tuple[Dataflow, ...] = (
    Dataflow(
        "crim_thb_vsage", "eurostat_sex_age", "age_group", "age",
        {"minor": "Y_LT18", "adult_18": "Y_GE18", "unknown": "UNK", TOTAL: "TOTAL"},
    ),
    # The EU of 27 since 2020 is the monitor's EU too (data/country-groups.toml), for every year.
    Dataflow(
        "crim_thb_vctz", "eurostat_sex_citizenship", "nationality_group", "citizen",
        {"dutch": "NAT", "other_eu": "EU27_2020_FOR", "non_eu": "NEU27_2020_FOR",
         "unknown": "UNK", TOTAL: "TOTAL"},
    ),
    # Eurostat's breakdown is sexual / labour / other forms: criminal exploitation is "other".
    Dataflow(
        "crim_thb_vexp", "eurostat_sex_form", "form_group", "exploit",
        {"sexual": "SEX", "labour": "LAB", "criminal": "OTH", "unknown": "UNK", TOTAL: "TOTAL"},
    ),
)  # fmt: skip


def sdmx_files(pub: Publication) -> dict[str, str]:
    """``sdmx/<code>.csv`` for every Eurostat dataset whose table the publication holds."""
    out: dict[str, str] = {}
    for flow in DATAFLOWS:
        table = pub.tables.get(flow.table)
        if table is None:
            continue
        if table.dimensions != ("year", "sex", flow.dimension):
            raise ValueError(f"{table.name}: dimensions {table.dimensions} are not Eurostat's")
        rows = []
        for cell in table.cells:
            if cell.not_available:  # no figure was published: an SDMX dataset omits it
                continue
            year, sex, category = cell.key
            suppressed = cell.value is None
            rows.append(
                [flow.dataflow, FREQ, UNIT, SEX[sex], flow.codes[category], GEO, year,
                 "" if suppressed else str(cell.value), CONFIDENTIAL if suppressed else ""]
            )  # fmt: skip
        out[flow.path] = to_text(flow.columns, rows)
    return out
