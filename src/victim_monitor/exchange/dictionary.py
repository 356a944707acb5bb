"""The export's data dictionary: every file, every column, its type, meaning and values, and
every column of the register that is left out, with the reason.

The columns are decided field by field (docs/exchange.md): an export holds what analysts need
to model the register (the facts as coded, the derived groups, the capture histories) and
nothing that leads back to a person: no pseudonym, no Bloom filter, no case reference (the
organisation can look it up), no day of a date, no register id.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from victim_monitor.storage.schema import PSEUDONYM_FIELDS
from victim_monitor.vocab import (
    AgeGroup,
    EstimationList,
    ExploitationKind,
    FormGroup,
    NationalityGroup,
    ResidencePermit,
    Sector,
    Sex,
    YesNoUnknown,
)

Kind = Literal["integer", "string"]
FORMAT = "victim-monitor-export"
VERSION = 1
PARQUET_TYPES: dict[Kind, str] = {"integer": "INTEGER", "string": "VARCHAR"}


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(str(v) for v in enum)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an exported file; an empty cell (a null in Parquet) is unknown."""

    name: str
    kind: Kind
    meaning: str
    values: str

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "type": self.kind,
            "meaning": self.meaning,
            "values": self.values,
        }


@dataclass(frozen=True, slots=True)
class Table:
    """An exported file: its path without extension, what a row is, columns and rows."""

    path: str
    meaning: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A column of the register that no exported file holds, and why."""

    table: str
    columns: tuple[str, ...]
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"table": self.table, "columns": list(self.columns), "reason": self.reason}


_PERSON = Column(
    "person",
    "integer",
    "The person (persons' `person`). A number of this export only, not the register's person "
    "id: an export cannot be joined to the workspace, the audit trail or another export",
    "1 to the number of persons",
)
_YNU = _values(YesNoUnknown)
_COUNTRY = "ISO 3166-1 alpha-2 code; empty: unknown"
_LISTS = "letters of P, K, I, R, O, Z in that order, e.g. PR"
_NATIONALITY_GROUP = Column(
    "nationality_group",
    "string",
    "Nationality grouped as the tables group it",
    _values(NationalityGroup),
)

REPORT_COLUMNS: tuple[Column, ...] = (
    Column(
        "person",
        "integer",
        _PERSON.meaning + "; empty: the report is not linked yet (run victim-monitor link)",
        _PERSON.values,
    ),
    Column("organisation", "string", "Code of the reporting organisation", "the register's codes"),
    Column(
        "estimation_list",
        "string",
        "The organisation's list in the capture histories",
        _values(EstimationList),
    ),
    Column("report_year", "integer", "Year of the report date", "2000 and later"),
    Column("report_month", "integer", "Month of the report date (the day is left out)", "1-12"),
    Column("version", "integer", "Versions the organisation has sent (1: never changed)", "1+"),
    Column("sex", "string", "Sex as reported", _values(Sex)),
    Column("age_at_report", "integer", "Age in whole years at the report date", "0-120"),
    Column("nationality", "string", "Nationality as reported", _COUNTRY),
    _NATIONALITY_GROUP,
    Column(
        "exploitation",
        "string",
        "Kinds of exploitation reported, `;`-separated; empty: not stated",
        _values(ExploitationKind),
    ),
    Column("sector", "string", "Sector of the exploitation; empty: unknown", _values(Sector)),
    Column("border_crossed", "string", "A border was crossed", _YNU),
    Column("country_of_exploitation", "string", "Country of the exploitation", _COUNTRY),
    Column("dublin_claimant", "string", "Dublin claimant", _YNU),
    Column(
        "residence_permit",
        "string",
        "Residence permit under the trafficking scheme",
        _values(ResidencePermit),
    ),
    Column("police_report", "string", "A police report (aangifte) was filed", _YNU),
)

PERSON_COLUMNS: tuple[Column, ...] = (
    _PERSON,
    Column("year", "integer", "Year of the person's first report (the year counted in)", "2000+"),
    Column("first_report_month", "integer", "Month of the first report (no day)", "1-12"),
    Column("sex", "string", "Sex most reports give", _values(Sex)),
    Column("age", "integer", "Age at the first report", "0-120; empty: unknown"),
    Column("age_group", "string", "Age group at the first report", _values(AgeGroup)),
    Column("nationality", "string", "Nationality most reports give", _COUNTRY),
    _NATIONALITY_GROUP,
    Column(
        "exploitation",
        "string",
        "Every kind of exploitation any report gives, `;`-separated; empty: not stated",
        _values(ExploitationKind),
    ),
    Column("border_crossed", "string", "Yes if any report says yes, else no, else unknown", _YNU),
    Column(
        "form_group",
        "string",
        "Form of exploitation (the estimation's stratum)",
        _values(FormGroup),
    ),
    Column("lists", "string", "The capture history: the lists the person is on", _LISTS),
    *(
        Column(str(x), "integer", f"1 if the person is on list {x}, else 0", "0, 1")
        for x in EstimationList
    ),
    Column("n_reports", "integer", "Reports linked to the person", "1+"),
    Column("n_organisations", "integer", "Organisations that reported the person", "1+"),
)

HISTORY_COUNT = Column("count", "integer", "Persons with this capture history", "1+")


def history_columns(lists: Sequence[str]) -> tuple[Column, ...]:
    """A capture-history table's columns: one 0/1 column per list with anyone on it."""
    flags = tuple(Column(x, "integer", f"1: on list {x}, 0: not", "0, 1") for x in lists)
    return (*flags, HISTORY_COUNT)


