"""Import jobs made by the app in a subprocess, so their messages go to a private broker.

The test process's own Celery app talks to the configured broker; a fault test's worker
listens on a private Redis. The jobs are therefore created by ``imports.services`` in a
``manage.py shell`` with that broker's URL, exactly as a web request would create them, and
the test reads the outcome from the shared test database.
"""

from __future__ import annotations

import json

from articles.models import Article, Sentence
from imports.models import ImportJob
from tests.plugins.servers import django_command
from tests.waiting import wait_for

CREATE = """
import json
from django.contrib.auth import get_user_model
from corpora.models import Corpus
from imports.services import import_file_create

corpus = Corpus.objects.get(pk={corpus_id})
owner = get_user_model().objects.get(pk={owner_id})
ids = []
for j in range({jobs}):
    rows = [
        json.dumps({{
            # Two sentences, distinct per job and row: no duplicates in the corpus.
            "text": f"Job {{j}} row {{i}} says the plan will fail. Critics may disagree.",
            "title": f"Job {{j}} row {{i}}",
        }})
        for i in range({rows})
    ]
    job = import_file_create(
        corpus=corpus, user=owner, filename=f"batch-{{j}}.jsonl", data="\\n".join(rows).encode()
    )
    ids.append(job.pk)
print(json.dumps(ids))
"""


SENTENCES_PER_ROW = 2


def imports_queue(env: dict[str, str], *, corpus, owner, jobs: int, rows: int) -> list[int]:
    """Create ``jobs`` JSONL imports of ``rows`` rows each; their tasks go to env's broker."""
    code = CREATE.format(corpus_id=corpus.pk, owner_id=owner.pk, jobs=jobs, rows=rows)
    return json.loads(django_command(env, "shell", "-c", code).strip().splitlines()[-1])


def imports_finished(job_ids: list[int]) -> bool:
    return not ImportJob.objects.filter(pk__in=job_ids).exclude(status="done").exists()


def imports_state(job_ids: list[int]) -> str:
    """Each job's status and counters, for a failure message."""
    jobs = ImportJob.objects.filter(pk__in=job_ids).order_by("pk")
    return "\n".join(
        f"job {j.pk}: {j.status} total={j.total} done={j.done} failed={j.failed} "
        f"duplicates={j.duplicates} error={j.error!r}"
        for j in jobs
    )


def assert_imported_exactly_once(corpus, job_ids: list[int], *, rows: int) -> None:
    """Every job done with every row counted once; one article per row, one set of sentences."""
    jobs = list(ImportJob.objects.filter(pk__in=job_ids).order_by("pk"))
    assert [(j.status, j.total, j.done, j.failed, j.duplicates) for j in jobs] == [
        ("done", rows, rows, 0, 0)
    ] * len(job_ids), imports_state(job_ids)
    assert not any(j.failures.exists() for j in jobs)
    titles = list(Article.objects.filter(corpus=corpus).values_list("title", flat=True))
    expected = {f"Job {j} row {i}" for j in range(len(job_ids)) for i in range(rows)}
    assert sorted(titles) == sorted(expected)  # each row once: nothing lost, nothing doubled


def segmented_once(corpus) -> bool:
    """Every article of the corpus ready, with exactly its two sentences."""
    articles = Article.objects.filter(corpus=corpus)
    if articles.exclude(status=Article.Status.READY).exists():
        return False
    sentences = Sentence.objects.filter(article__corpus=corpus)
    return sentences.count() == SENTENCES_PER_ROW * articles.count()


def segmentation_state(corpus) -> str:
    """Articles by status and the sentence count, for a failure message."""
    articles = Article.objects.filter(corpus=corpus)
    statuses = sorted(articles.values_list("status", flat=True))
    counts = {status: statuses.count(status) for status in set(statuses)}
    sentences = Sentence.objects.filter(article__corpus=corpus).count()
    waiting = list(
        articles.exclude(status=Article.Status.READY).values_list("title", flat=True)[:5]
    )
    return f"articles by status: {counts}; sentences: {sentences}; not ready: {waiting}\n"


def wait_imported_and_segmented_once(
    corpus, job_ids: list[int], *, rows: int, worker, segment_timeout: float = 60
) -> None:
    """Every job ends done with one article per row, then every article is segmented once."""
    wait_for(
        lambda: imports_finished(job_ids),
        timeout=60,
        message=lambda: imports_state(job_ids) + worker.output()[-3000:],
    )
    assert_imported_exactly_once(corpus, job_ids, rows=rows)
    wait_for(
        lambda: segmented_once(corpus),
        timeout=segment_timeout,
        message=lambda: segmentation_state(corpus) + worker.output()[-3000:],
    )
