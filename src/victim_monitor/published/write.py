"""Write a :class:`Publication` as files, deterministically, all or nothing.

Files go to a temporary directory beside ``out`` which then replaces it, so a failed run
leaves an existing publication as it was. Same publication, same bytes: sorted keys, fixed
order, ``\\n`` line ends, no timestamps. Beside the CSV and JSON files: the open-data formats
(``datapackage.json``, ``tables.xlsx``, ``sdmx/*.csv``), made from the same values.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from victim_monitor.csvfile import to_text
from victim_monitor.published.codes import OUTPUT_UNWRITABLE, PublicationError
from victim_monitor.published.datapackage import data_package
from victim_monitor.published.model import (
    ESTIMATES_FORMAT,
    FINDINGS_FORMAT,
    FORMAT,
    TRENDS_FORMAT,
    Publication,
    PublishedTable,
    label_dict,
)
from victim_monitor.published.sdmx import DATAFLOWS, sdmx_files
from victim_monitor.published.workbook import workbook

ESTIMATE_COLUMNS = (
    "year", "registered", "estimate", "low", "high", "interval_method", "coverage",
    "coverage_low", "coverage_high", "model", "warnings", "not_estimable", "basis",
)  # fmt: skip
TREND_COLUMNS = (
    "id", "table", "key", "from", "to", "from_value", "to_value", "ratio", "low", "high",
    "change", "direction",
)  # fmt: skip


def dumps(data: Any) -> str:
    """The one JSON encoding of every published file."""
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def table_csv(table: PublishedTable) -> str:
    rows = [[*c.key, "" if c.value is None else str(c.value), c.outcome] for c in table.cells]
    if any(c.source for c in table.cells):  # made from published figures: a source per cell
        rows = [[*row, c.source] for row, c in zip(rows, table.cells, strict=True)]
        return _csv([*table.dimensions, "value", "outcome", "source"], rows)
    return _csv([*table.dimensions, "value", "outcome"], rows)


def files(pub: Publication) -> dict[str, str | bytes]:
    """Every file of the publication, by relative path, manifest last (text, or bytes)."""
    out: dict[str, str | bytes] = {}
    entries = []
    for name in sorted(pub.tables):
        table = pub.tables[name]
        out[f"tables/{name}.json"] = dumps(table.to_dict())
        out[f"tables/{name}.csv"] = table_csv(table)
        entries.append(
            {
                "name": name,
                "title": label_dict(table.title),
                "json": f"tables/{name}.json",
                "csv": f"tables/{name}.csv",
            }
        )
    estimates = [e.to_dict() for e in pub.estimates]
    # A publication made from published figures names each figure's source: one more column.
    sourced = any("source" in e for e in estimates)
    estimate_columns = ESTIMATE_COLUMNS + (("source",) if sourced else ())
    out["estimates.json"] = dumps(
        {
            **pub.estimation,
            "format": ESTIMATES_FORMAT,
            "estimates": estimates,
            "strata": [e.to_dict() for e in pub.stratum_estimates],
            "sensitivity": [e.to_dict() for e in pub.sensitivity],
        }
    )
    out["estimates.csv"] = _csv(
        estimate_columns,
        [[_estimate_field(e, c) for c in estimate_columns] for e in estimates],
    )
    if pub.sensitivity:
        others = [e.to_dict() for e in pub.sensitivity]
        out["estimates-sensitivity.csv"] = _csv(
            ("method", *ESTIMATE_COLUMNS),
            [[_estimate_field(e, c) for c in ("method", *ESTIMATE_COLUMNS)] for e in others],
        )
    trends = [t.to_dict() for t in pub.trends]
    out["trends.json"] = dumps(
        {"format": TRENDS_FORMAT, "level": pub.trend_level, "trends": trends}
    )
    trend_columns = TREND_COLUMNS + (("source",) if any("source" in t for t in trends) else ())
    out["trends.csv"] = _csv(trend_columns, [_trend_row(t, trend_columns) for t in trends])
    out["findings.json"] = dumps(
        {"format": FINDINGS_FORMAT, "findings": [f.to_dict() for f in pub.findings]}
    )
    sdmx = sdmx_files(pub)
    out.update(sdmx)
    csvs = {k: v for k, v in out.items() if k.endswith(".csv") and isinstance(v, str)}
    out["datapackage.json"] = dumps(data_package(pub, csvs))
    out["tables.xlsx"] = workbook(pub)
    manifest = {
        "format": FORMAT,
        "title": label_dict(pub.title),
        "years": list(pub.years),
        "source": dict(pub.source) or {"snapshot": pub.snapshot},
        "policy": dict(pub.policy),
        "audit": dict(pub.audit),
        "counting": {k: label_dict(v) for k, v in pub.counting.items()},
        "outcomes": {k: label_dict(v) for k, v in pub.outcomes.items()},
        "tables": entries,
        "estimates": "estimates.json",
        "trends": "trends.json",
        "findings": "findings.json",
        "datapackage": "datapackage.json",
        "workbook": "tables.xlsx",
        "sdmx": [
            {"dataflow": f.dataflow, "table": f.table, "csv": f.path}
            for f in DATAFLOWS
            if f.path in sdmx
        ],
        "files": {k: hashlib.sha256(_bytes(v)).hexdigest() for k, v in out.items()},
        "software": pub.software,
    }
    out["manifest.json"] = dumps(manifest)
    return out


def _estimate_field(estimate: dict[str, Any], column: str) -> str:
    value = estimate.get(column)
    if column == "warnings":
        return ";".join(value or ())
    if column == "not_estimable":
        return "" if value is None else str(value["code"])
    return _text(value)


def write_publication(pub: Publication, out: str | Path) -> Path:
    """Write ``pub`` to the directory ``out`` (replacing it), atomically."""
    target = Path(out)
    contents = files(pub)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; a publication is for everyone
        try:
            for rel, text in contents.items():
                path = staging / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(_bytes(text))
            if target.exists():
                old = target.with_name(f".{target.name}-old")
                shutil.rmtree(old, ignore_errors=True)
                target.rename(old)
                staging.rename(target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise PublicationError([OUTPUT_UNWRITABLE(str(exc), file=str(target))]) from exc
    return target


def _csv(header: Any, rows: list[list[str]]) -> str:
    # Through the one spreadsheet-safe writer: a label or key that starts like a formula is
    # quoted; the numbers (counts, ratios, a negative change) are written as they are.
    return to_text(header, rows)


def _bytes(content: str | bytes) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _trend_row(t: dict[str, Any], columns: tuple[str, ...] = TREND_COLUMNS) -> list[str]:
    key = ";".join(f"{d}={c}" for d, c in t["key"].items())
    row = {**t, "key": key, "from": "+".join(t["from"]), "to": "+".join(t["to"])}
    return [_text(row.get(c)) for c in columns]
