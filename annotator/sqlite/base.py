"""Django's SQLite backend, whose writers queue instead of polling for the write lock.

SQLite lets one writer in at a time. Django's transactions here start with
``BEGIN IMMEDIATE``, and one that finds the database taken waits in SQLite's
busy handler, which sleeps in growing steps (1, 2, 5, 10, 15, 20, 25 ms, then
25 to 100 ms) between tries: with eight request threads labeling at once, a
write that had waited a few steps slept on long after the lock was free, and
the slowest label writes took hundreds of milliseconds for 2 ms of work.

So two things change, both only in how a writer waits:

- Threads of one process queue on a lock of that process (one per database
  file) before ``BEGIN``, and the next one goes in as soon as the one before
  commits, rolls back or closes its connection. A queued thread sleeps on the
  lock: it neither polls SQLite nor takes the interpreter's lock from the
  thread that holds the database, which eight pollers did hundreds of times a
  second.
- ``BEGIN`` is then tried without SQLite's wait and, while another process
  (the worker, another web process) holds the database, again after a pause
  that starts at 0.1 ms and grows to at most 1 ms.

The connection's ``timeout`` bounds the whole wait, in the queue and at
``BEGIN`` ("database is locked" after it, as before). SQLite's lock stays the
only guarantee: the queue lets no one in that SQLite would not, it only orders
the threads of a process. Statements outside a transaction keep SQLite's own
wait. A waiter holds no lock and no CPU; the GIL is released while it waits.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from django.db.backends.sqlite3 import base

FIRST_PAUSE = 0.0001
LONGEST_PAUSE = 0.001

_queues: dict[str, threading.Lock] = {}
_queues_guard = threading.Lock()


def _forget_queues() -> None:
    # A child process (gunicorn, Celery) starts with queues of its own.
    global _queues_guard
    _queues.clear()
    _queues_guard = threading.Lock()


os.register_at_fork(after_in_child=_forget_queues)


def writer_queue(name: str) -> threading.Lock:
    """The lock the writing threads of this process queue on for the database ``name``."""
    with _queues_guard:
        return _queues.setdefault(str(name), threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _queued: threading.Lock | None = None

    def _start_transaction_under_autocommit(self):
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        deadline = time.monotonic() + timeout
        begin = f"BEGIN {self.transaction_mode}" if self.transaction_mode else "BEGIN"
        if self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE") and not self.is_in_memory_db():
            # A deferred BEGIN takes no write lock: only writers queue.
            queue = writer_queue(self.settings_dict["NAME"])
            if not queue.acquire(timeout=timeout):
                with self.wrap_database_errors:
                    raise sqlite3.OperationalError("database is locked")
            self._queued = queue
        try:
            self._begin_when_free(begin, deadline, timeout)
        except BaseException:
            self._leave_queue()
            raise

    def _begin_when_free(self, begin: str, deadline: float, timeout: float) -> None:
        raw = self.connection
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            pause = FIRST_PAUSE
            while True:
                try:
                    raw.execute(begin)
                    return
                except sqlite3.OperationalError as exc:
                    busy = getattr(exc, "sqlite_errorname", "") == "SQLITE_BUSY"
                    if not busy or time.monotonic() + pause > deadline:
                        with self.wrap_database_errors:
                            raise
                time.sleep(pause)
                pause = min(pause * 1.5, LONGEST_PAUSE)
        finally:
            raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")

    def _leave_queue(self) -> None:
        queue, self._queued = self._queued, None
        if queue is not None:
            queue.release()

    # The transaction ends in one of these; leaving the queue early is always
    # safe (SQLite's own lock still keeps the next writer out until it is free).
    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_queue()
