"""M3 and M5: formula cells in the CSVs the system writes, and tampering with the audit trail.

The tampering is what someone with the database owner's rights can do: lift the append-only
guard (drop or disable the triggers), delete and re-hash events, renumber them. Against a
keyed chain and a checkpoint kept outside the database, each of these is found.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, delete, select, text, update

from tests.web.conftest import Login, csrf_of
from victim_monitor import csvfile
from victim_monitor.cli import main
from victim_monitor.problems import ProblemLog
from victim_monitor.programme import example_file
from victim_monitor.programme.check import check
from victim_monitor.programme.document import Measure
from victim_monitor.programme.export import to_csv
from victim_monitor.programme.read import read_csv, read_file
from victim_monitor.storage.schema import audit_events
from victim_monitor.web import WebSettings, audit, checkpoint
from victim_monitor.web.audit import GENESIS, AuditKeyError

KEY = b"a test audit key of at least 32 characters"
FORMULAS = ("=HYPERLINK(\"http://x.example\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
            "\t=1", "\r=1")  # fmt: skip


@pytest.fixture
def keyed(engine: Engine) -> Engine:
    """The register with its appends chained under the audit key, as the app binds it."""
    audit.use_key(engine, KEY)
    return engine


def _events(engine: Engine, n: int) -> None:
    for i in range(n):
        audit.append(engine, actor="staff", role="staff", action="read", record=f"person:{i}")


def _unguard(conn: Connection) -> None:
    """What an attacker with the owner's rights does first: lift the append-only triggers."""
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER audit_events_no_update"))
        conn.execute(text("DROP TRIGGER audit_events_no_delete"))
    else:
        conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))


def _rehash_unkeyed(conn: Connection, renumber: bool = False) -> None:
    """Re-chain every event with plain SHA-256 (all an attacker without the key can do)."""
    prev = GENESIS
    rows = conn.execute(select(audit_events).order_by(audit_events.c.id)).all()
    for new_id, row in enumerate(rows, start=1):
        event = audit._event(row)
        digest = audit.event_hash(
            prev, event.at, event.actor, event.role, event.action, event.record, event.screen,
            event.detail,
        )  # fmt: skip
        values = {"prev_hash": prev, "hash": digest, **({"id": new_id} if renumber else {})}
        conn.execute(update(audit_events).where(audit_events.c.id == row.id).values(**values))
        prev = digest


# --- M5: the chain ------------------------------------------------------------------------


def test_removing_the_newest_events_is_found_against_a_checkpoint(keyed: Engine) -> None:
    _events(keyed, 6)
    kept = checkpoint.make(audit.verify(keyed), KEY)
    assert kept.signature
    assert kept.key_id == audit.key_id(KEY)
    with keyed.begin() as conn:
        _unguard(conn)
        conn.execute(delete(audit_events).where(audit_events.c.id > kept.last_id - 2))
    # The chain alone cannot tell a cut from a trail that ended there ...
    assert audit.verify(keyed).intact
    # ... the checkpoint kept elsewhere can.
    found = checkpoint.verify_against(keyed, checkpoint.parse(kept.to_json()))
    assert not found.intact
    assert "removed from the end" in found.reason


def test_an_intact_trail_matches_its_checkpoint_and_later_events_are_fine(keyed: Engine) -> None:
    _events(keyed, 3)
    kept = checkpoint.make(audit.verify(keyed), KEY)
    _events(keyed, 2)
    found = checkpoint.verify_against(keyed, checkpoint.parse(kept.to_json()))
    assert found.intact, found.summary()
    assert f"checkpoint at event {kept.last_id}" in found.summary()


def test_a_forged_or_unsigned_checkpoint_is_not_trusted(keyed: Engine) -> None:
    _events(keyed, 3)
    kept = checkpoint.make(audit.verify(keyed), KEY)
    forged = dataclasses.replace(kept, last_id=1, events=1)
    assert "signature does not match" in checkpoint.verify_against(keyed, forged).reason
    unsigned = dataclasses.replace(kept, key_id="", signature="")
    assert "not signed" in checkpoint.verify_against(keyed, unsigned).reason
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.parse('{"format": "something else"}')


@pytest.mark.parametrize("renumber", [False, True], ids=["gap", "renumbered"])
def test_deleting_event_1_and_rehashing_without_the_key_is_found(
    keyed: Engine, renumber: bool
) -> None:
    _events(keyed, 5)
    with keyed.begin() as conn:
        _unguard(conn)
        conn.execute(delete(audit_events).where(audit_events.c.id == 1))
        _rehash_unkeyed(conn, renumber=renumber)
    found = audit.verify(keyed)
    assert not found.intact
    if renumber:  # every event now plain SHA-256: the key set, nothing keyed
        assert "no event is keyed" in found.reason
    else:
        assert found.broken_at == 2
        assert "starts at event 2" in found.reason


