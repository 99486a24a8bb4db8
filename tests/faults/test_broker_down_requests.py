"""Requests that queue work while the broker is down: no 500, nothing half-done, nothing lost.

The app runs under gunicorn with a private Redis as its broker, and Redis is SIGKILLed.
Creating an article (``POST /api/corpora/{slug}/articles/``) or an import
(``POST /api/corpora/{slug}/imports/``) then either succeeds, its row being the record that
work is due, or answers 503 with nothing stored; never a 500 over a committed row (whose
retry would meet "already in the corpus"). Once Redis and a worker are back, the reconciler
sends what could not be sent and the work completes (docs/architecture.md: nothing waits
forever).
"""

from __future__ import annotations

import httpx
import pytest

from accounts.services import token_create
from articles.models import Article
from imports.models import ImportJob
from tests.plugins.worker import worker_env
from tests.waiting import wait_for

pytestmark = [pytest.mark.faults, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ARTICLE = "The minister resigned on Monday, officials said. Critics may call it overdue."
IMPORTED = "The budget passed late at night. Its critics say it will likely fail."


def send_until_accepted(send, *, created) -> list[int]:
    """Send until the server takes it; every answer before that is a 503 that stored nothing."""
    statuses = []
    for _ in range(2):
        response = send()
        statuses.append(response.status_code)
        assert response.status_code < 500 or response.status_code == 503, response.text[:500]
        assert "json" in response.headers.get("content-type", ""), response.text[:500]
        if response.status_code < 300:
            return statuses
        assert not created(), f"a {response.status_code} answer stored the row anyway"
    return statuses


def test_work_requested_while_the_broker_is_down_is_done_once_it_is_back(
    corpus, owner, private_redis, web_server, worker_factory, tmp_path
):
    broker = private_redis(persistent=False)
    server = web_server(worker_env(broker_url=broker.url), workers=1, threads=2)
    _, secret = token_create(user=owner, name="fault test")
    client = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Token {secret}"}, timeout=60
    )

    broker.kill()
    article_statuses = send_until_accepted(
        lambda: client.post(
            f"/api/corpora/{corpus.slug}/articles/", json={"text": ARTICLE, "title": "Down"}
        ),
        created=lambda: Article.objects.filter(corpus=corpus, title="Down").exists(),
    )
    import_statuses = send_until_accepted(
        lambda: client.post(
            f"/api/corpora/{corpus.slug}/imports/",
            data={"kind": "text", "text": IMPORTED, "title": "Imported"},
        ),
        created=lambda: ImportJob.objects.filter(corpus=corpus).exists(),
    )

    broker.start()
    if article_statuses[-1] == 503 or import_statuses[-1] == 503:
        # Refused with nothing stored: the client's retry, now the broker is back, is taken.
        if article_statuses[-1] == 503:
            assert (
                client.post(
                    f"/api/corpora/{corpus.slug}/articles/", json={"text": ARTICLE, "title": "Down"}
                ).status_code
                == 201
            )
        if import_statuses[-1] == 503:
            assert (
                client.post(
                    f"/api/corpora/{corpus.slug}/imports/",
                    data={"kind": "text", "text": IMPORTED, "title": "Imported"},
                ).status_code
                == 202
            )
    worker = worker_factory(
        broker_url=broker.url, RECONCILE_EVERY_SECONDS="2", REQUEUE_QUEUED_AFTER_SECONDS="5"
    )

    def all_done() -> bool:
        articles = Article.objects.filter(corpus=corpus)
        return (
            ImportJob.objects.filter(corpus=corpus, status="done").count() == 1
            and articles.count() == 2
            and not articles.exclude(status=Article.Status.READY).exists()
        )

    wait_for(
        all_done,
        timeout=60,
        message=lambda: (
            f"answers while down: articles {article_statuses}, imports {import_statuses}; "
            f"articles: {list(Article.objects.values_list('title', 'status'))}; jobs: "
            f"{list(ImportJob.objects.values_list('status', 'error'))}\n{worker.output()[-3000:]}"
        ),
    )
    assert sorted(Article.objects.filter(corpus=corpus).values_list("title", flat=True)) == [
        "Down",
        "Imported",
    ]
    assert all(article.sentences.count() == 2 for article in Article.objects.filter(corpus=corpus))
