"""Writes about the running system: each worker's heartbeat, and the reconciler's sweeps."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.utils import timezone

from annotator.queue import queue_depth
from ops.models import WorkerHeartbeat

log = logging.getLogger(__name__)


def worker_heartbeat_touch(*, hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname[:255], defaults={"seen_at": timezone.now()}
    )


def worker_heartbeat_clear(*, hostname: str) -> None:
    WorkerHeartbeat.objects.filter(hostname=hostname[:255]).delete()


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
