"""Standardise: the register's current reports as the one table the linkage model reads.

Linkage sees only what the register holds: pseudonyms, the Bloom filter (as sixteen signed
64-bit words, so that any SQL backend can take the Dice similarity with ``bit_count``), and
the clear quasi-identifiers sex, birth year, nationality and report date, and the reporting
organisation. Unknown values are NULL, never a code that would agree with itself (sex
``other_unknown`` is NULL).

The clear-text twin (:func:`standardise_clear`) exists only to measure what pseudonymisation
costs: it reads the organisations' raw synthetic files, never the register, and gives the same
reports folded clear names and birth dates (the encoder's own normalisation, without the hash).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine, select

from victim_monitor.pseudonymise.dates import DateError, parse_partial_date
from victim_monitor.pseudonymise.names import name_keys
from victim_monitor.storage.schema import PSEUDONYM_FIELDS, organisations, reports

BLOOM_WORDS = 16
WORD_COLUMNS: tuple[str, ...] = tuple(f"bloom_w{i}" for i in range(BLOOM_WORDS))
EPOCH = dt.date(1970, 1, 1)

# What persons need besides the linkage fields (facts for the attributes of a person).
REPORT_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "organisation_code",
    "case_reference",
    "estimation_list",
    "report_date",
    "report_year",
    *PSEUDONYM_FIELDS,
    "bloom",
    "sex",
    "birth_year",
    "age_at_report",
    "nationality",
    "exploitation",
    "border_crossed",
)

# The columns the pseudonymised model reads.
LINK_COLUMNS: tuple[str, ...] = (
    "unique_id",
    *PSEUDONYM_FIELDS,
    *WORD_COLUMNS,
    "sex",
    "birth_year",
    "nationality",
    "report_day",
    "organisation",
)

# The columns the clear-text model reads.
CLEAR_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "first_name",
    "given_names",
    "last_name",
    "full_name",
    "name_sorted",
    "birth_date",
    "birth_year_month",
    "birth_year",
    "sex",
    "nationality",
    "report_day",
    "organisation",
)

_SEX = {"female": "F", "male": "M"}


def read_reports(source: Engine | Connection) -> pd.DataFrame:
    """Current report versions with their estimation list, one row each (``REPORT_COLUMNS``).

    ``unique_id`` is the report's id (the version); ``report_date`` is a ``datetime.date``.
    """
    query = (
        select(
            reports.c.id.label("unique_id"),
            reports.c.organisation_code,
            reports.c.case_reference,
            organisations.c.estimation_list,
            *(reports.c[name] for name in REPORT_COLUMNS[4:]),
        )
        .join_from(reports, organisations, reports.c.organisation_code == organisations.c.code)
        .where(reports.c.is_current.is_(True))
        .order_by(reports.c.id)
    )
    if isinstance(source, Engine):
        with source.connect() as conn:
            result = conn.execute(query)
            rows = result.fetchall()
    else:
        rows = source.execute(query).fetchall()
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    frame["unique_id"] = frame["unique_id"].astype("int64")
    for name in ("report_year", "birth_year", "age_at_report"):
        frame[name] = frame[name].astype("Int64")
    return frame


def _text(values: pd.Series) -> pd.Series:
    """Empty text as NULL (None), as object dtype."""
    return values.astype(object).where(values.notna() & (values != ""), None)


def bloom_words(blooms: Iterable[str | None]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """The 1024-bit filters as sixteen big-endian signed 64-bit words, and which are present."""
    decoded = [base64.b64decode(b) if b else None for b in blooms]
    present = np.array([d is not None and len(d) == 8 * BLOOM_WORDS for d in decoded], bool)
    words = np.zeros((len(decoded), BLOOM_WORDS), dtype=np.int64)
    if present.any():
        joined = b"".join(d for d, ok in zip(decoded, present, strict=True) if ok and d)
        words[present] = np.frombuffer(joined, dtype=">i8").reshape(-1, BLOOM_WORDS)
    return words, present


def report_day(dates: pd.Series) -> pd.Series:
    """Days since 1970-01-01: a date every SQL backend can subtract."""
    return pd.Series(
        [(d - EPOCH).days for d in dates], index=dates.index, dtype="int64", name="report_day"
    )


def standardise(frame: pd.DataFrame) -> pd.DataFrame:
    """The pseudonymised model's input (``LINK_COLUMNS``) from :func:`read_reports` rows."""
    out = pd.DataFrame({"unique_id": frame["unique_id"].astype("int64")})
    for name in PSEUDONYM_FIELDS:
        out[name] = _text(frame[name])
    words, present = bloom_words(frame["bloom"])
    for i, name in enumerate(WORD_COLUMNS):
        out[name] = pd.array(words[:, i], dtype="Int64")
        out.loc[~present, name] = pd.NA
    out["sex"] = frame["sex"].map(_SEX).astype(object).where(frame["sex"].isin(_SEX), None)
    out["birth_year"] = frame["birth_year"].astype("Int64")
    out["nationality"] = _text(frame["nationality"])
    out["report_day"] = report_day(frame["report_date"])
    out["organisation"] = frame["organisation_code"].astype(object).to_numpy()
    return out.reset_index(drop=True)


