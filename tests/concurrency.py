"""Calls run side by side in threads, each on a database connection of its own; something
held open on another thread while the test acts; and a connection of its own for a test to
act as another session (PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from django.db import connection

_KEYS = ("dbname", "user", "password", "host", "port")


def side_by_side(*calls: Callable[[], object]) -> list[BaseException]:
    """Run ``calls`` in threads started together; the exceptions they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def run(call) -> None:
        try:
            barrier.wait()
            call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def other_connection(**options):
    """A psycopg connection of its own to the test database: another session, whose
    locks and commits the test's own connection sees as another client's."""
    import psycopg

    params = connection.get_connection_params()
    return psycopg.connect(**{k: params[k] for k in _KEYS if params.get(k)}, **options)


@contextmanager
def held_elsewhere(
    enter: Callable[[], AbstractContextManager], *, seconds: float = 10
) -> Iterator[list[BaseException]]:
    """Enter ``enter()`` on a thread of its own (a database connection of its own) and stay
    inside it until the block ends or ``seconds`` pass; yields the list its errors go to."""
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with enter():
                holding.set()
                release.wait(seconds)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(30)
    try:
        yield errors
    finally:
        release.set()
        thread.join(30)
