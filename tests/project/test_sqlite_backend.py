"""The SQLite backend's transactions wait for the write lock in short steps (annotator/sqlite).

Each test opens its own database file through the backend, whatever database the
suite runs on.
"""

from __future__ import annotations

import copy
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


def test_a_transaction_waits_for_the_writer_in_short_steps_then_writes(connect, monkeypatch):
    holder = connect()
    pauses: list[float] = []
    sleep = time.sleep

    def recorded(seconds: float) -> None:
        pauses.append(seconds)
        sleep(seconds)

    monkeypatch.setattr(base.time, "sleep", recorded)
    out: list = []
    with atomic(holder):
        holder.cursor().execute("INSERT INTO t VALUES (1)")
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
    cursor = holder.cursor()
    cursor.execute("SELECT n FROM t ORDER BY n")
    assert [n for (n,) in cursor.fetchall()] == [1, 2]


def test_a_writer_that_keeps_the_lock_past_the_timeout_fails_the_wait(connect):
    holder, waiter_conn = connect(), connect()
    waiter_conn.settings_dict["OPTIONS"]["timeout"] = 0.3
    out: list = []
    with atomic(holder):
        holder.cursor().execute("INSERT INTO t VALUES (1)")
        waiter = _write_in_thread(waiter_conn, 2, out)
        waiter.start()
        waiter.join(5)
    (failed,) = out
    assert isinstance(failed, OperationalError)
    assert "locked" in str(failed)


def test_statements_outside_a_transaction_keep_sqlites_own_wait(connect):
    conn = connect()
    with atomic(conn):
        conn.cursor().execute("INSERT INTO t VALUES (1)")
    cursor = conn.cursor()
    cursor.execute("PRAGMA busy_timeout")
    assert cursor.fetchone()[0] == 2000
