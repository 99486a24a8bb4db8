"""A worker task held mid-way: a second connection locks the sentence table (PostgreSQL).

The worker's insert of sentences then waits inside its transaction, so a test can
kill the worker, or let a time limit run out, while the task is provably mid-way.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from django.db import connection, connections


@contextlib.contextmanager
def sentence_table_locked() -> Iterator[None]:
    """Hold a lock that makes a worker's sentence insert wait: a task that hangs mid-way."""
    ready, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = connections.create_connection("default")
        try:
            with conn.cursor() as cur:
                cur.execute("BEGIN")
                cur.execute("LOCK TABLE articles_sentence IN SHARE MODE")
                ready.set()
                release.wait(120)
                cur.execute("ROLLBACK")
        finally:
            conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert ready.wait(10)
        yield
    finally:
        release.set()
        holder.join(30)


def worker_waits_on_the_lock() -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE %s",
            ["%articles_sentence%"],
        )
        return cur.fetchone()[0] > 0


def end_sessions_waiting_on_the_lock() -> None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND query ILIKE %s",
            ["%articles_sentence%"],
        )
