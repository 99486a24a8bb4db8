"""The broker killed and restarted while imports wait for a worker: every job completes.

Jobs are created by the app (``imports.services``, in a subprocess pointed at a private
Redis) while no worker runs, so their messages sit in the broker; Redis is then SIGKILLed
and started again on the same folder, and only then does a worker start.

- With append-only persistence (what docker-compose.yml runs), the messages survive and
  the worker runs them.
- Without persistence the messages are gone; the reconciler every worker runs
  (``RECONCILE_EVERY_SECONDS``) re-sends jobs whose message went out more than
  ``REQUEUE_QUEUED_AFTER_SECONDS`` ago with no worker starting them (docs/architecture.md:
  nothing waits forever).
"""

from __future__ import annotations

import pytest
import redis

from tests.faults.queued_imports import imports_queue, wait_imported_and_segmented_once
from tests.plugins.worker import process_queue, worker_env

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

JOBS = 6
ROWS = 5


def queued_messages(url: str) -> int:
    return redis.Redis.from_url(url).llen(process_queue())


def test_queued_imports_survive_a_broker_kill_with_append_only_persistence(
    corpus, owner, private_redis, worker_factory
):
    broker = private_redis(persistent=True, appendfsync="everysec")  # as docker-compose.yml
    job_ids = imports_queue(
        worker_env(broker_url=broker.url), corpus=corpus, owner=owner, jobs=JOBS, rows=ROWS
    )
    assert queued_messages(broker.url) == JOBS

    broker.kill()
    broker.start()
    worker = worker_factory(broker_url=broker.url)

    wait_imported_and_segmented_once(corpus, job_ids, rows=ROWS, worker=worker)


def test_imports_whose_messages_the_broker_lost_are_sent_again_and_complete(
    corpus, owner, private_redis, worker_factory
):
    broker = private_redis(persistent=False)
    job_ids = imports_queue(
        worker_env(broker_url=broker.url), corpus=corpus, owner=owner, jobs=JOBS, rows=ROWS
    )
    assert queued_messages(broker.url) == JOBS

    broker.kill()
    broker.start()
    assert queued_messages(broker.url) == 0  # the messages are lost: only the rows remain
    worker = worker_factory(
        broker_url=broker.url, RECONCILE_EVERY_SECONDS="2", REQUEUE_QUEUED_AFTER_SECONDS="5"
    )

    wait_imported_and_segmented_once(corpus, job_ids, rows=ROWS, worker=worker)
