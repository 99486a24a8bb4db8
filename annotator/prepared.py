"""A cursor whose statements PostgreSQL plans once per connection (prepared statements).

Django sends every statement with its values written in (client-side
binding), so PostgreSQL parses and plans it afresh each time. For the few
hand-written statements that run on every label write, planning cost more
than running them (0.34 ms against 0.04 ms for the access-and-label lookup,
bench/api_label_profile.py --explain). Through ``prepared_cursor`` they are
sent with their values apart and prepared on first use: each connection plans
each statement once.

A prepared statement lives in its server session, so a pooler that hands one
client's statements to several server sessions (PgBouncer in transaction
mode) cannot carry it: ``DB_PREPARED_STATEMENTS=false`` turns this off.
Other databases get Django's own cursor.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


@contextmanager
def prepared_cursor() -> Iterator:
    """A Django cursor (query logging, error wrapping) whose ``execute`` prepares the
    statement on PostgreSQL; Django's own cursor elsewhere. Parameters by name or position,
    as with ``connection.cursor()``."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    preparing, logging = _classes()
    with connection.wrap_database_errors:
        raw = preparing(connection.connection)
    cursor = logging(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        yield cursor


# A threshold no statement reaches by being run: only those asked for are prepared.
_ASKED_ONLY = 2**31 - 1


@functools.cache
def _classes() -> tuple[type, type]:
    """Django's server-binding cursor with its every statement prepared, and a query
    logger for it (made once, on first use: the module loads without psycopg)."""
    from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
    from django.db.backends.utils import CursorWrapper

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            # psycopg prepares nothing on a connection without a threshold (Django's
            # default), and with one it keeps the text of every statement run (up to
            # 100): Django writes the values into its statements, so a bulk INSERT
            # stayed in memory. The threshold is set for this statement alone.
            self._conn.prepare_threshold = _ASKED_ONLY
            try:
                return super().execute(query, params, prepare=True, binary=binary)
            finally:
                self._conn.prepare_threshold = None

    class PreparedDebugWrapper(CursorDebugWrapper):
        # Logs the statement as written (placeholders, values apart): a prepared
        # execution leaves psycopg no query text for Django's usual log line.
        def execute(self, sql, params=None):
            with self.debug_sql(sql, params):
                return CursorWrapper.execute(self, sql, params)

    return PreparingCursor, PreparedDebugWrapper
