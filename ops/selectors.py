"""Reads about the running system: is a worker alive?"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from ops.models import WorkerHeartbeat


def workers_alive(*, now: dt.datetime | None = None) -> bool:
    """Has any worker recorded a heartbeat within ``WORKER_STALE_AFTER_SECONDS``?"""
    now = now or timezone.now()
    fresh = now - dt.timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS)
    return WorkerHeartbeat.objects.filter(seen_at__gte=fresh).exists()
