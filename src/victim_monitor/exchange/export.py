"""``export``: the register for analysts working in R or Stata, as CSV or Parquet files.

Three kinds of file, each column in the data dictionary written beside them
(``exchange.dictionary``): the current reports and the linked (active) persons, without any
field that leads back to a person, and the capture-history tables per year and per year and
form group exactly as the publication's estimation reads them (one 0/1 column per list with
anyone on it and ``count``; ``victim-monitor estimate`` reads each file as it is).

Files are written into a private temporary directory beside ``out`` that then replaces it, so
an export is there whole or not at all. Parquet goes through DuckDB, whose Parquet writer is
built in: extensions are neither installed nor loaded (``DUCKDB_CONFIG``), nothing downloads.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, select

from victim_monitor import csvfile
from victim_monitor.exchange import dictionary
from victim_monitor.exchange.codes import OUT_OCCUPIED, OUT_UNWRITABLE, ExchangeError
from victim_monitor.exchange.dictionary import (
    PERSON_COLUMNS,
    REPORT_COLUMNS,
    Table,
    history_columns,
)
from victim_monitor.storage.migrate import current_revision
from victim_monitor.storage.schema import organisations, person_reports, persons, reports
from victim_monitor.vocab import EstimationList, nationality_group

Format = Literal["csv", "parquet"]
Progress = Callable[[str, int, int], None]
LISTS: tuple[str, ...] = tuple(str(x) for x in EstimationList)
#: No extension is installed or loaded behind our back: Parquet is built into DuckDB.
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    out: Path
    file_format: Format
    files: dict[str, int]  # path in ``out`` -> rows

    def summary(self) -> str:
        reports_ = self.files.get(f"reports.{self.file_format}", 0)
        persons_ = self.files.get(f"persons.{self.file_format}", 0)
        histories = sum(1 for p in self.files if p.startswith("histories/"))
        return (
            f"exported {reports_} reports, {persons_} persons and {histories} capture-history "
            f"tables as {self.file_format} to {self.out} (data dictionary: "
            f"{self.out / 'dictionary.md'}); it holds pseudonymised personal data: keep it safe"
        )

    def as_dict(self) -> dict[str, object]:
        return {"out": str(self.out), "format": self.file_format, "files": self.files}


def export_register(
    engine: Engine, out: Path, file_format: Format = "csv", progress: Progress | None = None
) -> ExportResult:
    """Write the register's export into ``out`` (replacing an earlier export there)."""
    step = progress or (lambda _name, _done, _total: None)
    _check_target(out)
    number = _person_numbers(engine)
    tables = [_reports(engine, number), _persons(engine, number), *_histories(engine)]
    data = dictionary.as_dict(tables, file_format, current_revision(engine))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))  # private
        try:
            for done, table in enumerate(tables):
                step("export", done, len(tables))
                _write(table, staging, file_format)
            (staging / "dictionary.json").write_text(dictionary.to_json(data), "utf-8")
            (staging / "dictionary.md").write_text(dictionary.to_markdown(data), "utf-8")
            step("export", len(tables), len(tables))
            _replace(staging, out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise ExchangeError([OUT_UNWRITABLE(str(exc), file=str(out))]) from exc
    files = {f"{t.path}.{file_format}": len(t.rows) for t in tables}
    return ExportResult(out, file_format, files)


def _check_target(out: Path) -> None:
    """``out`` may be replaced: it does not exist, is empty, or holds an earlier export."""
    if not out.exists():
        return
    if not out.is_dir():
        raise ExchangeError([OUT_OCCUPIED("exists and is not a directory", file=str(out))])
    if not any(out.iterdir()):
        return
    try:
        earlier = json.loads((out / "dictionary.json").read_text("utf-8"))
    except (OSError, ValueError):
        earlier = None
    if not isinstance(earlier, dict) or earlier.get("format") != dictionary.FORMAT:
        said = "holds files that are not an export; give a new or empty directory"
        raise ExchangeError([OUT_OCCUPIED(said, file=str(out))])


def _replace(staging: Path, out: Path) -> None:
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        out.rename(old / out.name)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)


# --- reading the register ---------------------------------------------------------------------


def _person_numbers(engine: Engine) -> dict[int, int]:
    """The export's person numbers, 1 to n, by year and then register id."""
    query = (
        select(persons.c.id)
        .where(persons.c.status == "active")
        .order_by(persons.c.year, persons.c.id)
    )
    with engine.connect() as conn:
        return {int(pid): n for n, pid in enumerate(conn.scalars(query), start=1)}


def _blank(value: object) -> object:
    return None if value == "" else value


