"""Reads about the running system: is a worker alive, is every dependency reachable?"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Required, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from kombu import Connection

from ops.models import WorkerHeartbeat


def workers_alive(*, now: dt.datetime | None = None) -> bool:
    """Has any worker recorded a heartbeat within ``WORKER_STALE_AFTER_SECONDS``?"""
    now = now or timezone.now()
    fresh = now - dt.timedelta(seconds=settings.WORKER_STALE_AFTER_SECONDS)
    return WorkerHeartbeat.objects.filter(seen_at__gte=fresh).exists()


class Check(TypedDict, total=False):
    ok: Required[bool]
    error: str


BROKER_TIMEOUT_SECONDS = 2


def _check(probe: Callable[[], str | None]) -> Check:
    """Run one probe: it returns None when healthy, or says what is wrong."""
    try:
        problem = probe()
    # Whatever the driver raises (OperationalError, ConnectionError, OSError...)
    # is the answer, not a crash of the readiness page.
    except Exception as exc:  # noqa: BLE001 - reported in the check's "error"
        problem = f"{type(exc).__name__}: {exc}"
    return {"ok": True} if problem is None else {"ok": False, "error": problem}


def _database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def _broker() -> str | None:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem"):
        # The filesystem transport has no server: its folders are the broker.
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "processed_folder", "control_folder"):
            folder = Path(str(options[key]))
            if not folder.is_dir():
                return f"broker folder {folder} does not exist"
            if not os.access(folder, os.W_OK | os.X_OK):
                return f"broker folder {folder} is not writable"
        return None
    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
        )
    return None


def _cache() -> str | None:
    cache.get("ops:readyz")
    return None


def _worker() -> str | None:
    if workers_alive():
        return None
    return (
        f"no worker heartbeat in the last {settings.WORKER_STALE_AFTER_SECONDS} s: "
        "start a worker (celery -A annotator worker)"
    )


def system_readiness() -> dict[str, Check]:
    """Can this process serve and get background work done? One check per dependency."""
    checks = {"database": _check(_database), "broker": _check(_broker), "cache": _check(_cache)}
    # The heartbeat is a database row: without the database it cannot be read.
    checks["worker"] = (
        _check(_worker)
        if checks["database"]["ok"]
        else {"ok": False, "error": "unknown: the database is unreachable"}
    )
    return checks
