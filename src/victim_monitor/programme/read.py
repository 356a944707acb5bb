"""Read a programme file (YAML or CSV) into raw records, each knowing where it stands in the file.

Reading only finds records and their fields; :mod:`victim_monitor.programme.check` types and
checks them. Every problem is located: CSV by row (the header is row 1) and column, YAML by
path (``programmes[0].measures[2].title.nl``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from victim_monitor.csvfile import unquote
from victim_monitor.problems import ProblemLog
from victim_monitor.programme.codes import (
    BAD_VALUE,
    FILE_STRUCTURE,
    FILE_UNREADABLE,
    UNKNOWN_FIELD,
)
from victim_monitor.programme.fields import BILINGUAL, COLUMNS, KINDS

FORMAT = "victim-monitor-programme/1"

# YAML nesting: parent kind -> {key: (child kind, {child field: parent field})}.
_CHILDREN: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "programme": {
        "action_lines": ("action_line", {"programme": "code"}),
        "measures": ("measure", {"programme": "code"}),
    },
    "measure": {
        "history": ("measure_status", {"programme": "programme", "measure": "code"}),
        "milestones": ("milestone", {"programme": "programme", "measure": "code"}),
        "indicators": ("measure_indicator", {"programme": "programme", "measure": "code"}),
    },
    "edition": {"recommendations": ("recommendation", {"edition": "code"})},
    "recommendation": {
        "history": ("recommendation_status", {"edition": "edition", "recommendation": "number"}),
        "indicators": (
            "recommendation_indicator",
            {"edition": "edition", "recommendation": "number"},
        ),
    },
    "indicator": {"values": ("indicator_value", {"indicator": "code"})},
}
# Children written as a list of plain values: the value fills this field.
_SCALAR_CHILDREN = {"measure_indicator": "indicator", "recommendation_indicator": "indicator"}
_TOP = {"programmes": "programme", "editions": "edition", "indicators": "indicator"}


class _Loader(yaml.SafeLoader):
    """Safe loading that leaves dates as text, so a bad date is a located problem (VM605)
    rather than an exception from the YAML parser."""


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as written: its kind, raw values, and where each field is in the file."""

    kind: str
    values: dict[str, object]
    file: str
    row: int | None = None
    path: str | None = None
    names: dict[str, str] = field(default_factory=dict)
    # Fields whose problem reading already reported (a bilingual field that is not {nl, en}).
    reported: frozenset[str] = frozenset()

    def where(self, name: str | None = None) -> dict[str, Any]:
        """Keyword arguments locating this record (or one of its fields) in a problem."""
        if name is None:
            shown = self.path if self.row is None else None
        elif name in self.names or self.path is None:
            shown = self.names.get(name, name)
        elif name[:-3] in BILINGUAL[self.kind] and name.endswith(("_nl", "_en")):
            shown = f"{self.path}.{name[:-3]}.{name[-2:]}"
        else:
            shown = f"{self.path}.{name}"
        return {"file": self.file, "row": self.row, "field": shown}


