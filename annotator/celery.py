import os
from pathlib import Path

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_init, worker_process_init

from annotator.broker import register_filesystem_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
# ``filesystem://`` names this project's transport (annotator/broker.py).
register_filesystem_transport()

app = Celery("annotator")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def _check_database_connections(sender=None, **kwargs) -> None:
    """Before and after each task, Django's own check, as around a web request.

    With CELERY_DB_REUSE_MAX a worker keeps its database connection across
    tasks; this closes one that broke or outlived CONN_MAX_AGE and re-arms
    CONN_HEALTH_CHECKS, so a restarted database costs one reconnection, not a
    run of failed tasks. Eager tasks (run inside the caller's transaction) are
    left alone.
    """
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@worker_process_init.connect
def _yield_to_requests(**kwargs) -> None:
    """Each worker process runs below the web server's priority (``WORKER_NICENESS``).

    Segmentation, refreshes, trainings and release builds are background work: on a
    machine that also serves requests, the scheduler gives the web server the cores first
    and the worker the rest. On an idle machine the worker still gets every core. It does
    not shorten what the worker holds in the database (a write transaction, SQLite's one
    writer). 0 leaves the priority as it is.
    """
    from django.conf import settings

    lower_priority(settings.WORKER_NICENESS)


def lower_priority(niceness: int) -> int:
    """Add ``niceness`` to this process's nice value (never raises it back); the new value."""
    return os.nice(niceness) if niceness > 0 else os.nice(0)


@worker_init.connect
def _session_yields_to_requests(**kwargs) -> None:
    """The worker's session as a whole runs below the web server's (``WORKER_NICENESS``).

    Linux's autogroup scheduling (on by default) first shares the cores between
    sessions and only then, inside each session, by nice value: a worker started in
    a session of its own (``setsid``, a process supervisor that starts each program
    in its own session) and a web server in another shared the cores half and half
    whatever the pool's nice value said (measured: a CPU-bound process at nice 19
    in its own session took as much CPU as its neighbours at 0; with its session's
    nice at 19, a twelfth of theirs). Runs in the main process, before the pool
    starts, and only when that process leads its session, so that no other
    program's priority changes. Processes in a cgroup of their own (containers,
    systemd services) are scheduled by the cgroup's weight instead: docker-compose.yml
    gives the worker a smaller share.
    """
    from django.conf import settings

    lower_session_priority(settings.WORKER_NICENESS)


AUTOGROUP = Path("/proc/self/autogroup")


def lower_session_priority(niceness: int) -> int | None:
    """Raise this session's autogroup nice value to ``niceness`` where this process leads
    the session (never lowers it); the session's nice value then, or None when it was left
    alone (not the session's leader, no autogroup, 0 asked)."""
    if niceness <= 0 or os.getsid(0) != os.getpid():
        return None
    try:
        # "/autogroup-123 nice 0"
        current = int(AUTOGROUP.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None
    wanted = min(niceness, 19)  # the kernel's lowest priority
    if current >= wanted:
        return current
    try:
        AUTOGROUP.write_text(str(wanted))
    except OSError:  # not allowed here: the processes' own nice values still hold
        return current
    return wanted
