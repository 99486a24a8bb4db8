"""Celery tasks of imports: thin wrappers that load by id and call a service."""

from __future__ import annotations

import logging

from celery import shared_task

from annotator.queue import TRANSIENT_ERRORS
from annotator.task_limits import BoundedTask
from imports.services import FetchRetry, import_job_fail, import_job_run

log = logging.getLogger(__name__)


class ImportTask(BoundedTask):
    def give_up(self, task_id: str, args: tuple, reason: str) -> None:
        import_job_fail(job_id=args[0], reason=reason)


@shared_task(bind=True, base=ImportTask, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def run_import_job(self, job_id: int) -> str:
    """Run an import job; a retry or redelivery continues after its last batch.

    A page fetch that failed for a passing reason is tried again after a
    growing wait; the job counts its tries (``IMPORT_FETCH_ATTEMPTS``), so this
    retry does not use up the database retries below. A time or memory limit
    ends the job as failed with the reason (``BoundedTask``).
    """
    try:
        return str(import_job_run(job_id=job_id))
    except FetchRetry as retry:
        log.info("import job %s: %s", job_id, retry)
        raise self.retry(countdown=retry.delay, max_retries=self.request.retries + 1) from None
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            import_job_fail(
                job_id=job_id,
                reason=f"The database was unavailable after {self.max_retries} retries: {exc}",
            )
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
