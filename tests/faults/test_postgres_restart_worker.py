"""PostgreSQL restarted while a worker imports: the job still ends done, exactly once.

A private cluster and a private Redis; a bulk import queued by the app, a worker running it
in small batches, and ``pg_ctl restart -m fast`` once some batches committed. The batch in
flight is rolled back, the task is retried (the database errors are transient), and the job
continues after its last committed batch: every row imported once, every article segmented
into one set of sentences (docs/architecture.md: nothing waits forever, even when the
database restarts).
"""

from __future__ import annotations

import json

import psycopg
import pytest

from imports.models import ImportJob
from tests.plugins.servers import django_command
from tests.plugins.worker import worker_env
from tests.waiting import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker]

ROWS = 150
BATCH = 5

QUEUE_IMPORT = f"""
import json
from django.contrib.auth import get_user_model
from corpora.services.corpora import corpus_create
from imports.services import import_file_create

owner = get_user_model().objects.create_user("owner")
corpus = corpus_create(name="Restart while importing", owner=owner)
rows = [
    json.dumps({{"text": f"Row {{i}} says the plan will fail. Critics may disagree.",
                 "title": f"Row {{i}}"}})
    for i in range({ROWS})
]
data = "\\n".join(rows).encode()
job = import_file_create(corpus=corpus, user=owner, filename="b.jsonl", data=data)
print(json.dumps({{"job": job.pk}}))
"""

OUTCOME = """
import json
from articles.models import Article, Sentence
from imports.models import ImportJob
job = ImportJob.objects.get()
print(json.dumps({
    "job": [job.status, job.total, job.done, job.failed, job.duplicates, job.error],
    "titles": sorted(Article.objects.values_list("title", flat=True)),
    "statuses": sorted(set(Article.objects.values_list("status", flat=True))),
    "sentences": Sentence.objects.count(),
}))
"""


def test_an_import_survives_a_postgres_restart_mid_job(
    private_postgres, private_redis, worker_factory, tmp_path
):
    broker = private_redis(persistent=True)
    servers = {
        "database_url": private_postgres.url,
        "broker_url": broker.url,
        "ANNOTATOR_DATA_DIR": str(tmp_path / "data"),
        "IMPORT_BATCH_SIZE": str(BATCH),
    }
    env = worker_env(**servers)
    django_command(env, "migrate", "--verbosity=0")
    job_id = json.loads(django_command(env, "shell", "-c", QUEUE_IMPORT).splitlines()[-1])["job"]
    worker = worker_factory(**servers)

    def progress() -> tuple[str, int]:
        with psycopg.connect(private_postgres.url) as conn:
            return conn.execute(
                f"SELECT status, done FROM {ImportJob._meta.db_table} WHERE id = %s", [job_id]
            ).fetchone()

    wait_for(lambda: progress()[1] >= BATCH, interval=0.01, message=lambda: worker.output()[-3000:])
    private_postgres.restart(mode="fast")
    status, done = progress()
    assert status == "running" and done < ROWS, f"the job was not mid-way: {status}, {done}"

    def outcome() -> dict | None:
        result = json.loads(django_command(env, "shell", "-c", OUTCOME).splitlines()[-1])
        finished = result["job"][0] in ("done", "failed") and result["statuses"] == ["ready"]
        return result if finished and result["sentences"] == 2 * ROWS else None

    result = wait_for(outcome, timeout=60, interval=1, message=lambda: worker.output()[-3000:])
    assert result["job"] == ["done", ROWS, ROWS, 0, 0, ""]
    assert result["titles"] == sorted(f"Row {i}" for i in range(ROWS))