# --- clear text (quality measurement only) -------------------------------------------------


def read_raw(raw_dir: Path) -> dict[tuple[str, str], tuple[str, str, str]]:
    """Clear first name, last name and birth date by (organisation, case reference).

    Reads the synthetic raw files ``{ORG}-{YEAR}.csv`` (separator ``,`` or ``;``, optional BOM).
    """
    found: dict[tuple[str, str], tuple[str, str, str]] = {}
    for path in sorted(raw_dir.glob("*.csv")):
        organisation = path.stem.rsplit("-", 1)[0]
        text = path.read_text("utf-8-sig")
        header = text.partition("\n")[0]
        separator = ";" if header.count(";") > header.count(",") else ","
        for row in csv.DictReader(io.StringIO(text, newline=""), delimiter=separator):
            found[(organisation, row["case_reference"])] = (
                row["first_name"],
                row["last_name"],
                row["birth_date"],
            )
    return found


def standardise_clear(frame: pd.DataFrame, raw_dir: Path) -> pd.DataFrame:
    """The clear-text model's input (``CLEAR_COLUMNS``) for the same reports as ``frame``.

    Names are folded as the encoder folds them (accents, case, particles), so the two models
    differ only in what the register cannot see: the names and dates themselves.
    """
    raw = read_raw(raw_dir)
    columns: dict[str, list[object]] = {name: [] for name in CLEAR_COLUMNS[1:9]}
    for organisation, case in zip(frame["organisation_code"], frame["case_reference"], strict=True):
        first, last, birth = raw[(organisation, case)]
        keys = name_keys(first, last)
        columns["first_name"].append(keys.first or None)
        columns["given_names"].append(keys.given or None)
        columns["last_name"].append(keys.last or None)
        columns["full_name"].append(keys.full.replace("\x1f", " ") or None)
        columns["name_sorted"].append(keys.tokens_sorted or None)
        try:
            date = parse_partial_date(birth)
        except DateError:
            date = None
        full = date is not None and date.is_full
        columns["birth_date"].append(date.iso() if date is not None and full else None)
        month = date is not None and date.month is not None
        columns["birth_year_month"].append(date.iso()[:7] if date is not None and month else None)
        columns["birth_year"].append(None if date is None else date.year)
    out = pd.DataFrame({"unique_id": frame["unique_id"].astype("int64").to_numpy()})
    for name, values in columns.items():
        out[name] = pd.Series(values, dtype="Int64" if name == "birth_year" else object)
    std = standardise(frame)
    for name in ("sex", "nationality", "report_day", "organisation"):
        out[name] = std[name].to_numpy()
    return out