def _reports(engine: Engine, number: dict[int, int]) -> Table:
    r = reports.c
    query = (
        select(
            person_reports.c.person_id,
            r.organisation_code,
            organisations.c.estimation_list,
            r.report_year,
            r.report_date,
            r.version,
            r.sex,
            r.age_at_report,
            r.nationality,
            r.exploitation,
            r.sector,
            r.border_crossed,
            r.country_of_exploitation,
            r.dublin_claimant,
            r.residence_permit,
            r.police_report,
        )
        .join(organisations, organisations.c.code == r.organisation_code)
        .outerjoin(person_reports, person_reports.c.report_id == r.id)
        .where(r.is_current)
        .order_by(r.report_year, r.organisation_code, r.report_date, r.id)
    )
    with engine.connect() as conn:
        found = conn.execute(query).all()
    rows = []
    for person, org, lst, year, date, version, sex, age, nat, *rest in found:
        person_number = None if person is None else number.get(int(person))
        rows.append(
            (
                person_number,
                org,
                lst,
                int(year),
                date.month,
                int(version),
                sex,
                age,
                _blank(nat),
                str(nationality_group(nat)),
                *(_blank(v) for v in rest),
            )
        )
    meaning = "One row per current report (the latest version of each)"
    return Table("reports", meaning, REPORT_COLUMNS, tuple(rows))


def _persons(engine: Engine, number: dict[int, int]) -> Table:
    p = persons.c
    query = select(
        p.id,
        p.year,
        p.first_report_date,
        p.sex,
        p.age,
        p.age_group,
        p.nationality,
        p.exploitation,
        p.border_crossed,
        p.form_group,
        p.lists,
        p.n_reports,
        p.n_organisations,
    ).where(p.status == "active")
    with engine.connect() as conn:
        found = sorted(conn.execute(query).all(), key=lambda row: number[int(row[0])])
    rows = []
    for pid, year, first, sex, age, age_grp, nat, kinds, border, form, lists, n, orgs in found:
        flags = tuple(int(x in lists) for x in LISTS)
        rows.append(
            (
                number[int(pid)],
                int(year),
                first.month,
                sex,
                age,
                age_grp,
                _blank(nat),
                str(nationality_group(nat)),
                _blank(kinds),
                border,
                form,
                _blank(lists),
                *flags,
                int(n),
                int(orgs),
            )
        )
    meaning = "One row per linked person (active persons of the last linkage run)"
    return Table("persons", meaning, PERSON_COLUMNS, tuple(rows))


def _histories(engine: Engine) -> list[Table]:
    """Per year, and per year and form group: persons by capture history."""
    p = persons.c
    query = (
        select(p.year, p.form_group, p.lists)
        .where(p.status == "active")
        .order_by(p.year, p.form_group)
    )
    counts: dict[tuple[int, str], dict[str, int]] = {}
    with engine.connect() as conn:
        for year, form, lists in conn.execute(query):
            for key in ((int(year), ""), (int(year), str(form))):
                by_pattern = counts.setdefault(key, {})
                by_pattern[lists] = by_pattern.get(lists, 0) + 1
    tables = []
    for (year, form), by_pattern in sorted(counts.items()):
        name = f"histories/{year}" + (f"-{form}" if form else "")
        who = f"year {year}" + (f", form group {form}" if form else "")
        meaning = (
            f"Capture histories of the persons of {who}: one row per observed history, as "
            "the estimation reads them (victim-monitor estimate FILE)"
        )
        lists, rows = estimation_table(by_pattern)
        tables.append(Table(name, meaning, history_columns(lists), rows))
    return tables


def estimation_table(
    by_pattern: dict[str, int],
) -> tuple[tuple[str, ...], tuple[tuple[object, ...], ...]]:
    """The lists with anyone on them and the rows (0/1 per list, count), as the publication
    hands a year or stratum to the estimation (``publication.run._fit_one``)."""
    from victim_monitor.linkage.persons import histories_frame

    frame = histories_frame(dict(by_pattern))
    lists = tuple(c for c in LISTS if frame.loc[frame[c] == 1].size)
    if not lists:
        return (), ()
    grouped = frame.groupby(list(lists), as_index=False)["count"].sum()
    rows = tuple(tuple(int(v) for v in row) for row in grouped.itertuples(index=False))
    return lists, rows


# --- writing ----------------------------------------------------------------------------------


def _write(table: Table, staging: Path, file_format: Format) -> None:
    path = staging / f"{table.path}.{file_format}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csvfile.writer(handle)
            out.writerow(c.name for c in table.columns)
            out.writerows(table.rows)
    else:
        write_parquet(table, path)


def write_parquet(table: Table, path: Path) -> None:
    """``table`` as a Parquet file with the dictionary's types (DuckDB, nothing downloaded)."""
    import duckdb
    import pandas as pd

    names = [c.name for c in table.columns]
    frame = pd.DataFrame(
        {
            name: pd.Series([row[i] for row in table.rows], dtype=object)
            for i, name in enumerate(names)
        }
    )
    casts = ", ".join(
        f'CAST("{c.name}" AS {dictionary.PARQUET_TYPES[c.kind]}) AS "{c.name}"'
        for c in table.columns
    )
    with duckdb.connect(":memory:", config=DUCKDB_CONFIG) as con:
        con.register("exported", frame)
        target = str(path).replace("'", "''")
        con.execute(f"COPY (SELECT {casts} FROM exported) TO '{target}' (FORMAT PARQUET)")
