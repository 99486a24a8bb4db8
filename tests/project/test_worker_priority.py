"""Worker processes run below the web server's priority (WORKER_NICENESS, default 10).

A real ``celery worker`` is started with the shipped default and with 0; the nice value of
its pool processes (those that run the tasks), and of its session where it leads one, is
read from the operating system.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.plugins import ROOT

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


def _session_group(pid: int) -> str:
    """The autogroup of ``pid``: "/autogroup-123 nice 10", or "" for the kernel's root group
    (a process that no ``setsid`` separated from the first process's session, as under
    some CI runners and containers: it has no nice value of its own to read)."""
    return Path(f"/proc/{pid}/autogroup").read_text().strip()


def _session_niceness(pid: int) -> int:
    """The nice value of the autogroup of ``pid``, a session leader's."""
    group = _session_group(pid)
    assert group, f"process {pid} leads its session but is in the root group"
    return int(group.split()[-1])


def test_a_worker_leading_its_session_lowers_the_sessions_priority(worker_factory):
    """Across sessions the kernel weighs autogroups, not the processes' nice values."""
    worker = worker_factory(WORKER_NICENESS="")  # the fixture starts it in its own session
    assert os.getsid(worker.proc.pid) == worker.proc.pid
    assert _session_niceness(worker.proc.pid) == 10


def test_zero_leaves_the_sessions_priority_as_it_is(worker_factory):
    worker = worker_factory(WORKER_NICENESS="0")
    assert _session_niceness(worker.proc.pid) == 0


def _lower_session_priority(*, new_session: bool) -> tuple[str, str]:
    """What ``lower_session_priority(10)`` answers in a new process, and its autogroup."""
    code = (
        "from pathlib import Path; from annotator.celery import lower_session_priority;"
        "print(lower_session_priority(10)); print(Path('/proc/self/autogroup').read_text().strip())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        start_new_session=new_session,
    )
    answer, _, group = done.stdout.partition("\n")
    return answer, group.strip()


def test_a_process_that_does_not_lead_its_session_leaves_it_alone():
    """Its session holds other programs (the shell, perhaps the web server)."""
    before = _session_group(os.getpid())
    assert _lower_session_priority(new_session=False) == ("None", before)
    assert _session_group(os.getpid()) == before


def test_a_session_leader_raises_its_sessions_nice_value():
    answer, group = _lower_session_priority(new_session=True)
    assert answer == "10"
    assert group.endswith(" nice 10"), group
