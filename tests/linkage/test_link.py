"""Linking the register into persons, in full and incrementally, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from tests.linkage.testbed import Submissions, import_files
from victim_monitor.linkage import (
    ConcurrentRunError,
    LinkResult,
    capture_histories,
    last_quality,
    link_register,
    linkage_status,
    persons_per_year,
    reports_per_person,
)
from victim_monitor.linkage.changes import ChangeCounts
from victim_monitor.linkage.model import Model
from victim_monitor.linkage.store import check_unchanged, read_state
from victim_monitor.storage.schema import (
    linkage_runs,
    organisations,
    person_changes,
    person_reports,
    persons,
    report_links,
    reports,
)


def _membership(engine: Engine) -> pd.DataFrame:
    query = select(
        person_reports.c.organisation_code,
        person_reports.c.case_reference,
        person_reports.c.report_id,
        person_reports.c.person_id,
        reports.c.is_current,
        organisations.c.estimation_list,
    ).join_from(person_reports, reports, reports.c.id == person_reports.c.report_id)
    query = query.join(organisations, organisations.c.code == person_reports.c.organisation_code)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=list(query.selected_columns.keys()))


def _person_by_report(engine: Engine) -> dict[tuple[str, str], int]:
    member = _membership(engine)
    return {
        (o, c): int(p)
        for o, c, p in zip(
            member["organisation_code"], member["case_reference"], member["person_id"], strict=True
        )
    }


def _persons(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(persons)).all()
    return pd.DataFrame(rows, columns=list(persons.c.keys())).set_index("id")


def _current(engine: Engine) -> int:
    with engine.connect() as conn:
        count = conn.scalar(select(func.count()).where(reports.c.is_current.is_(True)))
    return int(count or 0)


def test_an_empty_register_links_to_nothing(engine: Engine) -> None:
    result = link_register(engine)
    assert result.mode == "nothing"
    assert result.persons == 0
    assert persons_per_year(engine) == {}
    assert "not run yet" in linkage_status(engine).summary()


def test_full_link_places_every_current_report_in_one_person(
    engine: Engine, small: Submissions
) -> None:
    import_files(engine, small.files())
    result = link_register(engine)
    assert result.mode == "full"
    assert result.model_source == "shipped"  # a few hundred reports: too few to train on
    member = _membership(engine)
    people = _persons(engine)
    assert len(member) == _current(engine) == result.reports
    assert member["is_current"].all()
    active = people[people["status"] == "active"]
    assert set(member["person_id"]) == set(active.index)
    assert active["n_reports"].sum() == len(member)
    assert len(active) == result.persons == sum(persons_per_year(engine).values())
    assert result.persons < result.reports  # some persons were reported more than once
    # The capture history is the set of the lists of the person's reports.
    lists = member.groupby("person_id")["estimation_list"].agg(set).to_dict()
    for person, row in active.iterrows():
        assert set(row["lists"]) == lists[person]
    assert sum(n * k for k, n in reports_per_person(engine).items()) == result.reports
    with engine.connect() as conn:
        actions: dict[str, int] = dict(
            conn.execute(
                select(person_changes.c.action, func.count()).group_by(person_changes.c.action)
            ).all()
        )
        assert conn.scalar(select(func.count()).select_from(linkage_runs)) == 1
    assert actions == {"created": result.persons}
    # Capture histories in the layout of ../shared/mse-datasets.
    table = capture_histories(engine, 2015)
    assert list(table.columns) == ["P", "K", "I", "R", "O", "Z", "count"]
    assert table["count"].sum() == persons_per_year(engine)[2015]
    assert set(table[["P", "K", "I", "R", "O", "Z"]].to_numpy().ravel().tolist()) <= {0, 1}
    assert (table[["P", "K", "I", "R", "O", "Z"]].sum(axis=1) >= 1).all()
    assert capture_histories(engine)["count"].sum() == result.persons
    status = linkage_status(engine)
    assert status.last_run is not None
    assert status.last_run["id"] == result.run_id
    assert status.as_dict()["persons_by_year"]["2015"] == persons_per_year(engine)[2015]
    assert (
        sum(r["count"] for r in status.as_dict()["capture_histories"]["2016"])
        == (persons_per_year(engine)[2016])
    )
    assert "capture histories 2015" in status.summary()
    # The run chose its threshold and estimated its own quality, and kept the estimate.
    expected = result.expected
    assert expected is not None
    assert expected.rule == "chosen"
    assert expected.threshold == result.threshold
    assert expected.linked_pairs == int(
        (_links(engine)["match_probability"] >= result.threshold).sum()
    )
    assert 0 < expected.precision <= 1
    assert 0 < expected.recall <= 1
    assert last_quality(engine) == expected
    assert status.last_run["quality"] == expected.as_dict()
    assert "estimated precision" in status.summary()
    assert result.as_dict()["expected"]["true_pairs"] == expected.true_pairs
    lo, hi = result.review_band
    assert lo < result.threshold < hi  # the review band lies around the threshold


def _links(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(report_links.c.match_probability)).all()
    return pd.DataFrame(rows, columns=["match_probability"])


def test_a_given_threshold_is_used_and_recorded(engine: Engine, small: Submissions) -> None:
    import_files(engine, small.files())
    result = link_register(engine, threshold=0.9)
    assert result.threshold == 0.9
    assert result.expected is not None
    assert result.expected.rule == "given"
    with pytest.raises(ValueError, match="threshold"):
        link_register(engine, threshold=1.5)


def test_a_second_run_without_new_reports_changes_nothing(linked: Engine) -> None:
    before = _persons(linked)
    again = link_register(linked)
    assert again.mode == "incremental"
    assert again.new_reports == 0
    assert again.changes == ChangeCounts()
    pd.testing.assert_frame_equal(_persons(linked), before)  # not even rewritten


def test_incremental_run_links_new_reports_and_keeps_closed_years(
    engine: Engine, small: Submissions
) -> None:
    import_files(engine, small.files((2015,)))
    first = link_register(engine)
    before = _persons(engine)
    membership_before = _membership(engine).set_index(["organisation_code", "case_reference"])
    added = import_files(engine, small.files((2016, 2017)))

    second = link_register(engine)
    assert second.mode == "incremental"
    assert second.new_reports == added
    assert second.reports == first.reports + added
    member = _membership(engine).set_index(["organisation_code", "case_reference"])
    # Earlier reports stay with their person unless the log of this run says otherwise.
    with engine.connect() as conn:
        log = pd.DataFrame(
            conn.execute(
                select(person_changes).where(person_changes.c.run_id == second.run_id)
            ).all(),
            columns=list(person_changes.c.keys()),
        )
    logged = set(log["person_id"]) | set(log["other_person_id"].dropna().astype(int))
    moved = member.loc[membership_before.index, "person_id"] != membership_before["person_id"]
    assert set(membership_before.loc[moved[moved].index, "person_id"]) <= logged
    # Persons of the closed years are unchanged except where the log names them.
    after = _persons(engine)
    unchanged = [p for p in before.index if p not in logged]
    columns = ["year", "lists", "n_reports", "status"]
    pd.testing.assert_frame_equal(after.loc[unchanged, columns], before.loc[unchanged, columns])
    assert set(log["action"]) <= {"created", "report_added", "merged"}
    assert set(log["reason"]) <= {"new_report", "model"}
    assert (log.loc[log["action"] == "report_added", "match_probability"] >= 0.8).all()
    # New persons get new ids; nothing is reused.
    created = set(log.loc[log["action"] == "created", "person_id"])
    assert min(created) > max(before.index)


def test_a_new_version_of_a_report_keeps_its_person(
    linked: Engine, small: Submissions, tmp_path: pytest.TempPathFactory
) -> None:
    engine = linked  # the small register, imported and linked
    path = small.files()[0]
    lines = path.read_text("utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    row = lines[1].rstrip("\r\n").split(",")
    case = row[header.index("case_reference")]
    row[header.index("police_report")] = (
        "yes" if row[header.index("police_report")] != "yes" else "no"
    )
    changed = tmp_path / path.name  # type: ignore[operator]
    changed.write_text(lines[0] + ",".join(row) + "\r\n", "utf-8")
    organisation = path.stem.rsplit("-", 1)[0]
    person_before = _person_by_report(engine)[(organisation, case)]
    import_files(engine, (changed,))
    result = link_register(engine)
    assert result.new_reports == 1
    member = _membership(engine).set_index(["organisation_code", "case_reference"])
    assert _person_by_report(engine)[(organisation, case)] == person_before
    assert member["is_current"].all()


def _run_log(engine: Engine, run_id: int | None) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(person_changes).where(person_changes.c.run_id == run_id)).all()
    return pd.DataFrame(rows, columns=list(person_changes.c.keys()))


def _accounted(before: dict[int, int], log: pd.DataFrame) -> dict[int, int]:
    """Persons per year as the log says they became: each logged person's year before/after."""
    counts = dict(before)
    for person, rows in log.groupby("person_id"):
        years_before = set(rows["year_before"].dropna().astype(int))
        years_after = set(rows["year_after"].dropna().astype(int))
        assert len(years_before) <= 1, (person, years_before)  # one person, one story
        assert len(years_after) <= 1, (person, years_after)
        for year in years_before:
            counts[year] -= 1
        for year in years_after:
            counts[year] = counts.get(year, 0) + 1
    return {y: n for y, n in counts.items() if n}


