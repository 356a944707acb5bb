"""storage.locks: writers of one name take turns, on both databases."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, select

from victim_monitor.storage.locks import exclusive, lock_id
from victim_monitor.storage.schema import organisations


def test_a_second_writer_of_the_same_name_waits_for_the_first(engine: Engine) -> None:
    entered = threading.Event()
    times: dict[str, float] = {}

    def first() -> None:
        with exclusive(engine, "register") as conn:
            conn.execute(select(organisations.c.code)).all()
            entered.set()
            time.sleep(0.4)
            times["first_done"] = time.monotonic()

    def second() -> None:
        entered.wait(10)
        with exclusive(engine, "register") as conn:
            times["second_in"] = time.monotonic()
            conn.execute(select(organisations.c.code)).all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert times["second_in"] >= times["first_done"]


def test_a_rollback_inside_undoes_the_writes(engine: Engine) -> None:
    with exclusive(engine, "register") as conn:
        conn.execute(organisations.delete())
        conn.rollback()
    with engine.connect() as conn:
        assert conn.execute(select(organisations.c.code)).first() is not None


@pytest.mark.parametrize("name", ["audit_events", "programme"])
def test_lock_ids_are_stable_signed_64_bit_numbers(name: str) -> None:
    assert lock_id(name) == lock_id(name)
    assert -(2**63) <= lock_id(name) < 2**63
    assert lock_id("audit_events") != lock_id("programme")