LEFT_OUT: tuple[LeftOut, ...] = (
    LeftOut(
        "reports",
        (*PSEUDONYM_FIELDS, "bloom"),
        "Pseudonyms of names and birth dates and the Bloom filter: with the key (held by the "
        "organisations) they identify the person, and they link a person across files",
    ),
    LeftOut(
        "reports",
        ("case_reference",),
        "The organisation's own reference: anyone at the organisation can look the person up",
    ),
    LeftOut(
        "reports",
        ("report_date", "birth_year"),
        "The day of the report and the birth year narrow down the person's birth date (with "
        "the age at report); the report's year and month and the age are kept",
    ),
    LeftOut(
        "reports",
        ("id", "submission_id", "superseded_by_submission_id", "content_sha256", "key_id"),
        "Register bookkeeping: ids and hashes that join to the register, its files and its "
        "audit trail, and the key's id; nothing an analysis needs",
    ),
    LeftOut("reports", ("is_current",), "Only current reports are exported: always true"),
    LeftOut(
        "persons",
        ("id", "merged_into", "created_run_id", "updated_run_id"),
        "Register ids: replaced by the export's own person number",
    ),
    LeftOut(
        "persons",
        ("first_report_date", "birth_year"),
        "The day of the first report and the birth year: as for reports",
    ),
    LeftOut("persons", ("status",), "Only active persons are exported: always active"),
)


def as_dict(tables: Sequence[Table], suffix: str, revision: str | None) -> dict[str, object]:
    """The dictionary as ``dictionary.json`` holds it."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "register_revision": revision,
        "file_format": suffix,
        "encoding": "UTF-8" if suffix == "csv" else None,
        "missing": "an empty cell" if suffix == "csv" else "null",
        "files": [
            {
                "path": f"{t.path}.{suffix}",
                "rows": len(t.rows),
                "meaning": t.meaning,
                "columns": [c.as_dict() for c in t.columns],
            }
            for t in tables
        ],
        "left_out": [x.as_dict() for x in LEFT_OUT],
    }


def to_json(data: dict[str, object]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(data: dict[str, object]) -> str:
    """The dictionary for people: a section per file, a table of its columns."""
    files = data["files"]
    assert isinstance(files, list)
    missing = data["missing"]
    lines = [
        "# Data dictionary of the register export",
        "",
        f"Files in {str(data['file_format']).upper()}; a missing value is {missing}. The export "
        "holds pseudonymised personal data: keep it as safe as the register, and publish only "
        "through `victim-monitor publish`.",
        "",
    ]
    for entry in files:
        lines += [f"## `{entry['path']}`", "", f"{entry['meaning']}. Rows: {entry['rows']}.", ""]
        lines += ["| column | type | meaning | values |", "|---|---|---|---|"]
        for c in entry["columns"]:
            lines.append(f"| `{c['name']}` | {c['type']} | {c['meaning']} | {c['values']} |")
        lines.append("")
    lines += ["## Left out", "", "| table | columns | why |", "|---|---|---|"]
    for x in LEFT_OUT:
        lines.append(f"| {x.table} | {', '.join(f'`{c}`' for c in x.columns)} | {x.reason} |")
    return "\n".join(lines) + "\n"