def _link_and_account(
    engine: Engine, *, full: bool = False, retrain: bool = False, force: bool = False
) -> tuple[pd.DataFrame, LinkResult]:
    """Link; check that the log of the run accounts for every change in persons per year."""
    before = persons_per_year(engine)
    result = link_register(engine, full=full, retrain=retrain, force=force)
    log = _run_log(engine, result.run_id)
    after = persons_per_year(engine)
    assert _accounted(before, log) == after
    moved = {y: after.get(y, 0) - before.get(y, 0) for y in set(before) | set(after)}
    assert result.year_changes == {y: n for y, n in moved.items() if n}
    assert log["changed_at"].notna().all()
    assert log["reason"].notna().all()
    return log, result


def test_the_change_log_accounts_for_every_change_in_persons_per_year(
    engine: Engine, small: Submissions, tmp_path: Path
) -> None:
    from tests.linkage.testbed import new_version
    from victim_monitor.linkage import decide_reports

    import_files(engine, small.files((2015,)))
    _link_and_account(engine)
    # A new year links to earlier persons (some 2016 reports are of 2015 victims).
    import_files(engine, small.files((2016,)))
    log, _ = _link_and_account(engine)
    assert {"created", "report_added"} <= set(log["action"])
    assert not log["year_before"].dropna().eq(2016).any()  # nothing was in 2016 before

    # A corrected report date moves a one-report person from 2015 to 2016: a logged change.
    person = _person_by_report(engine)
    sizes = pd.Series(person).value_counts()
    path = small.files((2015,))[0]
    organisation = path.stem.rsplit("-", 1)[0]
    single = sorted(r for r, p in person.items() if r[0] == organisation and sizes[p] == 1)[0]
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    row = next(r.split(",") for r in lines[1:] if single[1] in r.split(","))
    age = row[header.index("age_at_report")]
    changed = new_version(
        path,
        single[1],
        tmp_path / "v2",
        report_date="2016-01-04",
        age_at_report=str(int(age) + 1) if age else "",
    )
    import_files(engine, (changed,))
    log, _ = _link_and_account(engine)
    moved = log[log["person_id"] == person[single]]
    assert len(moved) == 1
    assert moved.iloc[0]["action"] == "report_updated"  # a new version, same person
    assert pd.isna(moved.iloc[0]["other_person_id"])
    assert (moved.iloc[0]["organisation_code"], moved.iloc[0]["case_reference"]) == single
    assert moved.iloc[0]["reason"] == "new_report"
    assert (moved.iloc[0]["year_before"], moved.iloc[0]["year_after"]) == (2015, 2016)

    # Reviewers' decisions split one person and join two others.
    person = _person_by_report(engine)
    groups = pd.Series(list(person), index=list(person.values())).groupby(level=0).agg(list)
    a, b = sorted(next(g for g in groups if len(g) >= 2))[:2]
    c, d = sorted(person)[0], sorted(person)[-1]
    decide_reports(engine, a, b, "different", "reviewer")
    decide_reports(engine, c, d, "same", "reviewer")
    log, _ = _link_and_account(engine)
    assert {"split", "merged"} <= set(log["action"])
    assert set(log["reason"]) == {"review"}
    # A full relink keeps the decisions; whatever else moves is logged.
    log, _ = _link_and_account(engine, full=True)
    assert set(log["reason"]) <= {"relink"}
    person = _person_by_report(engine)
    assert person[a] != person[b]
    assert person[c] == person[d]


