"""``victim-monitor programme import|export|show``, in-process."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from victim_monitor.cli import main


def test_import_export_show(tmp_path: Path, example: Path) -> None:
    runner = CliRunner()
    db = ["--database", f"sqlite:///{tmp_path / 'r.db'}"]
    first = runner.invoke(main, ["programme", "import", str(example), *db])
    assert first.exit_code == 0, first.output
    assert "imported" in first.output
    again = runner.invoke(main, ["programme", "import", str(example), *db, "--json"])
    assert json.loads(again.output)["outcome"] == "unchanged"
    out = tmp_path / "p.csv"
    exported = runner.invoke(
        main, ["programme", "export", "--format", "csv", "--out", str(out), *db]
    )
    assert exported.exit_code == 0, exported.output
    assert out.read_text("utf-8").startswith("record,")
    yaml_out = runner.invoke(main, ["programme", "export", *db])
    assert "format: victim-monitor-programme/1" in yaml_out.output
    shown = runner.invoke(main, ["programme", "show", *db, "--json"])
    data = json.loads(shown.output)
    assert data["editions"][0]["code"] == "2014-2018"
    text = runner.invoke(main, ["programme", "show", *db])
    assert "Together against human trafficking" in text.output


def test_a_bad_file_exits_1_with_coded_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("record,code,year\nprogramme,P,20x8\n", encoding="utf-8")
    runner = CliRunner()
    db = ["--database", f"sqlite:///{tmp_path / 'r.db'}"]
    result = runner.invoke(main, ["programme", "import", str(bad), *db])
    assert result.exit_code == 1
    assert "bad.csv:2: VM605 error [year]" in result.output
    assert "VM604" in result.output  # the missing titles
    dry = runner.invoke(main, ["programme", "import", str(bad), "--dry-run", *db, "--json"])
    assert json.loads(dry.output)["outcome"] == "rejected"


def test_record_a_status_change_and_a_follow_up(tmp_path: Path, example: Path) -> None:
    runner = CliRunner()
    db = ["--database", f"sqlite:///{tmp_path / 'r.db'}"]
    runner.invoke(main, ["programme", "import", str(example), *db])
    evidence = ["--evidence-nl", "Wet aangenomen", "--evidence-en", "Act passed", "--by", "tester"]
    done = runner.invoke(
        main,
        ["programme", "measure-status", "samen-tegen-mensenhandel", "VB-03", "running",
         "--date", "2019-02-01", *evidence, *db],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    followed = runner.invoke(
        main, ["programme", "follow-up", "2014-2018", "2", "in_progress", *evidence, *db, "--json"]
    )
    assert json.loads(followed.output)["outcome"] == "accepted"
    shown = json.loads(runner.invoke(main, ["programme", "show", *db, "--json"]).output)
    line = next(a for a in shown["programmes"][0]["action_lines"] if a["code"] == "AL2")
    assert line["measures"][0]["status"] == "running"
    assert shown["editions"][0]["recommendations"][1]["status"] == "in_progress"
    assert shown["editions"][0]["recommendations"][1]["history"][0]["recorded_by"] == "tester"
    bad = runner.invoke(main, ["programme", "follow-up", "2014-2018", "9", "done", *evidence, *db])
    assert bad.exit_code == 1
    assert "VM605" in bad.output  # 'done' is not a follow-up status
    assert "VM607" not in bad.output  # a bad record is not also reported as a bad reference
