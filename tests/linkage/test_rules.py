"""Attributes that change with a rule, not a report, are logged (both databases)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, select, update

from victim_monitor import vocab
from victim_monitor.linkage import link_register, persons_per_year, rules
from victim_monitor.linkage import persons as person_rules
from victim_monitor.linkage.changes import ChangeCounts
from victim_monitor.storage.schema import (
    linkage_runs,
    organisations,
    person_changes,
    person_reports,
    persons,
)
from victim_monitor.vocab import ExploitationKind, FormGroup, NationalityGroup, YesNoUnknown


def _persons(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(persons).where(persons.c.status == "active")).all()
    return pd.DataFrame(rows, columns=list(persons.c.keys())).set_index("id")


def _log(engine: Engine, run_id: int | None) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(person_changes).where(person_changes.c.run_id == run_id)).all()
    return pd.DataFrame(rows, columns=list(person_changes.c.keys()))


def test_an_organisation_moved_to_another_list_is_logged(linked: Engine) -> None:
    with linked.connect() as conn:
        reporting = {o for (o,) in conn.execute(select(person_reports.c.organisation_code))}
        code, was = next(
            (c, x)
            for c, x in conn.execute(
                select(organisations.c.code, organisations.c.estimation_list).order_by(
                    organisations.c.code
                )
            )
            if c in reporting and x != "Z"
        )
        members = {
            int(p)
            for (p,) in conn.execute(
                select(person_reports.c.person_id).where(person_reports.c.organisation_code == code)
            )
        }
    before, years = _persons(linked), persons_per_year(linked)
    with linked.begin() as conn:
        conn.execute(
            update(organisations).where(organisations.c.code == code).values(estimation_list="Z")
        )

    result = link_register(linked)
    assert (result.mode, result.new_reports) == ("incremental", 0)
    assert f"organisation {code} moved from list {was} to list Z" in result.rule_changes
    after = _persons(linked)
    moved = set(before.index[before["lists"] != after.loc[before.index, "lists"]])
    assert moved, "some persons reported by the organisation change their capture history"
    assert moved <= members
    # Every person whose lists changed is logged, once, with the lists before and after.
    log = _log(linked, result.run_id)
    assert set(log["action"]) == {"attributes_changed"}
    assert set(log["reason"]) == {"rule"}
    assert set(log["person_id"]) == moved
    assert len(log) == len(moved)
    for person, detail, year_before, year_after in zip(
        log["person_id"], log["detail"], log["year_before"], log["year_after"], strict=True
    ):
        assert detail == {"lists": [before.at[person, "lists"], after.at[person, "lists"]]}
        assert year_before == year_after == before.at[person, "year"]
    assert result.changes == ChangeCounts(attributes_changed=len(moved))
    assert result.attributes_changed == {"lists": len(moved)}
    assert persons_per_year(linked) == years  # a list is not a link: no year moves
    text = result.summary()
    assert f"{len(moved):,} persons changed attributes with no report changing" in text
    assert f"organisation {code} moved from list {was} to list Z" in text
    # The run records the rules it applied; the next run finds nothing new.
    with linked.connect() as conn:
        applied = conn.scalar(
            select(linkage_runs.c.rules).where(linkage_runs.c.id == result.run_id)
        )
    assert applied is not None
    assert applied["lists"][code] == "Z"
    again = link_register(linked)
    assert (again.changes, again.rule_changes) == (ChangeCounts(), ())


def test_a_new_form_rule_is_logged(linked: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    real = vocab.form_group

    def criminal_not_labour(
        kinds: frozenset[ExploitationKind], border: YesNoUnknown, nationality: NationalityGroup
    ) -> FormGroup:
        group = real(kinds, border, nationality)
        return FormGroup.CRIMINAL if group == FormGroup.LABOUR else group

    before = _persons(linked)
    labour = set(before.index[before["form_group"] == str(FormGroup.LABOUR)])
    assert labour, "the synthetic register has victims of labour exploitation"
    monkeypatch.setattr(person_rules, "form_group", criminal_not_labour)
    monkeypatch.setattr(rules, "_form_rule_text", lambda: b"# a new form rule\n")

    result = link_register(linked)
    assert any(c.startswith("form rule changed") for c in result.rule_changes)
    log = _log(linked, result.run_id)
    assert set(log["person_id"]) == labour
    assert set(log["action"]) == {"attributes_changed"}
    assert all(d == {"form_group": ["labour", "criminal"]} for d in log["detail"])
    assert (_persons(linked).loc[list(labour), "form_group"] == "criminal").all()


def test_attribute_changes_leave_out_persons_whose_reports_changed() -> None:
    columns = list(person_rules.ATTRIBUTES)
    base = dict.fromkeys(columns, "x") | {"year": 2016, "birth_year": None, "age": None}
    before = pd.DataFrame([base | {"status": "active"}] * 3, index=[1, 2, 3])
    before.loc[3, "status"] = "retired"
    after = pd.DataFrame([base] * 4, index=[1, 2, 3, 4])
    after["lists"] = ["PZ", "PZ", "PZ", "PZ"]
    after["birth_year"] = pd.array([pd.NA, pd.NA, pd.NA, pd.NA], dtype="Int64")
    rows = rules.attribute_changes(before, after, logged={2})
    # 2 is logged already, 3 was retired, 4 is new: only 1; an unknown equals an unknown.
    assert [(r["person_id"], r["detail"]) for r in rows] == [(1, {"lists": ["x", "PZ"]})]
