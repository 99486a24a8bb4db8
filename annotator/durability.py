"""Transactions the system redoes if a database crash loses them: their commit does not
wait for the disk.

PostgreSQL's ``synchronous_commit = off`` for one transaction: COMMIT returns once
the transaction is committed and visible, and its log record reaches the disk within
the WAL writer's next round (``wal_writer_delay``, 200 ms by default) instead of
before COMMIT returns. A crash of the database server (not of the client: a worker
that dies after COMMIT loses nothing) may lose such transactions of its last moments,
each whole, never part of one, and never one that a later durable commit built on
(the log is written in order). So only work whose loss leaves the data as it was
before it, and which is done again on its own, may use it: segmenting an article
(the article stays pending or segmenting and the reconciler queues it again), never
what a person entered. SQLite: an ordinary transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def redoable_transaction() -> Iterator[None]:
    """``transaction.atomic()`` whose commit does not wait for the disk (PostgreSQL).

    Inside an outer transaction it applies to that transaction as a whole: callers
    are tasks, which run outside any.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield
