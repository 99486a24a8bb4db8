"""The embedded default's filesystem broker hands work on without a second's wait.

The transport has no wake-up: a worker whose prefetch is full or whose queue
was empty sleeps for the transport's polling interval before it looks again.
kombu's default of one second capped a bulk import's segmentation at one
article per second per worker process (1,000 articles: 8.5 minutes).
"""

import os

from tests.plugins import django_python

SERVER_ENV = {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ANNOTATOR_MODE", "DEBUG"}


def worker_transport(tmp_path, **env_vars) -> tuple[str, float]:
    """The transport and polling interval the Celery app of a fresh process connects with."""
    env = {k: v for k, v in os.environ.items() if k not in SERVER_ENV}
    env.update(ANNOTATOR_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="annotator.settings")
    env.update(env_vars)
    line = django_python(
        "from annotator.celery import app\n"
        "with app.connection_for_read() as conn:\n"
        "    print(conn.transport.driver_type, conn.transport.polling_interval)",
        env,
    )
    driver, interval = line.split()
    return driver, float(interval)


def test_the_filesystem_broker_is_polled_many_times_a_second(tmp_path):
    driver, interval = worker_transport(tmp_path)
    assert driver == "filesystem"
    assert 0 < interval <= 0.1, f"a worker sleeps {interval} s between looks at the queue"
