"""A real Celery worker for the tests: a ``celery worker`` subprocess on the test database.

Each test process (pytest-xdist gives one per ``-n``) routes its tasks to a queue of its
own, so parallel runs never take each other's work. A test that uses ``celery_worker`` or
``worker_factory`` gets the ``worker`` marker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings
from django.db import connection

from tests.plugins import ROOT
from tests.waiting import stop_group, wait_started

WORKER_FIXTURES = {"celery_worker", "worker_factory"}


def pytest_collection_modifyitems(items):
    for item in items:
        if WORKER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.worker)


class WorkerProcess:
    """A ``celery worker`` subprocess on the test database and the configured broker."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> WorkerProcess:
        log = self.log_path.open("ab")
        self._offset = self.log_path.stat().st_size
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "annotator",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_started(
            self.proc,
            lambda: " ready." in self.output(),
            what="the worker",
            output=self.output,
            timeout=timeout,
            interval=0.2,
        )
        return self

    def output(self) -> str:
        return self.log_path.read_bytes()[self._offset :].decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole process group: no warm shutdown, no acknowledgement."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        stop_group(self.proc, timeout=15)


def process_queue() -> str:
    """This test process's queue: parallel test processes (pytest-xdist) get one each."""
    suffix = os.environ.get("PYTEST_XDIST_WORKER", "")
    base = settings.CELERY_TASK_DEFAULT_QUEUE
    return f"{base}-{suffix}" if suffix else base


@pytest.fixture(scope="session", autouse=True)
def _celery_queue_per_test_process():
    """Route this process's tasks to its own queue, so parallel runs never share work."""
    from annotator.celery import app

    app.conf.task_default_queue = process_queue()


def worker_env(
    *, database_url: str | None = None, broker_url: str | None = None, **extra: str
) -> dict[str, str]:
    """The environment of this test run, pointed at the test database.

    ``database_url`` and ``broker_url`` point it at other servers instead (the fault
    tests' private ones); ``extra`` sets further variables (``RECONCILE_EVERY_SECONDS="2"``).
    """
    env = dict(os.environ)
    env["CELERY_QUEUE"] = process_queue()
    db = connection.settings_dict
    if database_url:
        env["DATABASE_URL"] = database_url
    elif connection.vendor == "postgresql":
        parsed = dj_database_url.parse(settings.DATABASE_URL)
        user = parsed.get("USER") or ""
        password = f":{parsed['PASSWORD']}" if parsed.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        host = parsed.get("HOST") or "127.0.0.1"
        port = parsed.get("PORT") or 5432
        env["DATABASE_URL"] = f"postgres://{auth}{host}:{port}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    env["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    env.setdefault("CELERY_VISIBILITY_TIMEOUT", "5")
    # The test processes run at the usual priority: a lowered worker would wait behind the
    # suite's browsers and servers (tests/project/test_worker_priority.py checks the default).
    env.setdefault("WORKER_NICENESS", "0")
    # Trainings asked for by labels start at once unless a test sets a pause to wait for.
    env.setdefault("SUGGESTIONS_QUIET_SECONDS", "0")
    env.update(extra)
    return env


def purge_queue() -> None:
    """Drop the tasks waiting in this process's queue."""
    from annotator.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(process_queue())


@pytest.fixture
def worker_factory(transactional_db, tmp_path):
    """Start real workers; each is stopped (or already killed) at the end.

    ``worker_factory(broker_url=..., RECONCILE_EVERY_SECONDS="2")`` passes its keywords to
    ``worker_env``.
    """
    with contextlib.suppress(Exception):  # an absent queue has nothing to purge
        purge_queue()
    started: list[WorkerProcess] = []

    def start(**overrides: str) -> WorkerProcess:
        worker = WorkerProcess(worker_env(**overrides), tmp_path / "worker.log").start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def celery_worker(worker_factory) -> WorkerProcess:
    return worker_factory()
