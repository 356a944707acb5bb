"""Valid format-v1 submissions of synthetic reports, made without the encoder.

Pseudonyms are SHA-256 of made-up tokens: the register only sees hex, so this is enough to
test intake independently of the encoder.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from victim_monitor.pseudonymise.key import Key
from victim_monitor.registry.checks import COLUMNS

#: A made-up key: every factory report carries its id, so a file encoded with it (the browser
#: encoder's test) is not refused as encoded with another key (VM303).
KEY = Key(bytes(range(32)))
KEY_ID = KEY.key_id


def pseudonym(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def report(number: int, **overrides: str) -> dict[str, str]:
    """A valid report; ``number`` makes its case reference and pseudonyms distinct."""
    row = {
        "format_version": "1",
        "key_id": KEY_ID,
        "case_reference": f"CASE-{number:06d}",
        "report_date": f"2018-{(number % 12) + 1:02d}-15",
        "pn_first_name": pseudonym(f"first{number}"),
        "pn_last_name": pseudonym(f"last{number}"),
        "pn_full_name": pseudonym(f"full{number}"),
        "pn_name_sorted": pseudonym(f"sorted{number}"),
        "pn_first_name_phonetic": pseudonym(f"fph{number}"),
        "pn_last_name_phonetic": pseudonym(f"lph{number}"),
        "pn_birth_date": pseudonym(f"bd{number}"),
        "pn_birth_year_month": pseudonym(f"bym{number}"),
        "pn_sex_birth_year": pseudonym(f"sby{number}"),
        "bloom": "AAECAwQFBgc=",
        "sex": "FMX"[number % 3],
        "birth_year": str(1980 + number % 20),
        "age_at_report": str(2018 - (1980 + number % 20)),
        "nationality": ("NL", "PL", "NG", "RO", "")[number % 5],
        "exploitation": ("sexual", "labour", "criminal;labour", "", "sexual;other")[number % 5],
        "sector": ("sex_industry", "agriculture", "", "cleaning", "other")[number % 5],
        "border_crossed": ("no", "yes", "unknown")[number % 3],
        "country_of_exploitation": "NL",
        "dublin_claimant": ("no", "yes", "unknown")[number % 3],
        "residence_permit": ("none", "applied", "granted", "refused")[number % 4],
        "police_report": ("yes", "no", "unknown")[number % 3],
    }
    row.update(overrides)
    return row


def reports(n: int, start: int = 0) -> list[dict[str, str]]:
    return [report(i) for i in range(start, start + n)]


def write_csv(
    path: Path,
    rows: Sequence[dict[str, str]],
    *,
    delimiter: str = ",",
    bom: bool = False,
    columns: Sequence[str] = COLUMNS,
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=list(columns), delimiter=delimiter, extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_json(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    path.write_text(json.dumps(list(rows)), "utf-8")
    return path


def write_jsonl(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    return path


def write_xlsx(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    book.save(path)
    return path
