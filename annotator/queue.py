"""Sending a Celery task by its registered name once the current transaction commits.

Services queue background work through this module instead of importing the
tasks modules, which import the services: tasks stay the outer layer
(load by id, call one service) and no import cycle forms. Every name used
here is checked against the worker's registry by the test suite.

The row a task works on is committed before the task is sent, so the row is
the outbox: when the broker cannot be reached the request still succeeds, the
sender's ``on_unsent`` marks the row unsent, and the reconciler that every
worker runs (``ops/reconciler.py``) sends it once the broker is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from amqp.exceptions import ChannelError
from celery import current_app
from django.db import InterfaceError, OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerOperationalError

log = logging.getLogger(__name__)

# Errors worth another try in a task: the database went away or was busy for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
# What sending raises when the broker is down or unreachable.
BROKER_ERRORS = (BrokerOperationalError, OSError)


def task_send(name: str, *args: Any, **options: Any) -> None:
    """Send the task now (raises one of ``BROKER_ERRORS`` if the broker cannot be reached)."""
    current_app.send_task(name, args=list(args), **options)


def task_try_send(name: str, *args: Any, **options: Any) -> bool:
    """Send the task now; False (logged) if the broker cannot be reached."""
    try:
        task_send(name, *args, **options)
    except BROKER_ERRORS:
        log.warning(
            "could not send %s%r: the broker is unreachable; the reconciler sends it later",
            name,
            tuple(args),
            exc_info=True,
        )
        return False
    return True


def queue_depth() -> int | None:
    """Messages waiting in the default queue (not those a worker holds); None if unreachable."""
    name = current_app.conf.task_default_queue
    try:
        with current_app.connection_for_read() as conn:
            return conn.default_channel.queue_declare(queue=name, passive=True).message_count
    except ChannelError:
        return 0  # the queue does not exist (yet): nothing waits in it
    except BROKER_ERRORS:
        log.warning("could not read the length of queue %s", name, exc_info=True)
        return None


def task_send_on_commit(
    name: str, *args: Any, on_unsent: Callable[[], None] | None = None, **options: Any
) -> None:
    """Send the task after the surrounding transaction commits (at once outside one).

    If the broker cannot be reached the error is logged, not raised (the data
    is committed; a 500 would tell the client to retry what already worked),
    and ``on_unsent`` is called to mark the work for the reconciler.
    """

    def send() -> None:
        if not task_try_send(name, *args, **options) and on_unsent is not None:
            on_unsent()

    transaction.on_commit(send)


def attempts_exhausted_reason(what: str, attempts: int) -> str:
    """Why work was given up after its worker was lost ``attempts`` times."""
    return (
        f"A worker started {what} {attempts} times and was lost each time before it "
        "finished (killed, out of memory, or over its time limit), so it was given up. "
        "Try again; if it fails the same way, the input is probably too large."
    )
