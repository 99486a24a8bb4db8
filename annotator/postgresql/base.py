"""Django's PostgreSQL backend, whose health check costs no round trip when nothing is wrong.

With ``CONN_HEALTH_CHECKS`` Django checks a kept connection before a request (or
a Celery task) first uses it, by running ``SELECT 1``: one more round trip on
every request (one of the five statements of a new label's write). A
connection that broke while it sat idle shows it on its socket: the server
closed it (restart, ``pg_terminate_backend``, ``idle_session_timeout``) or
sent something nobody asked for, so the socket is readable. Here a connection
that psycopg still holds open, outside a transaction, with nothing waiting on
its socket is taken as usable; any other is checked with ``SELECT 1`` as
before, and replaced if that fails. After an error in a request Django still
asks the server (``close_if_unusable_or_obsolete`` calls ``is_usable``).

What neither check sees before the first statement is a peer that vanished
without a word (a network cut): ``SELECT 1`` would have hung on it as the
first statement now does.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not (self._looks_usable() or self.is_usable()):
            self.close()
        self.health_check_done = True

    def _looks_usable(self) -> bool:
        """Open, idle and quiet: no sign that the server ended it (no round trip)."""
        connection = self.connection
        if connection.closed or connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
