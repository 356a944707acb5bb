"""One storage seam: outside ``storage/`` no module asks which database it runs on."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "victim_monitor"
# Asking the dialect or the URL's backend, or using storage's private begin option.
ASKS = re.compile(r"dialect\.name|get_backend_name\(|sqlite_begin")
# Backups are per database by nature (SQLite's backup API, pg_dump and pg_restore): known
# exception, docs/architecture.md.
KNOWN = {"exchange/backups.py"}


def test_only_storage_branches_on_the_database() -> None:
    asking = {
        path.relative_to(SRC).as_posix()
        for path in SRC.rglob("*.py")
        if "storage" not in path.relative_to(SRC).parts[:1] and ASKS.search(path.read_text("utf-8"))
    }
    assert asking == KNOWN
