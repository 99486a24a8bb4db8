"""Pointing this process's Celery app at another broker, e.g. one that is not there."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator

import pytest


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe closes


def _point_app_at(url: str) -> None:
    from annotator.celery import app

    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
    # Drop the cached connection and producer pools, as Celery does after a fork.
    app._pool = None
    if "amqp" in app.__dict__:
        app.__dict__["amqp"]._producer_pool = None


@pytest.fixture
def broker_switch() -> Iterator[Callable[[str | None], None]]:
    """``switch(url)`` sends this process's tasks to ``url``; ``switch(None)`` to a dead port.

    The configured broker is restored at the end.
    """
    from annotator.celery import app

    saved = app.conf.broker_url

    def switch(url: str | None) -> None:
        _point_app_at(url or f"redis://127.0.0.1:{_closed_port()}/0")

    yield switch
    _point_app_at(saved)
