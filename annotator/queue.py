"""Sending a Celery task by its registered name once the current transaction commits.

Services queue background work through this module instead of importing the
tasks modules, which import the services: tasks stay the outer layer
(load by id, call one service) and no import cycle forms. Every name used
here is checked against the worker's registry by the test suite.
"""

from __future__ import annotations

from typing import Any

from celery import current_app
from django.db import InterfaceError, OperationalError, transaction

# Errors worth another try in a task: the database went away or was busy for a moment.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


def task_send(name: str, *args: Any, **options: Any) -> None:
    """Send the task now (raises if the broker cannot be reached)."""
    current_app.send_task(name, args=list(args), **options)


def task_send_on_commit(name: str, *args: Any, **options: Any) -> None:
    """Send the task after the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_send(name, *args, **options))
