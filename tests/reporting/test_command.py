"""``victim-monitor factsheet`` in-process: files written, problems shown, exit codes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.reporting.test_editorial import _editorial_dir, _intro
from victim_monitor.cli import main


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_writes_the_files_and_prints_their_paths(published_dir: Path, tmp_path: Path) -> None:
    code, out = _run("factsheet", "--lang", "en", "--out", str(tmp_path),
                     "--published", str(published_dir))  # fmt: skip
    assert code == 0, out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["factsheet-2014-2018-en.html", "factsheet-2014-2018-en.pdf"]
    for name in names:
        assert str(tmp_path / name) in out


def test_other_years_than_published_exit_1(published_dir: Path, tmp_path: Path) -> None:
    code, out = _run("factsheet", "--years", "2015-2018", "--out", str(tmp_path),
                     "--published", str(published_dir))  # fmt: skip
    assert code == 1
    assert "VM806" in out
    assert list(tmp_path.iterdir()) == []


def test_a_wrong_number_exits_1_naming_file_and_sentence(
    published_dir: Path, tmp_path: Path
) -> None:
    editorial = _editorial_dir(tmp_path / "text", _intro("Er waren 674 slachtoffers."))
    out_dir = tmp_path / "out"
    code, out = _run("factsheet", "--out", str(out_dir), "--published", str(published_dir),
                     "--editorial", str(editorial))  # fmt: skip
    assert code == 1
    assert "VM802" in out
    assert "factsheet-2014-2018.nl.md" in out
    assert "Er waren 674 slachtoffers." in out
    assert not out_dir.exists()


def test_a_missing_publication_exits_1(tmp_path: Path) -> None:
    code, out = _run("factsheet", "--out", str(tmp_path))
    assert code == 1
    assert "VM806" in out


def test_followup_adds_the_programme_section(published_dir: Path, tmp_path: Path) -> None:
    from victim_monitor.programme import import_example
    from victim_monitor.registry.register import open_register

    db = f"sqlite:///{tmp_path / 'register.db'}"
    engine = open_register(db)
    assert import_example(engine).ok
    engine.dispose()
    out_dir = tmp_path / "out"
    code, out = _run("factsheet", "--lang", "nl", "--out", str(out_dir), "--published",
                     str(published_dir), "--followup", "2014-2018", "--database", db)  # fmt: skip
    assert code == 0, out
    page = (out_dir / "factsheet-2014-2018-nl.html").read_text("utf-8")
    assert "Opvolging van de aanbevelingen 2014-2018" in page
    assert page.count("<li>") >= 5 + 5  # the five recommendations and their follow-up
    code, out = _run("factsheet", "--out", str(out_dir), "--published", str(published_dir),
                     "--followup", "1999-2003", "--database", db)  # fmt: skip
    assert code == 2
    assert "1999-2003" in out


def test_a_followup_recorded_in_the_workspace_is_in_the_section(tmp_path: Path) -> None:
    """Without an imported response, the section gives the latest recorded follow-up."""
    from datetime import date

    from victim_monitor.programme import followup, import_example, record_followup
    from victim_monitor.registry.register import open_register
    from victim_monitor.reporting.followup import followup_section
    from victim_monitor.vocab import Label

    engine = open_register(f"sqlite:///{tmp_path / 'register.db'}")
    assert import_example(engine).ok
    before = followup_section(followup(engine, "2014-2018"), "en").markdown
    # Nothing recorded yet: no list of five "Open" items, but that the follow-up starts here.
    assert "Open" not in before
    assert "follow-up is recorded from now on" in before
    evidence = Label("Kabinetsreactie: overgenomen.", "Cabinet response: accepted.")
    result = record_followup(
        engine, "2014-2018", 2, "in_progress", evidence, on=date(2020, 3, 1), by="analist"
    )
    assert result.ok
    after = followup_section(followup(engine, "2014-2018"), "en").markdown
    engine.dispose()
    assert after.count("No response has been registered yet.") == 4
    assert "Cabinet response: accepted. (latest follow-up, 2020-03-01)" in after
