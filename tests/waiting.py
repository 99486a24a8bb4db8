"""Waiting for what another process or thread does: a worker, the live server, a browser."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(
    predicate,
    *,
    timeout: float = 30,
    interval: float = 0.1,
    message: str | Callable[[], str] = "",
):
    """Poll ``predicate`` until it returns something truthy, and return that.

    ``message`` may be a function, called only on timeout, so it can say what the state
    was then (a worker's log so far, a job's counters).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    text = message() if callable(message) else message
    raise AssertionError(text or f"condition not met within {timeout}s")
