"""What every Celery task shares: a limit that ends it ends its work as failed, with a reason.

Every task runs under ``TASK_SOFT_TIME_LIMIT_SECONDS`` (it is interrupted with
SoftTimeLimitExceeded and records why) and ``TASK_HARD_TIME_LIMIT_SECONDS``
(the child is killed; Celery then calls ``on_failure`` in the worker's main
process), and, when ``WORKER_MEMORY_LIMIT_MB`` is set, a child's memory cap
(MemoryError). ``BoundedTask`` turns each into ``give_up(task_id, args,
reason)``, which each task defines to mark its article or job failed.
"""

from __future__ import annotations

import signal
import threading

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.conf import settings


def limit_reason(exc: BaseException) -> str | None:
    """The message an analyst sees when ``exc`` is a limit, else None."""
    if isinstance(exc, SoftTimeLimitExceeded):
        return (
            f"Stopped after {settings.TASK_SOFT_TIME_LIMIT_SECONDS} s, the time limit of one "
            "background task (TASK_SOFT_TIME_LIMIT_SECONDS). Split the input into smaller "
            "pieces, or ask the administrator to raise the limit."
        )
    if isinstance(exc, TimeLimitExceeded):
        return (
            f"Killed after {settings.TASK_HARD_TIME_LIMIT_SECONDS} s, the hard time limit of "
            "one background task (TASK_HARD_TIME_LIMIT_SECONDS). Split the input into smaller "
            "pieces, or ask the administrator to raise the limit."
        )
    if isinstance(exc, MemoryError) or _out_of_memory(exc):
        return (
            f"Ran out of memory (each worker process may use {settings.WORKER_MEMORY_LIMIT_MB} MB,"
            " WORKER_MEMORY_LIMIT_MB). Split the input into smaller pieces."
        )
    return None


def _out_of_memory(exc: BaseException) -> bool:
    # The database driver says so in its own words when its buffers hit the cap.
    text = str(exc).lower()
    return "cannot allocate memory" in text or "out of memory" in text


def _soft_limit_reached(signum, frame):
    raise SoftTimeLimitExceeded()


class BoundedTask(Task):
    """A task whose work is marked failed, with the reason, when a limit ends it."""

    abstract = True

    def __call__(self, *args, **kwargs):
        # The prefork pool's own soft limit is signalled by the main process from
        # its event loop, which does not always fire (celery/celery#6873, seen here
        # under load). The child also sets its own timer, so the soft limit holds.
        limit = self.soft_time_limit or self.app.conf.task_soft_time_limit
        if not limit or threading.current_thread() is not threading.main_thread():
            return super().__call__(*args, **kwargs)
        previous = signal.signal(signal.SIGALRM, _soft_limit_reached)
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            return super().__call__(*args, **kwargs)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    def give_up(self, task_id: str, args: tuple, reason: str) -> None:
        raise NotImplementedError

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # In the child when the task raised (a soft limit, MemoryError, a bug); in
        # the main process when the hard limit killed the child. Nothing is left
        # "running" for the reconciler to find much later.
        reason = limit_reason(exc) or f"Stopped on an unexpected error: {type(exc).__name__}: {exc}"
        if args:
            self.give_up(task_id, tuple(args), reason)
        super().on_failure(exc, task_id, args, kwargs, einfo)
