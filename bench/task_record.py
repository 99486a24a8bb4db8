"""The project's Celery app, recording every finished task run to a file.

Benchmarks that check that no work ran twice start their workers with
``celery -A task_record worker`` (with bench/ on PYTHONPATH and
``BENCH_TASK_RECORD`` naming a file). After each task run, the process that ran
it appends one JSON line: task name, arguments, result, state and the worker's
node name. Appends of one short line with O_APPEND do not interleave, so every
worker and child may write to the same file.
"""

from __future__ import annotations

import json
import os

from celery.signals import task_postrun

from annotator.celery import app

__all__ = ["app"]


@task_postrun.connect
def task_ran(sender=None, task_id=None, task=None, args=None, retval=None, state=None, **_kw):
    path = os.environ.get("BENCH_TASK_RECORD")
    if not path:
        return
    line = {
        "task": getattr(task, "name", str(sender)),
        "id": task_id,
        "args": list(args or ()),
        "result": retval if isinstance(retval, str | int | None) else repr(retval),
        "state": state,
        "worker": getattr(getattr(task, "request", None), "hostname", None),
    }
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(line) + "\n").encode())
    finally:
        os.close(fd)