def test_rehashing_one_changed_keyed_event_without_the_key_is_found(keyed: Engine) -> None:
    _events(keyed, 4)
    with keyed.begin() as conn:
        _unguard(conn)
        conn.execute(update(audit_events).where(audit_events.c.id == 3).values(actor="other"))
        _rehash_unkeyed(conn)
    found = audit.verify(keyed)
    assert not found.intact
    assert found.broken_at == 1  # the keyed marker, re-hashed with the rest
    assert "keyed hash" in found.reason


def test_a_gap_in_the_ids_is_found_even_when_the_rest_is_rehashed(engine: Engine) -> None:
    _events(engine, 5)
    assert audit.verify(engine).intact
    with engine.begin() as conn:
        _unguard(conn)
        conn.execute(delete(audit_events).where(audit_events.c.id == 3))
        _rehash_unkeyed(conn)
    found = audit.verify(engine)
    assert not found.intact
    assert found.broken_at == 4
    assert "ids jump from 2 to 4" in found.reason


def test_an_old_sha256_trail_still_verifies_and_is_keyed_from_the_key_on(engine: Engine) -> None:
    _events(engine, 3)  # a register from before the key: plain SHA-256
    old = audit.events(engine, limit=10)
    audit.use_key(engine, KEY)
    _events(engine, 2)
    found = audit.verify(engine, key=KEY)
    assert found.intact, found.summary()
    assert found.keyed_from == 4
    assert found.events == 6
    assert audit.events(engine, limit=10)[-3:] == old  # nothing rewritten
    marker = audit.events(engine, action=audit.KEYED_ACTION)[0]
    assert marker.detail == {"chain": "hmac-sha256", "key_id": audit.key_id(KEY)}
    assert KEY.decode() not in str(marker.detail)


def test_a_keyed_trail_refuses_a_start_without_its_key_or_with_another(keyed: Engine) -> None:
    _events(keyed, 1)
    with pytest.raises(AuditKeyError, match="keyed"):
        audit.use_key(keyed, None)
    with pytest.raises(AuditKeyError, match="keyed under key"):
        audit.use_key(keyed, b"another key, also of at least 32 characters")


def test_incremental_verification_recomputes_only_new_events(keyed: Engine) -> None:
    _events(keyed, 5)
    first = audit.verify(keyed)
    _events(keyed, 2)
    again = audit.verify(keyed, since=first)
    assert again.intact
    assert again.checked == 2
    assert again.events == first.events + 2
    with keyed.begin() as conn:  # the newest events removed after the last check
        _unguard(conn)
        conn.execute(delete(audit_events).where(audit_events.c.id >= again.last_id - 1))
    cut = audit.verify(keyed, since=again)
    assert not cut.intact
    assert "is gone" in cut.reason


