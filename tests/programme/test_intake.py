"""Import writes what a file states, all or nothing, idempotently; on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select

from victim_monitor.programme.export import to_csv, to_yaml
from victim_monitor.programme.intake import import_programme
from victim_monitor.programme.store import load
from victim_monitor.storage.schema import (
    measure_history,
    measure_milestones,
    programme_imports,
    programme_measures,
    recommendations,
)


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def _status(engine: Engine, code: str) -> str:
    with engine.connect() as conn:
        q = select(programme_measures.c.status).where(programme_measures.c.code == code)
        return str(conn.scalar(q))


def test_example_imports_and_a_repeat_changes_nothing(engine: Engine, example: Path) -> None:
    first = import_programme(engine, example)
    assert first.outcome == "accepted", first.summary()
    assert first.counts["measures"]["added"] == 5
    assert first.counts["recommendations"]["added"] == 5
    assert first.counts["action lines"]["added"] == 5
    assert _status(engine, "VB-01") == "implemented"  # the latest of three changes
    assert _status(engine, "VB-05") == "stopped"
    with engine.connect() as conn:
        assert set(conn.scalars(select(recommendations.c.status))) == {"open"}
    before = load(engine)
    again = import_programme(engine, example)
    assert again.outcome == "unchanged", again.summary()
    assert load(engine) == before
    with engine.connect() as conn:
        outcomes = list(
            conn.scalars(select(programme_imports.c.outcome).order_by(programme_imports.c.id))
        )
    assert outcomes == ["accepted", "unchanged"]


def test_export_then_import_is_a_round_trip(engine: Engine, example: Path, tmp_path: Path) -> None:
    import_programme(engine, example)
    doc = load(engine)
    for name, text in (("p.yaml", to_yaml(doc)), ("p.csv", to_csv(doc))):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        result = import_programme(engine, path)
        assert result.outcome == "unchanged", (name, result.summary())
    assert load(engine) == doc


def test_csv_export_rebuilds_the_register_elsewhere(
    engine: Engine, example: Path, tmp_path: Path
) -> None:
    from victim_monitor.storage import connect, upgrade

    import_programme(engine, example)
    path = tmp_path / "p.csv"
    path.write_text(to_csv(load(engine)), encoding="utf-8")
    other = connect(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    assert import_programme(other, path).outcome == "accepted"
    assert load(other) == load(engine)
    other.dispose()


def test_one_bad_record_writes_nothing(engine: Engine, example: Path, tmp_path: Path) -> None:
    text = example.read_text("utf-8").replace("planned_end: 2021-12-31", "planned_end: 2021-13-31")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    result = import_programme(engine, bad)
    assert result.outcome == "rejected"
    assert [p.code for p in result.problems] == ["VM605"]
    assert result.problems[0].field == "programmes[0].measures[3].planned_end"
    assert _count(engine, programme_measures) == 0
    assert _count(engine, recommendations) == 0
    with engine.connect() as conn:
        logged = conn.execute(
            select(programme_imports.c.outcome, programme_imports.c.problems)
        ).one()
    assert logged.outcome == "rejected"
    assert logged.problems[0]["code"] == "VM605"


def test_dry_run_checks_but_writes_nothing(engine: Engine, example: Path) -> None:
    result = import_programme(engine, example, dry_run=True)
    assert result.outcome == "accepted"
    assert result.dry_run
    assert _count(engine, programme_measures) == 0
    assert _count(engine, programme_imports) == 0


HEADER = "record,programme,measure,code,date,status,evidence_nl,evidence_en,title_nl,title_en,due\n"


def test_a_small_csv_adds_to_a_registered_measure(
    engine: Engine, example: Path, tmp_path: Path
) -> None:
    import_programme(engine, example)
    update = tmp_path / "update.csv"
    update.write_text(
        HEADER + "measure_status,samen-tegen-mensenhandel,VB-02,,2021-07-01,implemented,"
        '"Afgerond, zie verslag","Done, see report",,,\n'
        + "milestone,samen-tegen-mensenhandel,VB-02,MS3,,,,,Evaluatie,Evaluation,2022-01-31\n",
        encoding="utf-8",
    )
    result = import_programme(engine, update)
    assert result.outcome == "accepted", result.summary()
    assert _status(engine, "VB-02") == "implemented"
    # The measure was not restated, so its other milestones stay.
    with engine.connect() as conn:
        codes = set(
            conn.scalars(
                select(measure_milestones.c.code)
                .join(programme_measures)
                .where(programme_measures.c.code == "VB-02")
            )
        )
    assert codes == {"MS1", "MS2", "MS3"}


def test_history_is_append_only_and_a_restated_measure_loses_dropped_milestones(
    engine: Engine, example: Path, tmp_path: Path
) -> None:
    import_programme(engine, example)
    changes = _count(engine, measure_history)
    text = example.read_text("utf-8")
    # Drop VB-01's last status change and its milestone from the file.
    start = text.index("          - date: 2019-12-15")
    end = text.index("        indicators: [minors-domestic-sexual")
    trimmed = tmp_path / "trimmed.yaml"
    trimmed.write_text(text[:start] + text[end:], encoding="utf-8")
    result = import_programme(engine, trimmed)
    assert result.outcome == "accepted", result.summary()
    assert result.counts["milestones"]["removed"] == 1
    assert _count(engine, measure_history) == changes  # nothing removed from the history
    assert _status(engine, "VB-01") == "implemented"


def test_changed_evidence_is_corrected_not_duplicated(
    engine: Engine, example: Path, tmp_path: Path
) -> None:
    import_programme(engine, example)
    changes = _count(engine, measure_history)
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(
        example.read_text("utf-8").replace(
            "Example: final report.", "Example: final report (2019)."
        ),
        encoding="utf-8",
    )
    result = import_programme(engine, fixed)
    assert result.counts["status changes"] == {"added": 0, "changed": 1, "removed": 0}
    assert _count(engine, measure_history) == changes


def test_concurrent_imports_of_the_same_file_write_it_once(engine: Engine, example: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: import_programme(engine, example), range(4)))
    assert sorted(r.outcome for r in results) == ["accepted", "unchanged", "unchanged", "unchanged"]
    assert _count(engine, programme_measures) == 5
    assert _count(engine, measure_history) == 11
