"""Rules: what persons' attributes follow besides their reports, and the changes they make.

A person's form group follows the form rule (``data/form-rule.toml``), and the person's lists
(the capture history) follow each organisation's estimation list (the organisations table).
Every run resolves every person with the rules of that moment, so a changed rule changes
persons without any report changing. Each run records the rules it applied
(``linkage_runs.rules``: the form rule's SHA-256 and each organisation's list), and each
person whose attributes changed while none of its reports did is logged as
``attributes_changed`` (reason ``rule``) with every changed attribute before and after.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from victim_monitor.linkage.persons import ATTRIBUTES, unequal
from victim_monitor.storage.schema import organisations

FORM_RULE = "form-rule.toml"


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules a run applied: the form rule's fingerprint and each organisation's list."""

    form_rule: str
    lists: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"form_rule": self.form_rule, "lists": dict(sorted(self.lists.items()))}


def current(conn: Connection) -> Rules:
    """The rules in force now."""
    lists = {
        str(code): str(letter)
        for code, letter in conn.execute(
            select(organisations.c.code, organisations.c.estimation_list)
        )
    }
    return Rules(hashlib.sha256(_form_rule_text()).hexdigest(), lists)


def _form_rule_text() -> bytes:
    return resources.files("victim_monitor.data").joinpath(FORM_RULE).read_bytes()


def differences(before: dict[str, Any] | None, now: Rules) -> tuple[str, ...]:
    """What changed in the rules since the run that recorded ``before``, in words."""
    if before is None:
        return ()
    out: list[str] = []
    if before.get("form_rule") != now.form_rule:
        was = str(before.get("form_rule") or "")[:12]
        out.append(f"form rule changed (data/{FORM_RULE}, sha256 {was} -> {now.form_rule[:12]})")
    old: dict[str, str] = dict(before.get("lists") or {})
    for code in sorted(set(old) | set(now.lists)):
        a, b = old.get(code), now.lists.get(code)
        if a is not None and b is not None and a != b:
            out.append(f"organisation {code} moved from list {a} to list {b}")
        elif a is None and b is not None:
            out.append(f"organisation {code} added (list {b})")
        elif a is not None and b is None:
            out.append(f"organisation {code} removed (was list {a})")
    return tuple(out)


def _plain(value: Any) -> Any:
    """A JSON value: None for unknown, plain numbers, ISO dates."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def attribute_changes(
    before: pd.DataFrame, after: pd.DataFrame, logged: set[int]
) -> list[dict[str, Any]]:
    """Change rows for persons whose attributes changed though none of their reports did.

    ``before``: the persons a run started from (index id; ``status`` and ``ATTRIBUTES``);
    ``after``: the resolved attributes (index id); ``logged``: persons the run's other change
    rows already name (their reports changed, so the rules' part is not told apart).
    """
    active = before.index[before["status"] == "active"]
    ids = after.index[after.index.isin(active) & ~after.index.isin(list(logged))]
    if not len(ids):
        return []
    old, new = before.loc[ids, list(ATTRIBUTES)], after.loc[ids, list(ATTRIBUTES)]
    differs = pd.DataFrame({a: unequal(new[a], old[a]) for a in ATTRIBUTES}, index=ids)
    rows: list[dict[str, Any]] = []
    for person in ids[differs.any(axis=1).to_numpy()]:
        changed = [a for a in ATTRIBUTES if differs.at[person, a]]
        rows.append(
            {
                "action": "attributes_changed",
                "person_id": int(person),
                "other_person_id": None,
                "organisation_code": None,
                "case_reference": None,
                "reason": "rule",
                "match_probability": None,
                "pair_decision_id": None,
                "detail": {
                    a: [_plain(old.at[person, a]), _plain(new.at[person, a])] for a in changed
                },
            }
        )
    return rows
