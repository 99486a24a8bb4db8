import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init

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
