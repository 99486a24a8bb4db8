"""The SQLite backend's writers queue in their process and wait for another process's
write lock in short steps (annotator/sqlite).

Each test opens its own database file through the backend, whatever database the
suite runs on.
"""

from __future__ import annotations

import copy
import os
import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler

from annotator.sqlite import base


@pytest.fixture
def connect(tmp_path, django_db_blocker):
    settings = ConnectionHandler(
        {
            "default": {
                "ENGINE": "annotator.sqlite",
                "NAME": str(tmp_path / "db.sqlite3"),
                "OPTIONS": {
                    "init_command": "PRAGMA journal_mode=WAL;",
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 2,
                },
            }
        }
    ).settings["default"]
    opened: list = []

    def open_connection():
        conn = base.DatabaseWrapper(copy.deepcopy(settings), alias=f"w{len(opened)}")
        conn.inc_thread_sharing()  # each test hands some to a thread
        opened.append(conn)
        return conn

    # A database of the test's own, not the suite's: no django_db mark.
    with django_db_blocker.unblock():
        open_connection().cursor().execute("CREATE TABLE t (n INTEGER)")
        yield open_connection
        for conn in opened:
            conn.close()


@contextmanager
def atomic(conn):
    """What ``transaction.atomic()`` does with a connection outside any transaction."""
    conn.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        yield
    except BaseException:
        conn.rollback()
        raise
    else:
        conn.commit()
    finally:
        conn.set_autocommit(True)


def _write_in_thread(conn, n: int, out: list) -> threading.Thread:
    def run() -> None:
        try:
            started = time.monotonic()
            with atomic(conn):
                conn.cursor().execute("INSERT INTO t VALUES (%s)", [n])
            out.append(time.monotonic() - started)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            out.append(exc)
        finally:
            conn.close()

    return threading.Thread(target=run)


@pytest.fixture
def pauses(monkeypatch) -> list[float]:
    """Every pause of a writer waiting at ``BEGIN``."""
    recorded: list[float] = []
    sleep = time.sleep

    def record(seconds: float) -> None:
        recorded.append(seconds)
        sleep(seconds)

    monkeypatch.setattr(base.time, "sleep", record)
    return recorded


@contextmanager
def other_process_writing(connect):
    """A write transaction as another process holds it: SQLite's lock, not this process's queue."""
    name = connect().settings_dict["NAME"]
    raw = sqlite3.connect(name, isolation_level=None, check_same_thread=False)
    try:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO t VALUES (1)")
        yield
        raw.execute("COMMIT")
    finally:
        raw.close()


def _values(conn) -> list[int]:
    cursor = conn.cursor()
    cursor.execute("SELECT n FROM t ORDER BY n")
    return [n for (n,) in cursor.fetchall()]


def test_a_writer_waits_for_another_process_in_short_steps_then_writes(connect, pauses):
    out: list = []
    with other_process_writing(connect):
        waiter = _write_in_thread(connect(), 2, out)
        waiter.start()
        waiter.join(0.2)
        assert waiter.is_alive(), "the second writer should wait for the first"
    waiter.join(5)
    (waited,) = out
    assert isinstance(waited, float), waited
    assert waited >= 0.2
    # Many tries, none of them a long sleep: the lock is taken soon after it is free.
    assert len(pauses) > 100
    assert max(pauses) <= base.LONGEST_PAUSE
    assert _values(connect()) == [1, 2]


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_writers_of_one_process_queue_without_polling(connect, pauses, end):
    holder = connect()
    out: list = []
    holder.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    holder.cursor().execute("INSERT INTO t VALUES (1)")
    waiter = _write_in_thread(connect(), 2, out)
    waiter.start()
    waiter.join(0.2)
    assert waiter.is_alive(), "the second writer should wait for the first"
    getattr(holder, end)()
    if end != "close":
        holder.set_autocommit(True)
    waiter.join(5)
    (waited,) = out
    assert isinstance(waited, float), waited
    assert waited >= 0.2
    # It slept on the queue, not at BEGIN: no try while the first writer held the database.
    assert pauses == []
    assert _values(connect()) == ([1, 2] if end == "commit" else [2])


@contextmanager
def this_process_writing(connect):
    """A write transaction of another thread of this process: it holds the queue."""
    holder = connect()
    with atomic(holder):
        holder.cursor().execute("INSERT INTO t VALUES (1)")
        yield


@pytest.mark.parametrize("writing", [other_process_writing, this_process_writing])
def test_a_writer_that_keeps_the_database_past_the_timeout_fails_the_wait(connect, writing):
    waiter_conn = connect()
    waiter_conn.settings_dict["OPTIONS"]["timeout"] = 0.3
    out: list = []
    with writing(connect):
        waiter = _write_in_thread(waiter_conn, 2, out)
        waiter.start()
        waiter.join(5)
    (failed,) = out
    assert isinstance(failed, OperationalError)
    assert "locked" in str(failed)
    assert _values(connect()) == [1]


def test_statements_outside_a_transaction_keep_sqlites_own_wait(connect):
    conn = connect()
    with atomic(conn):
        conn.cursor().execute("INSERT INTO t VALUES (1)")
    cursor = conn.cursor()
    cursor.execute("PRAGMA busy_timeout")
    assert cursor.fetchone()[0] == 2000


def test_a_forked_process_starts_with_queues_of_its_own():
    # gunicorn and Celery fork after loading the app: a queue held then stays in the parent.
    held = base.writer_queue("forked.sqlite3")
    held.acquire()
    try:
        pid = os.fork()
        if pid == 0:  # the child: free to write at once
            os._exit(0 if base.writer_queue("forked.sqlite3").acquire(timeout=1) else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
    finally:
        held.release()
