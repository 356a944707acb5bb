"""Generate ``tables.js`` for the browser encoder from the Python encoder and Unicode 14.

The browser must fold names and look up coded values exactly as Python 3.11 does, whatever
Unicode version the browser ships. So every table is computed here, from the Python
encoder's own definitions (``names.py``, ``values.py``, ``source-values.toml``, pycountry)
and from Python's ``unicodedata``, and written as data: nothing is re-typed by hand.

Regenerate after changing any of them (a test fails until you do)::

    .venv/bin/python -m tests.web_encoder.tables
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from victim_monitor.problems import CATALOGUE
from victim_monitor.pseudonymise import names, values
from victim_monitor.pseudonymise.columns import (
    FORMAT_VERSION,
    RAW_COLUMNS,
    REQUIRED_RAW_COLUMNS,
    SUBMISSION_COLUMNS,
)
from victim_monitor.pseudonymise.source import column_aliases

TARGET = Path(__file__).resolve().parents[2] / "src/victim_monitor/web/static/encoder/tables.js"
_MAX = 0x110000
_HANGUL = range(0xAC00, 0xD7A4)  # decomposed algorithmically in the browser


def _code_points() -> Iterable[int]:
    return (cp for cp in range(_MAX) if not 0xD800 <= cp < 0xE000)


def _fold_one(ch: str) -> str:
    """``names.fold_unicode`` on one character, before spaces are collapsed."""
    text = unicodedata.normalize("NFKD", ch.casefold())
    text = "".join(c for c in text if not unicodedata.category(c).startswith("M"))
    text = text.translate(names._FOLD_TABLE)
    return _squeeze("".join(c if c.isalpha() else " " for c in text))


def _value_key_one(ch: str) -> str:
    """``values.value_key`` on one character, before spaces are collapsed and stripped."""
    text = unicodedata.normalize("NFKD", ch)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = values._DROP.sub("", text)
    return _squeeze(values._SPACE.sub(" ", text))


def _squeeze(text: str) -> str:
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _ranges(cps: Iterable[int]) -> list[int]:
    """Sorted code points as [start, length, gap, length, ...] (gaps from the previous end)."""
    out: list[int] = []
    end = 0
    for cp in cps:
        if out and cp == end:
            out[-1] += 1
        else:
            out += [cp - end, 1]
        end = cp + 1
    return out


def _mapping(table: dict[int, str]) -> dict[str, object]:
    """A code-point map: runs of single characters (start, length, target, step), other
    strings by code point, and the code points that map to nothing as ranges."""
    runs: list[list[int]] = []
    multi: dict[str, str] = {}
    for cp in sorted(table):
        out = table[cp]
        if not out:
            continue
        if len(out) != 1:
            multi[str(cp)] = out
            continue
        target = ord(out)
        if runs:
            start, length, first, step = runs[-1]
            if cp == start + length:
                if length == 1 and target - first in (0, 1):
                    runs[-1] = [start, 2, first, target - first]
                    continue
                if length > 1 and target == first + step * length:
                    runs[-1][1] += 1
                    continue
        runs.append([cp, 1, target, 0])
    return {
        "runs": [n for run in runs for n in run],
        "multi": multi,
        "empty": _ranges(cp for cp in sorted(table) if not table[cp]),
    }


def _per_char(func: Callable[[str], str], default: str) -> tuple[dict[int, str], list[int]]:
    """Code points whose output is neither ``default`` nor the character itself."""
    mapped: dict[int, str] = {}
    same: list[int] = []
    for cp in _code_points():
        out = func(chr(cp))
        if out == chr(cp):
            same.append(cp)
        elif out != default:
            mapped[cp] = out
    return mapped, same


def _hangul(cp: int) -> str:
    s = cp - 0xAC00
    lead, vowel, trail = 0x1100 + s // 588, 0x1161 + (s % 588) // 28, s % 28
    return chr(lead) + chr(vowel) + (chr(0x11A7 + trail) if trail else "")


def unicode_tables() -> dict[str, object]:
    fold_map, fold_same = _per_char(_fold_one, " ")
    for cp in _HANGUL:
        assert fold_map.pop(cp) == _hangul(cp), hex(cp)
    key_map, key_same = _per_char(_value_key_one, " ")
    key_map.update({cp: chr(cp) for cp in key_same})  # only [0-9a-z?] map to themselves
    zeros = [
        cp
        for cp in _code_points()
        if unicodedata.category(chr(cp)) == "Nd" and unicodedata.decimal(chr(cp)) == 0
    ]
    digits = [cp for cp in _code_points() if unicodedata.category(chr(cp)) == "Nd"]
    assert digits == sorted(z + d for z in zeros for d in range(10)), "Nd not in runs of ten"
    return {
        "unicode": unicodedata.unidata_version,
        "foldSame": _ranges(fold_same),
        "fold": _mapping(fold_map),
        "valueKey": _mapping(key_map),
        "space": [cp for cp in _code_points() if chr(cp).isspace()],
        "digitZeros": zeros,
        "unprintable": _ranges(cp for cp in _code_points() if not chr(cp).isprintable()),
    }


def _vocabulary(vocabulary: values.Vocabulary) -> dict[str, object]:
    return {"table": dict(sorted(vocabulary.table.items())), "empty": vocabulary.empty}


def vocabularies() -> dict[str, object]:
    return {
        "formatVersion": FORMAT_VERSION,
        "rawColumns": list(RAW_COLUMNS),
        "requiredRawColumns": sorted(REQUIRED_RAW_COLUMNS),
        "submissionColumns": list(SUBMISSION_COLUMNS),
        "columnAliases": dict(sorted(column_aliases().items())),
        "joiners": ".'’ʼ`´",
        "particles": sorted(names.PARTICLES),
        "placeholders": sorted(names.PLACEHOLDERS),
        "spellingFolds": [list(pair) for pair in names._SPELLING_FOLDS],
        "sex": _vocabulary(values.sex()),
        "yesNo": _vocabulary(values.yes_no()),
        "residencePermit": _vocabulary(values.residence_permit()),
        "exploitationKind": _vocabulary(values.exploitation_kind()),
        "exploitationOrder": list(values._KIND_ORDER),
        "sector": _vocabulary(values.sector()),
        "country": _vocabulary(values.country()),
        "problems": {
            code: {"severity": str(kind.severity), "title": kind.title}
            for code, kind in sorted(CATALOGUE.items())
            if code.startswith("VM4")
        },
    }


def render() -> str:
    """The text of ``tables.js``."""
    parts = [
        "// Generated by tests/web_encoder/tables.py from the Python encoder and Unicode "
        f"{unicodedata.unidata_version}.",
        "// Do not edit: run `.venv/bin/python -m tests.web_encoder.tables` instead.",
        "export const UNICODE = " + json.dumps(unicode_tables(), separators=(",", ":")) + ";",
        "export const VOCABULARIES = "
        + json.dumps(vocabularies(), ensure_ascii=False, separators=(",", ":"))
        + ";",
        "",
    ]
    return "\n".join(parts)


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)\n")