def read_file(path: Path, log: ProblemLog) -> list[RawRecord]:
    """The raw records of a YAML (``.yaml``, ``.yml``) or CSV file; problems go to ``log``."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        log.add(FILE_UNREADABLE(f"cannot read the file: {exc.strerror}", file=name))
        return []
    except UnicodeDecodeError:
        log.add(FILE_UNREADABLE("the file is not UTF-8 text", file=name))
        return []
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_yaml(text, name, log)
    if suffix == ".csv":
        return read_csv(text, name, log)
    log.add(FILE_UNREADABLE(f"unknown file type {suffix!r}: use .yaml, .yml or .csv", file=name))
    return []


def read_yaml(text: str, file: str, log: ProblemLog) -> list[RawRecord]:
    """Records of the YAML form (safe loading: plain data only)."""
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = None if mark is None else mark.line + 1
        log.add(
            FILE_UNREADABLE(f"not valid YAML: {getattr(exc, 'problem', exc)}", file=file, row=row)
        )
        return []
    if not isinstance(data, dict):
        log.add(
            FILE_STRUCTURE(
                "the file must be a mapping with programmes, editions and indicators", file=file
            )
        )
        return []
    records: list[RawRecord] = []
    for key, value in data.items():
        if key == "format":
            if value != FORMAT:
                log.add(
                    BAD_VALUE(f"format must be {FORMAT!r}", file=file, field="format", value=value)
                )
        elif key in _TOP:
            records += _yaml_list(value, _TOP[key], str(key), {}, file, log)
        else:
            log.add(
                UNKNOWN_FIELD(
                    f"unknown top-level key; known: format, {', '.join(_TOP)}",
                    file=file,
                    field=str(key),
                )
            )
    return records


def _yaml_list(
    items: object,
    kind: str,
    path: str,
    inherited: dict[str, tuple[object, str]],
    file: str,
    log: ProblemLog,
) -> list[RawRecord]:
    if items is None:
        return []
    if not isinstance(items, list):
        log.add(FILE_STRUCTURE("expected a list", file=file, field=path))
        return []
    records: list[RawRecord] = []
    for i, item in enumerate(items):
        here = f"{path}[{i}]"
        if kind in _SCALAR_CHILDREN and not isinstance(item, (dict, list)):
            item = {_SCALAR_CHILDREN[kind]: item}
        if not isinstance(item, dict):
            log.add(
                FILE_STRUCTURE(
                    f"expected a mapping (a {kind.replace('_', ' ')})", file=file, field=here
                )
            )
            continue
        records += _yaml_record(item, kind, here, inherited, file, log)
    return records


def _yaml_record(
    item: dict[object, object],
    kind: str,
    path: str,
    inherited: dict[str, tuple[object, str]],
    file: str,
    log: ProblemLog,
) -> list[RawRecord]:
    fields = {f.name for f in KINDS[kind]}
    children = _CHILDREN.get(kind, {})
    values: dict[str, object] = {}
    names: dict[str, str] = {}
    for name, (value, where) in inherited.items():
        values[name], names[name] = value, where
    later: list[tuple[str, object]] = []
    reported: set[str] = set()
    for raw_key, value in item.items():
        key = str(raw_key)
        where = f"{path}.{key}"
        if key in children:
            later.append((key, value))
        elif key in BILINGUAL[kind]:
            if not isinstance(value, dict) or not set(map(str, value)) <= {"nl", "en"}:
                log.add(
                    BAD_VALUE(
                        "expected a mapping with nl and en", file=file, field=where, value=value
                    )
                )
                reported |= {f"{key}_nl", f"{key}_en"}
                continue
            for lang in ("nl", "en"):
                values[f"{key}_{lang}"] = value.get(lang)
                names[f"{key}_{lang}"] = f"{where}.{lang}"
        elif key in fields and key not in inherited:
            values[key], names[key] = value, where
        else:
            known = sorted((fields - set(inherited)) | BILINGUAL[kind] | set(children))
            known = [k for k in known if not k.endswith(("_nl", "_en"))]
            log.add(
                UNKNOWN_FIELD(
                    f"unknown field of a {kind.replace('_', ' ')}; known: {', '.join(known)}",
                    file=file,
                    field=where,
                )
            )
    record = RawRecord(kind, values, file, None, path, names, frozenset(reported))
    out = [record]
    for key, value in later:
        child_kind, links = children[key]
        passed = {
            child: (values.get(parent), names.get(parent, f"{path}.{parent}"))
            for child, parent in links.items()
        }
        out += _yaml_list(value, child_kind, f"{path}.{key}", passed, file, log)
    return out


def read_csv(text: str, file: str, log: ProblemLog) -> list[RawRecord]:
    """Records of the CSV form: a ``record`` column names each row's kind."""
    rows = _csv_rows(text, file, log)
    header = next(rows, None)
    if header is None:
        log.add(FILE_STRUCTURE("the file is empty", file=file))
        return []
    columns = [c.strip() for c in header]
    if "record" not in columns:
        log.add(FILE_STRUCTURE("the header has no 'record' column", file=file, row=1))
        return []
    if len(set(columns)) != len(columns):
        log.add(FILE_STRUCTURE("a column appears twice in the header", file=file, row=1))
        return []
    bad = [c for c in columns if c not in COLUMNS]
    for column in bad:
        log.add(UNKNOWN_FIELD("unknown column", file=file, row=1, field=column))
    if bad:
        return []
    records: list[RawRecord] = []
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            log.add(
                FILE_STRUCTURE(
                    f"{len(cells)} cells for {len(columns)} columns", file=file, row=number
                )
            )
            continue
        # unquote: what csvfile wrote before a formula-like cell (a programme export)
        values_in = (unquote(v).strip() for v in cells)
        row = {c: v for c, v in zip(columns, values_in, strict=True) if v}
        kind = row.pop("record", "")
        if kind not in KINDS:
            log.add(
                UNKNOWN_FIELD(
                    f"unknown record kind; known: {', '.join(KINDS)}",
                    file=file,
                    row=number,
                    field="record",
                    value=kind,
                )
            )
            continue
        fields = {f.name for f in KINDS[kind]}
        for column in sorted(set(row) - fields):
            log.add(
                UNKNOWN_FIELD(
                    f"a {kind.replace('_', ' ')} has no field {column!r}; leave it empty",
                    file=file,
                    row=number,
                    field=column,
                )
            )
        values: dict[str, object] = {k: v for k, v in row.items() if k in fields}
        records.append(RawRecord(kind, values, file, number, None, {}))
    return records


def _csv_rows(text: str, file: str, log: ProblemLog) -> Iterator[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as exc:
        log.add(FILE_UNREADABLE(f"not valid CSV: {exc}", file=file, row=reader.line_num))