def test_a_full_relink_keeps_the_model_and_then_changes_nothing(
    engine: Engine, medium: Submissions
) -> None:
    import_files(engine, medium.files())
    first = link_register(engine)
    assert first.model_source == "trained"  # a register large enough to train on
    assert first.first_run
    assert first.retrained
    before = _persons(engine)
    kept = link_register(engine, full=True)  # keeping the model is the default
    assert kept.mode == "full"
    assert kept.model_source == f"of run {first.run_id}"
    assert not kept.retrained
    assert not kept.notes
    # Same model, same reports: the same links, so the same persons, nothing logged.
    assert kept.changes == ChangeCounts()
    assert kept.pairs_scored == first.pairs_scored
    columns = ["status", "year", "lists", "n_reports"]
    pd.testing.assert_frame_equal(_persons(engine)[columns], before[columns])
    with engine.connect() as conn:
        models = [m for (m,) in conn.execute(select(linkage_runs.c.model))]
    assert [c["comparison_levels"] for c in models[0]["comparisons"]] == [
        c["comparison_levels"] for c in models[1]["comparisons"]
    ]


def _m(engine: Engine, run_id: int | None) -> list[list[float | None]]:
    """The m probabilities of a run's model, per comparison level."""
    with engine.connect() as conn:
        model = conn.scalar(select(linkage_runs.c.model).where(linkage_runs.c.id == run_id))
    assert model is not None
    return [
        [lv.get("m_probability") for lv in c["comparison_levels"]] for c in model["comparisons"]
    ]


