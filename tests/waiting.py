"""Waiting for what another process or thread does: a worker, the live server, a browser."""

from __future__ import annotations

import time


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.1, message: str = ""):
    """Poll ``predicate`` until it returns something truthy, and return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(message or f"condition not met within {timeout}s")
