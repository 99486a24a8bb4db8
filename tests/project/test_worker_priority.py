"""Worker processes run below the web server's priority (WORKER_NICENESS, default 10).

A real ``celery worker`` is started with the shipped default and with 0; the nice value of
its pool processes (those that run the tasks) is read from the operating system.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _pool_niceness(pid: int, expected: int, timeout: float = 15) -> list[int]:
    """The nice values of the worker's pool processes, once they all read ``expected``."""
    deadline = time.monotonic() + timeout
    values: list[int] = []
    while time.monotonic() < deadline:
        found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
        values = [os.getpriority(os.PRIO_PROCESS, int(child)) for child in found.stdout.split()]
        if values and all(value == expected for value in values):
            break
        time.sleep(0.2)
    return values


def test_pool_processes_run_ten_below_by_default(worker_factory):
    base = os.getpriority(os.PRIO_PROCESS, 0)
    worker = worker_factory(WORKER_NICENESS="")  # blank: the setting's default
    expected = min(base + 10, 19)
    assert _pool_niceness(worker.proc.pid, expected) == [expected]
    # The main process only takes messages and hands them on.
    assert os.getpriority(os.PRIO_PROCESS, worker.proc.pid) == base


def test_zero_leaves_the_priority_as_it_is(worker_factory):
    base = os.getpriority(os.PRIO_PROCESS, 0)
    worker = worker_factory(WORKER_NICENESS="0")
    assert _pool_niceness(worker.proc.pid, base) == [base]
