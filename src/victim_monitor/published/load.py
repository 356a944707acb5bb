"""Read a published directory back into a :class:`Publication`, checking every checksum."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from victim_monitor.published.codes import (
    CHECKSUM_MISMATCH,
    PUBLICATION_UNREADABLE,
    PublicationError,
)
from victim_monitor.published.model import (
    ESTIMATES_FORMAT,
    FINDINGS_FORMAT,
    FORMAT,
    TABLE_FORMAT,
    TRENDS_FORMAT,
    Finding,
    Publication,
    PublishedTable,
    Trend,
    YearEstimate,
    label_of,
)


def load_publication(directory: str | Path) -> Publication:
    """The publication in ``directory`` (written by ``victim-monitor publish``).

    Raises :class:`PublicationError` (VM740) when a file is missing or malformed, and VM745
    when a file differs from the checksum in ``manifest.json``.
    """
    root = Path(directory)
    manifest = _json(root, "manifest.json", FORMAT)
    try:
        mismatched = [
            name
            for name, digest in sorted(manifest["files"].items())
            if _sha256(root / name) != digest
        ]
        if mismatched:
            raise PublicationError(
                [CHECKSUM_MISMATCH("changed after publication", file=n) for n in mismatched]
            )
        tables = {}
        for entry in manifest["tables"]:
            raw = _json(root, str(entry["json"]), TABLE_FORMAT)
            tables[str(entry["name"])] = PublishedTable.from_dict(raw)
        estimates = _json(root, str(manifest["estimates"]), ESTIMATES_FORMAT)
        trends = _json(root, str(manifest["trends"]), TRENDS_FORMAT)
        findings = _json(root, str(manifest["findings"]), FINDINGS_FORMAT)
        return Publication(
            title=label_of(manifest["title"]),
            years=tuple(str(y) for y in manifest["years"]),
            snapshot=str(manifest["source"]["snapshot"]),
            policy=dict(manifest["policy"]),
            audit=dict(manifest["audit"]),
            counting={str(k): label_of(v) for k, v in manifest["counting"].items()},
            outcomes={str(k): label_of(v) for k, v in manifest["outcomes"].items()},
            tables=tables,
            estimates=tuple(YearEstimate.from_dict(e) for e in estimates["estimates"]),
            trends=tuple(Trend.from_dict(t) for t in trends["trends"]),
            findings=tuple(Finding.from_dict(f) for f in findings["findings"]),
            software=str(manifest.get("software", "")),
            source=dict(manifest["source"]),
            estimation={
                k: v
                for k, v in estimates.items()
                if k not in ("format", "estimates", "strata", "sensitivity")
            },
            stratum_estimates=tuple(YearEstimate.from_dict(e) for e in estimates.get("strata", [])),
            sensitivity=tuple(YearEstimate.from_dict(e) for e in estimates.get("sensitivity", [])),
            trend_level=float(trends["level"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, PublicationError):
            raise
        raise PublicationError(
            [PUBLICATION_UNREADABLE(f"{type(exc).__name__}: {exc}", file=str(root))]
        ) from exc


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise PublicationError([PUBLICATION_UNREADABLE(str(exc), file=str(path))]) from exc


def _json(root: Path, name: str, expected: str) -> dict[str, Any]:
    path = root / name
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PublicationError([PUBLICATION_UNREADABLE(str(exc), file=str(path))]) from exc
    if not isinstance(data, dict) or data.get("format") != expected:
        raise PublicationError(
            [PUBLICATION_UNREADABLE(f"not in the format {expected}", file=str(path))]
        )
    return data
