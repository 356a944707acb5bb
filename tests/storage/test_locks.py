"""storage.locks: writers of one name take turns, on both databases."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from sqlalchemy import Engine, select

from victim_monitor.storage.locks import exclusive, lock_id, queue_file, table_writer
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


def test_sqlite_writers_queue_on_a_file_lock_before_sqlites_own(engine: Engine) -> None:
    # SQLite's busy handler polls, sleeping up to 100 ms: writers in other processes waited
    # far longer than the lock was held. The OS lock wakes the next writer at once.
    path = queue_file(engine)
    if path is None:
        assert engine.dialect.name == "postgresql"  # the server queues the advisory lock
        return
    with exclusive(engine, "register"):
        fd = os.open(path, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free again once the writer is done
    finally:
        os.close(fd)


def test_a_table_writer_keeps_other_writers_of_the_table_out_but_not_its_readers(
    engine: Engine,
) -> None:
    entered = threading.Event()
    times: dict[str, float] = {}

    def holder() -> None:
        with table_writer(engine, organisations) as conn:
            conn.execute(select(organisations.c.code)).all()
            entered.set()
            time.sleep(0.4)
            times["holder_done"] = time.monotonic()

    def reader() -> None:
        entered.wait(10)
        with engine.connect() as conn:
            conn.execute(select(organisations.c.code)).all()
        times["read"] = time.monotonic()

    def writer() -> None:
        entered.wait(10)
        with engine.begin() as conn:  # a plain write, not through storage.locks
            conn.execute(organisations.update().values(name_en=organisations.c.name_en))
        times["written"] = time.monotonic()

    threads = [threading.Thread(target=f) for f in (holder, reader, writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert times["read"] < times["holder_done"] <= times["written"]
