"""Reporting organisations: type, investigative flag and estimation list, loaded from data."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection, Engine, select

from victim_monitor.storage.schema import organisations as organisations_table
from victim_monitor.vocab import EstimationList, Label, ReporterType

# Codes: ASCII capitals and digits after NFKC, so that no two look alike (a Cyrillic 'Р' is
# not a 'P') and every code is safe in a file name, a URL and a CSV cell.
_CODE = re.compile(r"[A-Z0-9]{1,16}")
CODE_RULE = Label(
    "Een organisatiecode heeft 1-16 hoofdletters (A-Z) of cijfers.",
    "An organisation code is 1-16 capital letters (A-Z) or digits.",
)


class OrganisationsFileError(ValueError):
    """The organisations file is malformed; the message names the file and entry."""


class OrganisationCodeError(ValueError):
    """Not an organisation code; ``label`` says why in Dutch and English."""

    def __init__(self, label: Label) -> None:
        self.label = label
        super().__init__(label.en)


def organisation_code(text: str) -> str:
    """The code ``text`` stands for (NFKC, trimmed, upper case), or OrganisationCodeError."""
    code = unicodedata.normalize("NFKC", text).strip().upper()
    if not _CODE.fullmatch(code):
        raise OrganisationCodeError(CODE_RULE)
    return code


@dataclass(frozen=True, slots=True)
class Organisation:
    code: str
    name_nl: str
    name_en: str
    reporter_type: ReporterType
    investigative: bool
    estimation_list: EstimationList


def load_organisations(path: Path | None = None) -> tuple[Organisation, ...]:
    """Organisations from a TOML file (default: the Dutch mapping shipped with the package)."""
    if path is None:
        text = (
            resources.files("victim_monitor.data").joinpath("organisations.toml").read_text("utf-8")
        )
        where = "organisations.toml (default)"
    else:
        text, where = path.read_text("utf-8"), str(path)
    try:
        entries = tomllib.loads(text)["organisation"]
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise OrganisationsFileError(f"{where}: not an organisations file ({exc})") from exc
    result: list[Organisation] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        try:
            org = Organisation(
                code=organisation_code(str(entry["code"])),
                name_nl=str(entry["name_nl"]),
                name_en=str(entry["name_en"]),
                reporter_type=ReporterType(entry["reporter_type"]),
                investigative=bool(entry["investigative"]),
                estimation_list=EstimationList(entry["list"]),
            )
        except (KeyError, ValueError) as exc:
            raise OrganisationsFileError(f"{where}: organisation #{number}: {exc}") from exc
        if org.code in seen:
            raise OrganisationsFileError(f"{where}: organisation code {org.code} appears twice")
        seen.add(org.code)
        result.append(org)
    return tuple(result)


def sync_organisations(engine: Engine, orgs: tuple[Organisation, ...]) -> None:
    """Insert new organisations and update changed ones (codes are never deleted)."""
    for org in orgs:
        if organisation_code(org.code) != org.code:
            raise OrganisationCodeError(CODE_RULE)
    with engine.begin() as conn:
        existing = {row.code for row in conn.execute(select(organisations_table.c.code))}
        for org in orgs:
            values = _row(org)
            if org.code in existing:
                conn.execute(
                    organisations_table.update()
                    .where(organisations_table.c.code == org.code)
                    .values(values)
                )
            else:
                conn.execute(organisations_table.insert().values(values))


def registered_organisations(conn: Connection) -> dict[str, Organisation]:
    """The organisations the register knows, by code."""
    rows = conn.execute(select(organisations_table).order_by(organisations_table.c.code))
    return {
        row.code: Organisation(
            code=row.code,
            name_nl=row.name_nl,
            name_en=row.name_en,
            reporter_type=ReporterType(row.reporter_type),
            investigative=row.investigative,
            estimation_list=EstimationList(row.estimation_list),
        )
        for row in rows
    }


def _row(org: Organisation) -> dict[str, object]:
    values = asdict(org)
    values["reporter_type"] = str(org.reporter_type)
    values["estimation_list"] = str(org.estimation_list)
    return values
