"""A worker SIGKILLed in the middle of an import: the work ends done exactly once.

A bulk import runs in batches that each commit their articles and the job's counters
together (docs/architecture.md, "An article's journey", step 2). The worker's whole process
group is killed after some batches committed and before the job finished; the broker (a
private Redis) delivers the unacknowledged task again to a second worker, which continues
after the last committed batch. At the end: the job is done with every row counted once,
one article per row, and each article segmented into exactly one set of sentences
(invariant 2).

A batch's segmentation messages are sent after its commit; a worker killed in between
loses them, and its articles would wait as ``pending`` for good. The reconciler every
worker runs sends them again, so the workers here sweep often (``RECONCILE_EVERY_SECONDS``,
``REQUEUE_QUEUED_AFTER_SECONDS``).
"""

from __future__ import annotations

import pytest

from imports.models import ImportJob
from tests.faults.queued_imports import imports_queue, wait_imported_and_segmented_once
from tests.plugins.worker import worker_env
from tests.waiting import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 600  # enough batches that the worker is provably mid-job when it is killed
BATCH = 5
WORKER = {
    "IMPORT_BATCH_SIZE": str(BATCH),
    "RECONCILE_EVERY_SECONDS": "2",
    "REQUEUE_QUEUED_AFTER_SECONDS": "5",
    # The dead worker's unacknowledged message comes back from Redis after its visibility
    # timeout, unless the worker died holding the transport's restore lock; then the
    # reconciler sends the job again once it has been running this long without a new send.
    "WORK_STUCK_AFTER_SECONDS": "10",
}


def test_an_import_whose_worker_is_killed_mid_job_ends_done_exactly_once(
    corpus, owner, private_redis, worker_factory
):
    broker = private_redis(persistent=True)
    first = worker_factory(broker_url=broker.url, **WORKER)
    [job_id] = imports_queue(
        worker_env(broker_url=broker.url), corpus=corpus, owner=owner, jobs=1, rows=ROWS
    )

    def some_batches_committed() -> bool:
        return ImportJob.objects.filter(pk=job_id, done__gte=BATCH).exists()

    wait_for(some_batches_committed, interval=0.01, message=lambda: first.output()[-3000:])
    first.kill()
    job = ImportJob.objects.get(pk=job_id)
    assert job.status == ImportJob.Status.RUNNING and job.done < ROWS, (
        f"the job was not mid-way when its worker died: {job.status}, {job.done}/{ROWS}"
    )

    second = worker_factory(broker_url=broker.url, **WORKER)
    wait_imported_and_segmented_once(corpus, [job_id], rows=ROWS, worker=second, segment_timeout=90)
