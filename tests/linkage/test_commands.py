"""The ``link`` and ``review`` commands, in-process: options, messages, exit codes, JSON."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from tests.linkage.testbed import Submissions, import_files
from victim_monitor.cli import main
from victim_monitor.linkage import THRESHOLD, review_queue, sensitivity
from victim_monitor.linkage.sensitivity import THRESHOLDS
from victim_monitor.registry.register import open_register
from victim_monitor.storage.schema import linkage_runs, pair_decisions, person_reports, reports


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def register(tmp_path: Path, small: Submissions) -> tuple[str, Engine]:
    """A SQLite register holding the 2015 reports of the small population, not linked."""
    url = f"sqlite:///{tmp_path / 'register.db'}"
    engine = open_register(url)
    import_files(engine, small.files((2015,)))
    return url, engine


def _person_of(engine: Engine) -> dict[tuple[str, str], int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                person_reports.c.organisation_code,
                person_reports.c.case_reference,
                person_reports.c.person_id,
            )
        ).all()
    return {(o, c): int(p) for o, c, p in rows}


def test_link_sensitivity_prints_and_gives_json(
    register: tuple[str, Engine], small: Submissions
) -> None:
    url, engine = register
    assert _run("link", "--database", url)[0] == 0
    code, out = _run("link", "--sensitivity", "--database", url)
    assert code == 0
    assert "threshold" in out
    assert "2015" in out
    assert f"{THRESHOLD:.2f}" in out
    assert "not linked yet" not in out
    code, out = _run("link", "--sensitivity", "--json", "--database", url)
    assert code == 0
    data = json.loads(out)
    expected = sensitivity(engine)
    with engine.connect() as conn:
        own = conn.scalar(select(linkage_runs.c.threshold))
    assert data["thresholds"] == sorted({*THRESHOLDS, round(float(own), 4)})
    assert data["unlinked"] == 0
    assert data == json.loads(json.dumps(expected.as_dict(), default=str))
    # The table per year is the mse layout, and adds up to the persons of that year.
    for t in THRESHOLDS:
        for year, rows in data["histories"][str(t)].items():
            assert sum(r["count"] for r in rows) == data["persons_by_year"][str(t)][year]
            assert set(rows[0]) == {"P", "K", "I", "R", "O", "Z", "count"}
    # Reading links changes nothing in the register.
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(linkage_runs)) == 1
    # New reports that no run has seen are counted and pointed out.
    added = import_files(engine, small.files((2016,)))
    code, out = _run("link", "--sensitivity", "--thresholds", "0.9,0.6", "--database", url)
    assert code == 0
    assert f"{added:,} current reports are not linked yet" in out
    code, out = _run(
        "link", "--sensitivity", "--thresholds", "0.9,0.6", "--json", "--database", url
    )
    assert json.loads(out)["thresholds"] == [0.6, 0.9]
    assert json.loads(out)["unlinked"] == added


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sensitivity", "--full"), "links nothing"),
        (("--sensitivity", "--threshold", "0.7"), "links nothing"),
        (("--sensitivity", "--backend", "duckdb"), "links nothing"),
        (("--thresholds", "0.5"), "goes with --sensitivity"),
        (("--keep-model",), "--keep-model goes with --full"),
        (("--full", "--keep-model", "--retrain"), "cannot go with --keep-model"),
        (("--sensitivity", "--retrain"), "links nothing"),
        (("--full", "--force"), "--force goes with --retrain"),
        (("--sensitivity", "--thresholds", "0.5,x"), "--thresholds"),
        (("--sensitivity", "--thresholds", "0.01"), "thresholds must lie"),
        (("--backend", "oracle"), "'oracle' is not one of"),
    ],
)
def test_link_usage_errors_exit_2(
    register: tuple[str, Engine], args: tuple[str, ...], message: str
) -> None:
    code, out = _run("link", *args, "--database", register[0])
    assert code == 2
    assert message in out


def test_link_backend_spark_without_pyspark_says_what_to_install(
    register: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = register
    real = importlib.util.find_spec

    def without_pyspark(name: str, *args: Any) -> Any:
        return None if name == "pyspark" else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_pyspark)
    code, out = _run("link", "--backend", "spark", "--database", url)
    assert code == 1
    assert "pip install 'victim-monitor[spark]'" in out
    with engine.connect() as conn:  # refused before anything was read or written
        assert conn.scalar(select(func.count()).select_from(linkage_runs)) == 0
    code, out = _run("link", "--backend", "duckdb", "--json", "--database", url)
    assert code == 0
    assert json.loads(out)["mode"] == "full"
    code, out = _run("link", "--full", "--keep-model", "--json", "--database", url)
    assert code == 0
    assert json.loads(out)["model_source"] == "of run 1"


def test_link_full_keeps_the_model_and_retrain_replaces_it(register: tuple[str, Engine]) -> None:
    url, _ = register
    assert _run("link", "--database", url)[0] == 0
    code, out = _run("link", "--full", "--json", "--database", url)
    assert code == 0
    kept = json.loads(out)
    assert (kept["mode"], kept["model_source"], kept["retrained"]) == ("full", "of run 1", False)
    assert kept["changes"] == {}  # the same model on the same reports: the same persons
    code, out = _run("link", "--retrain", "--json", "--database", url)
    assert code == 0
    again = json.loads(out)
    # A retrain relinks everything; on a register this small the shipped model is taken.
    assert (again["mode"], again["model_source"]) == ("full", "shipped")
    code, out = _run("link", "--retrain", "--full", "--database", url)
    assert code == 0
    assert "model shipped" in out


def test_review_pair_shows_the_decision_history(register: tuple[str, Engine]) -> None:
    url, engine = register
    assert _run("link", "--database", url)[0] == 0
    pair = review_queue(engine)[0]
    code, out = _run("review", "show", str(pair.id), "--database", url)
    assert code == 0
    assert out.startswith(f"#{pair.id} [pending]")
    assert "no decision yet" in out
    for decision, who in (("--same", "A. Jansen"), ("--different", "B. Smit")):
        code, out = _run(
            "review", "decide", str(pair.id), decision, "--reviewer", who,
            "--reason", f"checked by {who}", "--database", url,
        )  # fmt: skip
        assert code == 0, out
    code, out = _run("review", "show", str(pair.id), "--database", url)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"#{pair.id} [different]")
    decided = [line for line in lines if line.strip().startswith("decided ")]
    assert len(decided) == 2
    assert "A. Jansen: same (was pending): checked by A. Jansen" in decided[0]
    assert "B. Smit: different (was same): checked by B. Smit" in decided[1]
    code, out = _run("review", "show", str(pair.id), "--json", "--database", url)
    history = json.loads(out)[0]["history"]
    assert [(h["decision"], h["replaces"], h["reviewer"]) for h in history] == [
        ("same", "pending", "A. Jansen"),
        ("different", "same", "B. Smit"),
    ]
    assert history[1]["replaces_id"] == history[0]["id"]
    code, out = _run("review", "show", "999999", "--database", url)
    assert code == 1
    assert "no pair #999999" in out
    code, out = _run("review", "decide", str(pair.id), "--reviewer", "C", "--database", url)
    assert code == 2
    assert "a decision needs --same or --different" in out


def test_the_first_releases_review_spellings_still_work_with_a_note(
    register: tuple[str, Engine],
) -> None:
    url, engine = register
    assert _run("link", "--database", url)[0] == 0
    pair = review_queue(engine)[0]
    result = CliRunner().invoke(main, ["review", "--pair", str(pair.id), "--database", url])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"#{pair.id} [pending]")
    assert "`review --pair` is now `review show N`" in result.stderr
    code, out = _run(
        "review", "--decide", str(pair.id), "--same", "--reviewer", "A", "--database", url
    )
    assert code == 0
    assert "recorded" in out
    assert "is now `review decide N`" in out
    code, out = _run("review", "--pair", "1", "--decide", "1", "--same", "--database", url)
    assert code == 2
    assert "--pair shows a pair" in out
    code, out = _run("review", "--database", url)  # the queue, as `review list`
    assert code == 0
    assert "pairs (pending)" in out


def test_review_decide_reports_splits_and_joins_at_the_next_link(
    register: tuple[str, Engine],
) -> None:
    url, engine = register
    assert _run("link", "--database", url)[0] == 0
    person = _person_of(engine)
    members: dict[int, list[tuple[str, str]]] = {}
    for report, p in sorted(person.items()):
        members.setdefault(p, []).append(report)
    a, b = next(group for group in members.values() if len(group) >= 2)[:2]
    c, d = sorted(person)[0], sorted(person)[-1]
    assert person[c] != person[d]
    code, out = _run(
        "review", "decide-reports", f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}", "--different",
        "--reviewer", "R. de Vries", "--reason", "case files differ", "--json", "--database", url,
    )  # fmt: skip
    assert code == 0, out
    decided = json.loads(out)[0]
    assert decided["status"] == "different"
    assert decided["reviewer"] == "R. de Vries"
    assert {(decided["organisation_l"], decided["case_reference_l"]),
            (decided["organisation_r"], decided["case_reference_r"])} == {a, b}  # fmt: skip
    code, out = _run(
        "review", "decide-reports", f"{c[0]}:{c[1]}", f"{d[0]}:{d[1]}", "--same",
        "--reviewer", "R. de Vries", "--database", url,
    )  # fmt: skip
    assert code == 0
    assert "recorded; the next victim-monitor link applies it" in out
    code, out = _run("review", "list", "--status", "different", "--database", url)
    assert "1 pairs (different)" in out
    assert _run("link", "--database", url)[0] == 0
    person = _person_of(engine)
    assert person[a] != person[b]
    assert person[c] == person[d]
    assert _run("link", "--full", "--database", url)[0] == 0
    person = _person_of(engine)
    assert person[a] != person[b]
    assert person[c] == person[d]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("decide-reports", "POL", "POL:2", "--same", "--reviewer", "r"), 2, "ORGANISATION:"),
        (("decide-reports", "POL:1", "POL:2", "--reviewer", "r"), 2, "--same or --different"),
        (("decide-reports", "POL:nope", "POL:nix", "--same", "--reviewer", "r"), 1, "no report"),
        (("list", "--same"), 2, "No such option"),
        # The first release's spellings, for one more release:
        (("--decide", "1", "--decide-reports", "POL:1", "POL:2", "--same"), 2, "not both"),
        (("--same",), 2, "go with a decision on a pair"),
    ],
)
def test_review_refuses_bad_decisions(
    register: tuple[str, Engine], args: tuple[str, ...], code: int, message: str
) -> None:
    url, engine = register
    assert _run("link", "--database", url)[0] == 0
    pending = review_queue(engine)
    got, out = _run("review", *args, "--database", url)
    assert got == code
    assert message in out
    assert review_queue(engine) == pending  # nothing was recorded
    decided = pair_decisions.c.status != "pending"
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(pair_decisions).where(decided)) == 0


def test_link_sensitivity_before_any_run_counts_every_report_as_unlinked(
    register: tuple[str, Engine],
) -> None:
    url, engine = register
    code, out = _run("link", "--sensitivity", "--json", "--database", url)
    assert code == 0
    data = json.loads(out)
    with engine.connect() as conn:
        current = select(func.count()).where(reports.c.is_current.is_(True))
        held = int(conn.scalar(current) or 0)
    assert data["unlinked"] == held > 0
    # With no links, every report is a person of its own at every threshold.
    counts = {json.dumps(row, sort_keys=True) for row in data["persons_by_year"].values()}
    assert len(counts) == 1
    assert sum(data["persons_by_year"]["0.8"].values()) == data["unlinked"]


def test_a_review_refusal_is_a_coded_problem_on_stderr(register: tuple[str, Engine]) -> None:
    url, _ = register
    text = CliRunner().invoke(main, ["review", "show", "99999", "--database", url])
    assert text.exit_code == 1
    assert text.stderr.startswith("VM331 error no pair #99999")  # printed once, by the group
    as_json = CliRunner().invoke(main, ["review", "show", "99999", "--json", "--database", url])
    assert as_json.exit_code == 1
    assert [p["code"] for p in json.loads(as_json.stderr)["problems"]] == ["VM331"]
