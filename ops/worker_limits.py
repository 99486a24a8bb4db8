"""Per-child memory cap of the Celery worker's processes.

``WORKER_MAX_MEMORY_MB`` (Celery's max_memory_per_child) replaces a child that
has grown too big, but only between tasks. ``WORKER_MEMORY_LIMIT_MB`` also caps
each child's address space while it runs (RLIMIT_AS): a task that would
exhaust the machine's memory gets MemoryError, and its article or job ends
failed with that reason, instead of the kernel's OOM killer taking the worker.
"""

from __future__ import annotations

import logging
import resource

from celery.signals import worker_process_init
from django.conf import settings

log = logging.getLogger(__name__)


def memory_limit_bytes() -> int:
    return settings.WORKER_MEMORY_LIMIT_MB * 1024 * 1024


@worker_process_init.connect
def cap_child_memory(**_kwargs) -> None:
    limit = memory_limit_bytes()
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        log.info("worker child memory capped at %s MB", settings.WORKER_MEMORY_LIMIT_MB)
