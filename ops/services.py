"""Writes about the running system: each worker's heartbeat, the reconciler's sweeps, and the
planner's statistics after bulk writes."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from annotator.queue import queue_depth, task_try_send
from ops.models import WorkerHeartbeat

log = logging.getLogger(__name__)


def worker_heartbeat_touch(*, hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname[:255], defaults={"seen_at": timezone.now()}
    )


def worker_heartbeat_clear(*, hostname: str) -> None:
    WorkerHeartbeat.objects.filter(hostname=hostname[:255]).delete()


def unsent_work_resend(
    *,
    rows: QuerySet[Model],
    task: str,
    now: dt.datetime | None = None,
    queue_depth: int | None = None,
    batch: int = 100,
) -> int:
    """The sweep of rows that record background work (``status`` queued/running,
    ``sent_at``, ``started_at``): send their task again; how many were sent.

    Due are rows never sent (the broker was down); queued and sent
    ``REQUEUE_QUEUED_AFTER_SECONDS`` ago while the queue is empty (``queue_depth``
    0: the message was lost); running with no start for ``WORK_STUCK_AFTER_SECONDS``
    (past the task's hard time limit, so its worker is gone: the task's claim
    counts the lost start). Each row is taken by a conditional UPDATE of
    ``sent_at``, so two sweeping workers never both send it; if the broker
    refuses, the row is marked unsent again and the sweep stops until next time.
    """
    now = now or timezone.now()
    requeue_before = now - dt.timedelta(seconds=settings.REQUEUE_QUEUED_AFTER_SECONDS)
    stuck_before = now - dt.timedelta(seconds=settings.WORK_STUCK_AFTER_SECONDS)
    due = Q(status="queued", sent_at__isnull=True)
    if queue_depth == 0:
        due |= Q(status="queued", sent_at__lt=requeue_before)
    due |= Q(status="running", started_at__lt=stuck_before) & (
        Q(sent_at__isnull=True) | Q(sent_at__lt=stuck_before)
    )
    sent = 0
    for pk, status, sent_at in (
        rows.filter(due).order_by("pk").values_list("pk", "status", "sent_at")[:batch]
    ):
        unchanged = Q(sent_at__isnull=True) if sent_at is None else Q(sent_at=sent_at)
        if not rows.filter(unchanged, pk=pk, status=status).update(sent_at=now):
            continue  # another worker took it
        if not task_try_send(task, pk):
            rows.filter(pk=pk).update(sent_at=None)
            break  # the broker is down: the next sweep tries again
        sent += 1
    return sent


# name -> sweep(now=..., queue_depth=...) -> how many were sent again.
Sweep = Callable[..., int]
_sweeps: dict[str, Sweep] = {}


def sweep_register(name: str, sweep: Sweep) -> None:
    """Add an app's sweep (from its AppConfig.ready); registering a name twice replaces it."""
    _sweeps[name] = sweep


def sweep_all(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Run every registered sweep once; how many items each sent again.

    The queue's depth is read once: sweeps resend work that is merely waiting
    only when nothing waits in the queue (else the message is likely there).
    """
    now = now or timezone.now()
    depth = queue_depth()
    sent: dict[str, int] = {}
    for name, sweep in sorted(_sweeps.items()):
        try:
            sent[name] = sweep(now=now, queue_depth=depth)
        except Exception:  # one failing sweep must not stop the others (logged)
            log.warning("reconciler: the %s sweep failed", name, exc_info=True)
            sent[name] = 0
    if any(sent.values()):
        log.info("reconciler sent again: %s", sent)
    return sent


# A bulk import adds rows far faster than autovacuum, which looks once a minute,
# notices them: meanwhile PostgreSQL plans the article list and the dataset pages
# from the statistics of a nearly empty table (seconds a page instead of
# milliseconds). A table whose rows changed by more than this share (and at least
# the floor) since its last ANALYZE is analyzed again by the work that changed it.
# The planner scales the row count it last saw by the table's size now; what a new
# ANALYZE brings is the values' distribution, which a table that grows by rows of
# the same kind keeps. Once per doubling: a 1,000-article import (57,000 sentences)
# analyzes its sentences 6 times instead of 16 (1.1 s of the database's 7.7 s of
# CPU for that import), and the last statistics describe at least half the rows.
STATISTICS_STALE_SHARE = 1.0
STATISTICS_STALE_FLOOR = 1_000


def table_statistics_refresh(*, models: list[type[Model]]) -> list[str]:
    """ANALYZE the tables of ``models`` whose statistics are stale; the tables analyzed.

    PostgreSQL only (SQLite plans without such statistics). Cheap when nothing is
    stale: one read of the statistics views.
    """
    if connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:  # type: ignore[attr-defined]
            # This connection's own writes count too: flushed to the statistics
            # views when this statement ends, not up to a second later.
            cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT s.relname, s.n_mod_since_analyze, c.reltuples FROM pg_stat_user_tables s "
            "JOIN pg_class c ON c.oid = s.relid WHERE s.relname = ANY(%s)",
            [tables],
        )
        stale = [
            name
            for name, changed, rows in cursor.fetchall()
            if changed > max(STATISTICS_STALE_FLOOR, STATISTICS_STALE_SHARE * max(rows, 0))
        ]
        for name in stale:
            # The name comes from our own models, not from input.
            cursor.execute(f'ANALYZE "{name}"')
    if stale:
        log.info("statistics refreshed: %s", ", ".join(stale))
    return stale
