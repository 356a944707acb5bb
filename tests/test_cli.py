"""The command line, called in-process: thin commands, right exit codes, JSON for programs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.registry import factory
from victim_monitor.cli import main


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_import_then_status(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    good = factory.write_csv(tmp_path / "good.csv", factory.reports(12))
    code, out = _run("import", str(good), "--organisation", "ZC", "--database", db, "--json")
    assert code == 0
    assert json.loads(out)["rows"]["new"] == 12
    code, out = _run("import", str(good), "-o", "ZC", "--database", db)
    assert code == 0
    assert "duplicate" in out
    code, out = _run("status", "--database", db, "--json")
    status = json.loads(out)
    assert status["reports_by_year"] == {"2018": {"ZC": 12}}
    assert [s["outcome"] for s in status["submissions"]] == ["accepted", "duplicate"]


def test_rejected_import_exits_1_with_located_problems(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    rows = factory.reports(3)
    rows[1]["sex"] = "?"
    bad = factory.write_csv(tmp_path / "bad.csv", rows)
    code, out = _run("import", str(bad), "-o", "POL", "--database", db)
    assert code == 1
    assert "bad.csv:3: VM207 error [sex]" in out


def test_dry_run_and_database_from_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VICTIM_MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    good = factory.write_csv(tmp_path / "good.csv", factory.reports(2))
    code, out = _run("import", str(good), "-o", "POL", "--dry-run")
    assert code == 0
    assert "valid" in out
    assert (tmp_path / "env.db").exists()


def test_bad_database_setting_is_a_usage_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VICTIM_MONITOR_DATABASE_URL", "mysql://nope")
    code, out = _run("status")
    assert code == 2
    assert "VICTIM_MONITOR_DATABASE_URL" in out


def test_db_upgrade_reports_the_revision(tmp_path: Path) -> None:
    code, out = _run("db", "upgrade", "--database", f"sqlite:///{tmp_path / 'r.db'}")
    assert code == 0
    assert "revision 0001" in out
