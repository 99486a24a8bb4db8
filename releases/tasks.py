"""Celery tasks of releases: thin wrappers that load by id and call a service."""

from __future__ import annotations

from celery import shared_task

from annotator.queue import TRANSIENT_ERRORS
from annotator.task_limits import BoundedTask, limit_reason
from releases.services.build import release_build
from releases.services.releases import release_fail


class ReleaseTask(BoundedTask):
    def give_up(self, task_id: str, args: tuple, reason: str) -> None:
        release_fail(release_id=args[0], reason=reason)


@shared_task(bind=True, base=ReleaseTask, acks_late=True, reject_on_worker_lost=True, max_retries=3)
def build_release(self, release_id: int) -> str:
    """Build a release from one read of the database; a retry starts the build over.

    A passing database error is retried (the partial files of the attempt are
    thrown away); any other error, or a time or memory limit, ends the release
    failed with the reason (``BoundedTask``).
    """
    try:
        return release_build(release_id=release_id)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            release_fail(
                release_id=release_id,
                reason=f"The database was unavailable after {self.max_retries} retries: {exc}",
            )
            raise
        # Back to queued so the retry's claim is not counted as a lost worker.
        raise self.retry(exc=exc, countdown=2**self.request.retries) from exc
    except Exception as exc:
        release_fail(
            release_id=release_id,
            reason=limit_reason(exc)
            or f"Stopped on an unexpected error: {type(exc).__name__}: {exc}",
        )
        raise
