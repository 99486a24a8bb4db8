"""Django's SQLite backend, whose transactions wait for the write lock in short steps.

SQLite lets one writer in at a time. Django's transactions here start with
``BEGIN IMMEDIATE``, and one that finds the database taken waits in SQLite's
busy handler, which sleeps in growing steps (1, 2, 5, 10, 15, 20, 25 ms, then
25 to 100 ms) between tries: with eight request threads labeling at once, a
write that had waited a few steps slept on long after the lock was free, and
the slowest label writes took hundreds of milliseconds for 2 ms of work.

Here ``BEGIN`` is tried without SQLite's wait and, while the database is taken,
again after a pause that starts at 0.1 ms and grows to at most 1 ms; the
connection's ``timeout`` still bounds the whole wait ("database is locked"
after it, as before). Statements outside a transaction keep SQLite's own wait.
A sleeping waiter holds no lock and no CPU; the GIL is released while it sleeps.
"""

from __future__ import annotations

import sqlite3
import time

from django.db.backends.sqlite3 import base

FIRST_PAUSE = 0.0001
LONGEST_PAUSE = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self):
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        begin = f"BEGIN {self.transaction_mode}" if self.transaction_mode else "BEGIN"
        raw = self.connection
        raw.execute("PRAGMA busy_timeout = 0")
        try:
            deadline = time.monotonic() + timeout
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
