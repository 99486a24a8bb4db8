"""The PostgreSQL backend's health check (annotator/postgresql): no round trip for a sound
connection, a new connection for one the server ended.

Each request (and each Celery task) starts with Django's ``close_old_connections``; the
check runs when the request first uses the connection. These tests run the same two steps
on the test database, outside a transaction, as a request does.
"""

from __future__ import annotations

import pytest
from django.db import close_old_connections, connection, connections

from tests.waiting import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def on_another_connection(sql: str, params: list) -> tuple | None:
    """Run ``sql`` on a second connection of the test database; its first row."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    finally:
        other.close()


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def last_statement(pid: int) -> str | None:
    row = on_another_connection("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
    return row[0] if row else None


def test_the_settings_choose_this_backend_with_health_checks():
    assert connection.settings_dict["ENGINE"] == "annotator.postgresql"
    assert connection.health_check_enabled


def test_a_sound_connection_is_reused_without_a_statement():
    pid = backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'the request before'")
    close_old_connections()  # the next request starts
    assert not connection.health_check_done

    connection.cursor().close()  # its first cursor runs the check

    assert connection.health_check_done
    assert connection.connection.info.backend_pid == pid
    # The server ran nothing since: the check asked it nothing.
    assert last_statement(pid) == "SELECT 'the request before'"


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it():
    pid = backend_pid()
    on_another_connection("SELECT pg_terminate_backend(%s)", [pid])
    wait_for(lambda: last_statement(pid) is None, timeout=10, message=f"backend {pid} lives on")
    close_old_connections()  # the next request starts

    new_pid = backend_pid()  # no OperationalError: the check found the ended connection

    assert new_pid != pid


def test_a_connection_in_a_transaction_is_asked_as_before():
    """Only an idle connection is judged by its socket; the others run ``SELECT 1``."""
    pid = backend_pid()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT 'inside'")
    try:
        connection.health_check_done = False
        connection.close_if_health_check_failed()
        assert connection.connection.info.backend_pid == pid
        assert last_statement(pid) == "SELECT 1"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ROLLBACK")