def test_only_retrain_replaces_the_model_and_says_so(
    engine: Engine, medium: Submissions, monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_monitor.linkage import train

    trainings: list[int] = []
    original = train.train

    def counted(*args: Any, **kwargs: Any) -> Any:
        trainings.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(train, "train", counted)
    import_files(engine, medium.files())
    first = link_register(engine, seed=1)
    assert len(trainings) == 1
    trained = _m(engine, first.run_id)
    # Later runs, incremental or full, keep the first run's m and u (whatever the seed).
    previous = first
    for full in (False, True):
        result = link_register(engine, full=full, seed=2)
        assert result.model_source == f"of run {previous.run_id}"
        assert _m(engine, result.run_id) == trained
        assert result.changes == ChangeCounts()
        previous = result
    assert len(trainings) == 1
    # A retrain (with another sample) trains anew, relinks everything, logs every change.
    # retrain goes with full: an incremental run keeps the model whatever it is asked.
    assert link_register(engine, retrain=True).model_source == f"of run {previous.run_id}"
    assert len(trainings) == 1
    log, retrained = _link_and_account(engine, full=True, retrain=True, force=True)
    assert set(log["reason"]) <= {"relink"}
    assert retrained.mode == "full"
    assert (retrained.model_source, retrained.retrained) == ("trained", True)
    assert len(trainings) == 2
    text = retrained.summary()
    assert "model trained" in text
    assert "a new model was trained" in text


def test_a_retrained_model_that_fits_worse_is_not_taken(
    engine: Engine, medium: Submissions, monkeypatch: pytest.MonkeyPatch
) -> None:
    from victim_monitor.linkage import train

    import_files(engine, medium.files())
    first = link_register(engine)
    with engine.connect() as conn:
        trained = conn.scalar(select(linkage_runs.c.model).where(linkage_runs.c.id == first.run_id))
    assert trained is not None

    def blind(*_args: Any, **_kwargs: Any) -> Any:
        """A model that cannot tell matches from non-matches: every m equal to its u."""
        return train.Training(_blinded(), first.reports, 1.0, ())

    def _blinded() -> Model:
        return Model.from_json(
            {
                **trained,
                "comparisons": [
                    {
                        **c,
                        "comparison_levels": [
                            lv
                            if lv.get("is_null_level")
                            else {**lv, "m_probability": lv["u_probability"]}
                            for lv in c["comparison_levels"]
                        ],
                    }
                    for c in trained["comparisons"]
                ],
            }
        )

    monkeypatch.setattr(train, "train", blind)
    before = _persons(engine)
    refused = link_register(engine, full=True, retrain=True)
    assert refused.model_fit is not None
    assert refused.model_fit.retrained < refused.model_fit.current
    assert (refused.model_source, refused.retrained) == (f"of run {first.run_id}", False)
    assert refused.changes == ChangeCounts()  # the current model, the same persons
    assert "the retrained model was not taken" in refused.summary()
    columns = ["status", "year", "lists", "n_reports"]
    pd.testing.assert_frame_equal(_persons(engine)[columns], before[columns])
    # --force takes it: a blind model links almost nothing, and every change is logged.
    log, forced = _link_and_account(engine, full=True, retrain=True, force=True)
    assert (forced.model_source, forced.retrained) == ("trained", True)
    assert "taken although it fits the register worse" in forced.summary()
    assert forced.persons > refused.persons
    assert set(log["reason"]) == {"relink"}


def test_log_likelihood_is_the_two_class_mixture() -> None:
    from victim_monitor.linkage import score

    model = Model.from_json(
        {
            "probability_two_random_records_match": 0.1,
            "comparisons": [
                {
                    "output_column_name": "name",
                    "comparison_levels": [
                        {"is_null_level": True},
                        {"m_probability": 0.9, "u_probability": 0.01},
                        {"m_probability": 0.1, "u_probability": 0.99},
                    ],
                }
            ],
        }
    )
    pairs = pd.DataFrame({"gamma_name": [1, 0, -1]})  # exact, else, null
    expected = [
        np.log(0.1 * 0.9 + 0.9 * 0.01),
        np.log(0.1 * 0.1 + 0.9 * 0.99),
        np.log(0.1 + 0.9),
    ]
    assert score.log_likelihood(pairs, model) == pytest.approx(float(np.mean(expected)))
    assert score.levels(model) == [("name", 3)]


def test_a_run_overtaken_by_another_writes_nothing(engine: Engine, small: Submissions) -> None:
    import_files(engine, small.files())
    with engine.connect() as conn:
        stale = read_state(conn)  # this run starts ...
    link_register(engine)  # ... and another finishes meanwhile
    with pytest.raises(ConcurrentRunError) as caught, engine.begin() as conn:
        check_unchanged(conn, stale)
    assert [p.code for p in caught.value.problems] == ["VM306"]
    assert "run link again" in str(caught.value)
