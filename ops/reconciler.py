"""Background work that heals itself: every worker sweeps for work whose message was lost.

A message can be lost (a broker restarted without persistence, a send that
failed while the broker was down) or its worker can die mid-task. The rows
say what should be happening, so each app registers a sweep that compares
them with the clock and sends again what nobody is doing (articles:
``articles_reconcile``; imports: ``import_jobs_reconcile``). Every worker's
main process runs all sweeps every ``RECONCILE_EVERY_SECONDS`` from a daemon
thread, in every configuration (the embedded filesystem broker too);
``manage.py reconcile`` runs them once. Sweeps take each row with a
conditional UPDATE, so workers sweeping at once never both send it, and the
tasks' claims make a duplicate delivery a no-op.
"""

from __future__ import annotations

import logging
import threading

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import connection

from ops.services import sweep_all

log = logging.getLogger(__name__)

_stop = threading.Event()


def _loop() -> None:
    while not _stop.wait(settings.RECONCILE_EVERY_SECONDS):
        try:
            sweep_all()
        except Exception:  # a failed round must not kill the thread (logged)
            log.warning("reconciler round failed", exc_info=True)
        finally:
            # Do not hold a connection between rounds (the database may restart).
            connection.close()


@worker_ready.connect
def start_reconciler(sender=None, **_kwargs) -> None:
    """Sweep at once (work lost while no worker ran), then every RECONCILE_EVERY_SECONDS."""
    _stop.clear()

    def run() -> None:
        try:
            sweep_all()
        except Exception:  # logged; the loop tries again
            log.warning("reconciler round failed", exc_info=True)
        finally:
            connection.close()
        _loop()

    threading.Thread(target=run, name="reconciler", daemon=True).start()


@worker_shutdown.connect
def stop_reconciler(sender=None, **_kwargs) -> None:
    _stop.set()
