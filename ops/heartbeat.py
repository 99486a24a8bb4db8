"""Workers tell the database they are alive, so pages can say when none runs.

The embedded filesystem broker cannot broadcast a ping, so each worker's main
process touches a ``WorkerHeartbeat`` row every ``WORKER_HEARTBEAT_SECONDS``
from a daemon thread, and deletes it on a clean shutdown.
"""

from __future__ import annotations

import logging
import threading

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import connection

from ops.services import worker_heartbeat_clear, worker_heartbeat_touch

log = logging.getLogger(__name__)

_stop = threading.Event()


def _beat(hostname: str) -> None:
    while not _stop.is_set():
        try:
            worker_heartbeat_touch(hostname=hostname)
        except Exception:  # a missed beat must not kill the thread (logged)
            log.warning("worker heartbeat failed", exc_info=True)
        finally:
            # Do not hold a connection between beats (the database may restart).
            connection.close()
        _stop.wait(settings.WORKER_HEARTBEAT_SECONDS)


@worker_ready.connect
def start_heartbeat(sender=None, **_kwargs) -> None:
    hostname = getattr(sender, "hostname", None) or "worker"
    _stop.clear()
    threading.Thread(target=_beat, args=(hostname,), name="heartbeat", daemon=True).start()


@worker_shutdown.connect
def stop_heartbeat(sender=None, **_kwargs) -> None:
    _stop.set()
    hostname = getattr(sender, "hostname", None)
    if hostname:
        try:
            worker_heartbeat_clear(hostname=hostname)
        except Exception:  # shutting down anyway (logged)
            log.warning("could not clear the worker heartbeat", exc_info=True)
