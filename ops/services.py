"""Writes about the running system: each worker's heartbeat."""

from __future__ import annotations

from django.utils import timezone

from ops.models import WorkerHeartbeat


def worker_heartbeat_touch(*, hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname[:255], defaults={"seen_at": timezone.now()}
    )


def worker_heartbeat_clear(*, hostname: str) -> None:
    WorkerHeartbeat.objects.filter(hostname=hostname[:255]).delete()