def test_the_cli_verifies_against_a_checkpoint_with_the_same_key(
    keyed: Engine, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _events(keyed, 4)
    monkeypatch.setenv("VICTIM_MONITOR_AUDIT_KEY", KEY.decode())
    kept = tmp_path / "audit-checkpoint.json"
    run = CliRunner().invoke
    made = run(main, ["audit", "checkpoint", "--out", str(kept), "--database", database_url])
    assert made.exit_code == 0, made.output
    assert checkpoint.parse(kept.read_bytes()).key_id == audit.key_id(KEY)
    args = ["audit", "verify", "--checkpoint", str(kept), "--database", database_url]
    assert run(main, args).exit_code == 0
    with keyed.begin() as conn:
        _unguard(conn)
        conn.execute(delete(audit_events).where(audit_events.c.id == 5))
    cut = run(main, args)
    assert cut.exit_code == 1
    assert "removed from the end" in cut.output
    monkeypatch.setenv("VICTIM_MONITOR_AUDIT_KEY", "another key of at least 32 characters")
    assert "signed with key" in run(main, args).output


# --- M5 on the admin page -----------------------------------------------------------------


@pytest.fixture
def web_settings(web_settings: WebSettings) -> WebSettings:
    return dataclasses.replace(web_settings, audit_key=KEY)


def test_the_page_verifies_incrementally_and_against_an_uploaded_checkpoint(
    login: Login, engine: Engine
) -> None:
    client = login("admin")
    page = client.get("/en/admin/audit")
    assert "audit trail intact" in page.text
    assert audit.key_id(KEY) in page.text
    assert "0 checked now" in client.get("/en/admin/audit").text  # nothing new since
    assert "checked now" not in client.get("/en/admin/audit?full=1").text
    assert client.get("/api/admin/audit/check").json()["intact"] is True
    download = client.get("/admin/audit/checkpoint.json")
    assert download.status_code == 200
    kept = checkpoint.parse(download.content)
    assert kept.signature
    assert kept.last_id == audit.total(engine)
    assert _upload(client, download.content).status_code == 200  # intact: matches
    with engine.begin() as conn:
        _unguard(conn)
        conn.execute(delete(audit_events).where(audit_events.c.id >= kept.last_id - 1))
    assert "is gone" in client.get("/en/admin/audit").text  # the remembered event is gone
    answer = _upload(client, download.content, full=True)
    assert "removed from the end" in answer.text
    assert "BROKEN" in answer.text


def test_views_that_arrive_together_verify_the_chain_once(
    login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a start every view used to recompute the whole chain, each on its own."""
    import threading
    import time
    import types

    from victim_monitor.web.audit_routes import checked

    client = login("admin")
    real = audit.verify
    recomputed: list[int] = []

    def slow(engine: Engine, **kwargs: Any) -> Any:
        found = real(engine, **kwargs)
        time.sleep(0.05)  # long enough for the others to arrive meanwhile
        recomputed.append(found.checked)
        return found

    monkeypatch.setattr(audit, "verify", slow)
    client.app.state.audit_checked = None  # type: ignore[attr-defined]  # as after a start
    request: Any = types.SimpleNamespace(app=client.app)
    views = [threading.Thread(target=checked, args=(request,)) for _ in range(6)]
    for view in views:
        view.start()
    for view in views:
        view.join()
    assert len(recomputed) == 6
    assert sorted(recomputed)[-1] > 0
    assert sorted(recomputed)[:-1] == [0] * 5  # the first verified; the others found it done


def _upload(client: TestClient, content: bytes, full: bool = False) -> Any:
    token = csrf_of(client, "/en/admin/audit?full=1")
    data = {"csrf_token": token, **({"full": "1"} if full else {})}
    return client.post(
        "/en/admin/audit/checkpoint",
        data=data,
        files={"checkpoint": ("audit-checkpoint.json", content, "application/json")},
    )


# --- M3: formula cells ------------------------------------------------------------------


def _risky(cell: str) -> bool:
    number = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell)
    return bool(cell) and cell[0] in "=+-@\t\r" and not number


def test_a_formula_typed_as_username_is_quoted_in_the_audit_csv(login: Login) -> None:
    client = login(None)
    token = csrf_of(client, "/en/login")
    client.post("/en/login", data={"username": FORMULAS[0], "password": "x" * 12,
                                   "csrf_token": token})  # fmt: skip
    export = login("admin").get("/admin/audit.csv")
    rows = list(csv.reader(io.StringIO(export.text)))
    assert not [cell for row in rows for cell in row if _risky(cell)]
    actors = [row[2] for row in rows[1:]]
    assert "'" + FORMULAS[0].lower() in actors
    assert all(row[0].isdigit() for row in rows[1:])  # the ids stay numbers


def test_the_programme_csv_quotes_formulas_keeps_numbers_and_reads_back() -> None:
    log = ProblemLog()
    doc = check(read_file(example_file(), log), log)
    measures = [
        dataclasses.replace(m, owner=f) for m, f in zip(doc.measures, FORMULAS[:4], strict=False)
    ]
    doc = dataclasses.replace(doc, measures=(*measures, *doc.measures[len(measures) :]))
    doc = dataclasses.replace(
        doc, indicator_values=tuple(dataclasses.replace(v, value=-3) for v in doc.indicator_values)
    )
    text_out = to_csv(doc)
    rows = list(csv.reader(io.StringIO(text_out)))
    assert not [cell for row in rows for cell in row if _risky(cell)]
    assert any(cell == "'" + FORMULAS[0] for row in rows for cell in row)
    value = rows[0].index("value")
    assert {row[value] for row in rows if row[0] == "indicator_value"} == {"-3"}
    back = check(read_csv(text_out, "x.csv", log), log)
    assert [m.owner for m in back.measures][:4] == [m.owner for m in measures][:4]
    assert isinstance(back.measures[0], Measure)


def test_the_csv_helper_is_reversible_and_leaves_numbers_alone() -> None:
    for value in (*FORMULAS, "'=1", "''@x", "-", "plain", "'quoted", "-3x"):
        cell = csvfile.safe_cell(value)
        assert isinstance(cell, str)
        assert not _risky(cell)
        assert csvfile.unquote(cell) == value
    for number in (-3, -1.5, 0, "-3", "-1e-06", "+2", ".5"):
        assert csvfile.safe_cell(number) == number
    assert csvfile.to_text(["a", "b"], [[-3, "=1"]]) == "a,b\n-3,'=1\n"
