"""Waiting for what another process or thread does: a worker, the live server, a browser."""

from __future__ import annotations

import os
import signal
import subprocess
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


def wait_started(proc, ready, *, what: str, output, timeout: float, interval: float = 0.1) -> None:
    """Wait until a started process is ``ready()``; fail with its ``output()`` if it exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{output()}")
        if ready():
            return
        time.sleep(interval)
    raise RuntimeError(f"{what} did not start within {timeout}s:\n{output()}")


def stop_group(proc, *, timeout: float) -> None:
    """SIGTERM a process group (warm shutdown); SIGKILL it if it outlasts ``timeout``."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
