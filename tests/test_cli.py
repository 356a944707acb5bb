"""The command line, called in-process: thin commands, right exit codes, JSON for programs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.registry import factory
from victim_monitor.cli import main
from victim_monitor.storage.migrate import head_revision


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_import_then_status(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    good = factory.write_csv(tmp_path / "good.csv", factory.reports(12))
    first = CliRunner().invoke(
        main, ["import", str(good), "--organisation", "ZC", "--database", db, "--json"]
    )
    assert first.exit_code == 0
    assert json.loads(first.stdout)["rows"]["new"] == 12
    assert first.stderr == f"made a new register at {db}\n"  # import says so
    code, out = _run("import", str(good), "--organisation", "ZC", "--database", db)
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
    code, out = _run("import", str(bad), "--organisation", "POL", "--database", db)
    assert code == 1
    assert "bad.csv:3: VM207 error [sex]" in out


def test_repeated_problems_are_one_line_on_stderr(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    rows = [factory.report(i, sex="?") for i in range(457)]  # issue 15: 459 lines before
    bad = factory.write_csv(tmp_path / "bad.csv", rows)
    result = CliRunner().invoke(
        main, ["import", str(bad), "--organisation", "POL", "--database", db]
    )
    assert result.exit_code == 1
    assert "errors 457" in result.stdout
    assert "VM207" not in result.stdout
    lines = result.stderr.splitlines()
    assert lines[-1].startswith("bad.csv: VM207 error [sex]")
    assert lines[-1].endswith("(rows 2, 3, 4, 5, 6, ...: 457 times)")
    assert len(lines) == 2  # "made a new register", then the one kind of problem


def test_dry_run_and_database_from_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VICTIM_MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    good = factory.write_csv(tmp_path / "good.csv", factory.reports(2))
    code, out = _run("import", str(good), "--organisation", "POL", "--dry-run")
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
    assert f"revision {head_revision()}" in out


def test_estimate_prints_json_and_rejects_bad_tables(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text(
        "A,B,C,count\n1,0,0,50\n0,1,0,40\n0,0,1,30\n1,1,0,10\n1,0,1,8\n0,1,1,6\n", "utf-8"
    )
    code, out = _run("estimate", str(table), "--method", "main", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["observed"] == 144
    assert result["estimate"] > 144
    assert result["interval"]["low"] <= result["estimate"] <= result["interval"]["high"]
    fixed = CliRunner().invoke(
        main, ["estimate", str(table), "--method", "fixed", "--model", "A:B", "--json"]
    )
    assert fixed.exit_code == 0
    assert json.loads(fixed.stdout)["model"]["terms"] == ["A:B"]
    assert CliRunner().invoke(main, ["estimate", str(table), "--method", "fixed"]).exit_code == 2
    assert CliRunner().invoke(main, ["estimate", str(table), "--model", "A:B"]).exit_code == 2
    level = CliRunner().invoke(main, ["estimate", str(table), "--level", "95"])
    assert level.exit_code == 2
    assert "--level" in level.stderr
    table.write_text("A,B,count\n1,0,5\n0,1,-2\n", "utf-8")
    bad = CliRunner().invoke(main, ["estimate", str(table), "--json"])
    assert (bad.exit_code, bad.stdout) == (1, "")
    assert json.loads(bad.stderr)["problems"][0]["code"] == "VM506"
    code, out = _run("estimate", str(table))
    assert code == 1
    assert "VM506" in out


def test_link_and_review_on_a_small_register(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    rows = factory.reports(6)
    same_person = dict(rows[0], case_reference="OTHER-1")
    _run(
        "import",
        str(factory.write_csv(tmp_path / "a.csv", rows)),
        "--organisation",
        "POL",
        "--database",
        db,
    )
    _run(
        "import",
        str(factory.write_csv(tmp_path / "b.csv", [same_person])),
        "--organisation",
        "ZC",
        "--database",
        db,
    )
    code, out = _run("link", "--database", db, "--json")
    assert code == 0
    result = json.loads(out)
    assert result["reports"] == 7
    assert result["persons"] == 6  # the two reports with identical pseudonyms are one person
    code, out = _run("status", "--database", db, "--json")
    assert code == 0
    assert sum(json.loads(out)["linkage"]["persons_by_year"].values()) == 6
    code, out = _run("review", "--database", db)
    assert code == 0
    assert "pairs (pending)" in out
    code, out = _run("review", "decide", "999", "--same", "--reviewer", "r", "--database", db)
    assert code == 1
    assert "no pair #999" in out


def test_starting_the_command_imports_no_stage() -> None:
    """``--version`` and ``--help`` load click and rich only: no SciPy, pandas or stage (issue 15:
    the estimation stage was imported for the ``--method`` choices, 2-4 s at every start)."""
    probe = (
        "import sys; from victim_monitor.cli import main\n"
        "for args in (['--version'], ['--help'], ['publish', '--help'], ['serve', '--help'],\n"
        "             ['factsheet', '--help']):\n"
        "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
        "heavy = ('scipy', 'pandas', 'numpy', 'sqlalchemy', 'fastapi', 'altair',\n"
        "         'victim_monitor.estimation')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert found[-1] == "[]"


def test_an_unknown_estimation_method_is_refused_with_the_choices() -> None:
    result = CliRunner().invoke(main, ["estimate", "table.csv", "--method", "nope"])
    assert result.exit_code == 2
    assert "'nope' is not one of 'stepwise'" in result.output
    assert "latent-class" in result.output


def _stopped(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_database_address_that_is_not_one_is_a_coded_problem(tmp_path: Path) -> None:
    code, out, err = _stopped("status", "--database", str(tmp_path / "reg.db"))
    assert (code, out) == (2, "")
    assert err.startswith("VM901 error")
    assert "write sqlite:/// before it" in err
    code, out, err = _stopped("status", "--database", "mysql://someone:pw@host/db", "--json")
    assert (code, out) == (2, "")
    problem = json.loads(err)["problems"][0]
    assert problem["code"] == "VM901"
    assert "mysql is not supported" in problem["message"]
    assert "pw" not in err


def test_a_mistyped_register_is_not_made_anew(tmp_path: Path) -> None:
    typo = tmp_path / "typo.db"
    code, _out, err = _stopped("status", "--database", f"sqlite:///{typo}")
    assert code == 2
    assert err.startswith("VM903 error")
    assert "victim-monitor db upgrade" in err
    assert not typo.exists()
    code, _out, err = _stopped("serve", "--database", f"sqlite:///{typo}", "--port", "1")
    assert (code, err.split()[0]) == (2, "VM903")
    code, _out, err = _stopped("link", "--database", f"sqlite:///{typo}", "--json")
    assert json.loads(err)["problems"][0]["code"] == "VM903"
    assert not typo.exists()


def test_a_database_that_cannot_be_opened_is_a_coded_problem(tmp_path: Path) -> None:
    good = factory.write_csv(tmp_path / "good.csv", factory.reports(3))
    missing = f"sqlite:///{tmp_path / 'no' / 'such' / 'r.db'}"
    code, _out, err = _stopped("import", str(good), "--organisation", "ZC", "--database", missing)
    assert code == 2
    assert err.startswith("VM902 error")
    assert "does its directory exist" in err
    refused = "postgresql://postgres:hunter2@127.0.0.1:1/test"  # nothing listens on port 1
    code, _out, err = _stopped("status", "--database", refused, "--json")
    assert code == 2
    problem = json.loads(err)["problems"][0]
    assert problem["code"] == "VM902"
    assert "hunter2" not in err
    assert "postgres:***@127.0.0.1:1/test" in problem["message"]


def test_the_demo_refuses_a_register_that_holds_submissions(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    good = factory.write_csv(tmp_path / "good.csv", factory.reports(3))
    assert _run("import", str(good), "--organisation", "ZC", "--database", db)[0] == 0
    args = ("demo", "--scale", "0.1", "--no-serve", "--out", str(tmp_path / "out"), "--database")
    code, _out, err = _stopped(*args, db)
    assert code == 2
    assert err.startswith("VM904 error")
    assert "holds 1 submissions" in err
    assert not (tmp_path / "out" / "raw").exists()  # stopped before generating anything


def test_the_demo_resets_a_register_when_asked(tmp_path: Path) -> None:
    from victim_monitor.demo import run_demo
    from victim_monitor.registry.status import register_status
    from victim_monitor.storage import connect

    db = f"sqlite:///{tmp_path / 'r.db'}"
    good = factory.write_csv(tmp_path / "good.csv", factory.reports(3))
    assert _run("import", str(good), "--organisation", "ZC", "--database", db)[0] == 0
    # One year: enough to show the reset, without the five years' factsheet (PDF) to build.
    result = run_demo(tmp_path / "out", database_url=db, scale=0.05, years=(2018,), reset=True)
    engine = connect(db)
    # the earlier import is gone: the demo's submissions only
    assert len(register_status(engine).as_dict()["submissions"]) == len(result.intake)
    engine.dispose()


def test_settings_from_a_config_file_below_the_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os

    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.delenv("VICTIM_MONITOR_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "victim-monitor.toml").write_text('database_url = "sqlite:///from-file.db"\n')
    code, out = _run("db", "upgrade")  # ./victim-monitor.toml, found by itself
    assert code == 0
    assert (tmp_path / "from-file.db").exists()
    other = tmp_path / "other.toml"
    other.write_text('database_url = "sqlite:///other.db"\nsecure_cookies = true\n')
    monkeypatch.setenv("VICTIM_MONITOR_DATABASE_URL", "sqlite:///from-env.db")
    assert _run("--config", str(other), "db", "upgrade")[0] == 0
    assert (tmp_path / "from-env.db").exists()  # the environment wins over the file
    assert not (tmp_path / "other.db").exists()
    assert os.environ["VICTIM_MONITOR_SECURE_COOKIES"] == "1"
    other.write_text('databse_url = "sqlite:///typo.db"\n')
    code, out = _run("--config", str(other), "status")
    assert code == 2
    assert "unknown setting 'databse_url'" in out


def test_quiet_leaves_only_results(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    good = factory.write_csv(tmp_path / "good.csv", factory.reports(3))
    args = ["import", str(good), "--organisation", "ZC", "--database", db]
    result = CliRunner().invoke(main, ["--quiet", *args])
    assert result.exit_code == 0
    assert result.stderr == ""  # no "made a new register" note
    assert "new 3" in result.stdout
    both = CliRunner().invoke(main, ["--quiet", "--verbose", "status", "--database", db])
    assert both.exit_code == 2


def test_status_lists_the_organisation_codes_and_link_says_import_first(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'r.db'}"
    assert _run("db", "upgrade", "--database", db)[0] == 0
    code, out = _run("status", "--database", db)
    assert code == 0
    assert "  POL    National Police (Nationale Politie), list P" in out  # where VM301 points
    empty = CliRunner().invoke(main, ["link", "--database", db, "--json"])
    assert (empty.exit_code, empty.stdout) == (1, "")
    problem = json.loads(empty.stderr)["problems"][0]
    assert problem["code"] == "VM305"
    assert "import submissions first" in problem["message"]


def test_the_lazy_commands_are_listed_as_they_describe_themselves() -> None:
    import click

    from victim_monitor.cli.group import LazyGroup

    ctx = click.Context(main)
    for name in LazyGroup.LAZY:
        command = main.get_command(ctx, name)
        assert command is not None
        said = LazyGroup.SHORT_HELP.get(name, f"(no line in SHORT_HELP for {name!r})")
        assert said == command.get_short_help_str(300), name
    listed = CliRunner().invoke(main, ["--help"]).output
    assert "Publish protected tables" in listed
    assert "keygen" in listed


def test_every_failure_under_json_is_json(tmp_path: Path) -> None:
    usage = CliRunner().invoke(main, ["estimate", "t.csv", "--level", "5", "--json"])
    assert (usage.exit_code, usage.stdout) == (2, "")
    problem = json.loads(usage.stderr)["problems"][0]
    assert problem["code"] is None  # click's own check: no code, but the same shape
    assert "--level" in problem["message"]
    db = f"sqlite:///{tmp_path / 'r.db'}"
    assert _run("db", "upgrade", "--database", db)[0] == 0
    args = ["publish", "--years", "20x", "--out", str(tmp_path / "p"), "--database", db, "--json"]
    failed = CliRunner().invoke(main, args)
    assert (failed.exit_code, failed.stdout) == (1, "")
    assert json.loads(failed.stderr) == {
        "ok": False,
        "problems": [
            {"code": "VM741", "severity": "error", "file": None, "row": None, "field": None,
             "value": None, "message": "'20x': expected YYYY or YYYY-YYYY"}
        ],
    }  # fmt: skip
    text = CliRunner().invoke(main, args[:-1])
    assert text.exit_code == 1
    assert "VM741" in text.stderr


@pytest.mark.parametrize("command", [["factsheet"], ["synthetic", "--out", "x"]])
def test_a_reversed_year_range_is_the_same_coded_error_in_every_command(
    command: list[str], tmp_path: Path
) -> None:
    # Before: an empty range in factsheet and synthetic, VM741 in publish.
    result = CliRunner().invoke(main, [*command, "--years", "2018-2014"])
    assert result.exit_code == 1
    assert "VM741" in result.stderr
