"""A running worker keeps a heartbeat, so pages can say when no worker runs."""

from __future__ import annotations

import pytest

from ops.models import WorkerHeartbeat
from ops.selectors import workers_alive
from tests.waiting import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_running_worker_keeps_a_heartbeat(corpus, owner, worker_factory):
    assert not workers_alive()
    worker = worker_factory()
    wait_for(workers_alive, timeout=20, message=worker.output())
    worker.stop()
    assert not WorkerHeartbeat.objects.exists()  # a clean shutdown says goodbye
