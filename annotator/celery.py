import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

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
