"""The cache (Redis) down: the API keeps serving token clients, and throttles again after.

The token throttle keeps its counters in the cache (``CACHE_URL``). The app runs under
gunicorn with a private Redis as its cache and a small rate, so the cache is seen to work
(the request past the rate gets 429). With Redis SIGKILLed the same token's reads and label
writes all succeed: the throttle fails open and logs it, never a 5xx. Once Redis is back the
limit applies again.
"""

from __future__ import annotations

import json

import httpx
import pytest

from accounts.services import token_create
from tests.plugins.worker import worker_env

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

RATE = 4


def test_token_clients_are_served_while_the_cache_is_down(
    article, annotator, private_redis, web_server, tmp_path
):
    cache = private_redis(persistent=False)
    server = web_server(
        worker_env(
            broker_url="filesystem://",  # the refresh tasks label writes queue wait in a folder
            ANNOTATOR_DATA_DIR=str(tmp_path / "data"),
            CACHE_URL=cache.url,
            API_THROTTLE_RATE=f"{RATE}/min",
        ),
        workers=1,
        threads=2,
    )
    _, secret = token_create(user=annotator, name="fault test")
    sentence = article.sentences.filter(kind="sentence").order_by("index").first()
    client = httpx.Client(
        base_url=server.url, headers={"Authorization": f"Token {secret}"}, timeout=30
    )
    version = 0

    def calls() -> list[httpx.Response]:
        """A read of the corpora, of the article, and a label change."""
        nonlocal version
        label = "claim" if version % 2 == 0 else "speculation"
        body = {"label": label, "note": "", "source": "", "version": version}
        answers = [
            client.get("/api/corpora/"),
            client.get(f"/api/articles/{article.pk}/"),
            client.put(f"/api/sentences/{sentence.pk}/annotation/", json=body),
        ]
        if answers[2].status_code in (200, 201):
            version = answers[2].json()["version"]
        return answers

    def statuses(answers: list[httpx.Response]) -> list[int]:
        return [answer.status_code for answer in answers]

    # The cache works: the rate applies to this token.
    assert statuses(calls()) == [200, 200, 201]
    assert statuses(client.get("/api/corpora/") for _ in range(2)) == [200, 429]

    cache.kill()
    down = [answer for _ in range(4) for answer in calls()]
    assert [a.status_code for a in down if a.status_code >= 500] == [], [
        (a.status_code, a.text[:300]) for a in down if a.status_code >= 500
    ]
    # Past the rate, and served: the throttle lets requests through while it cannot count.
    assert statuses(down) == [200, 200, 200] * 4
    assert version == 5
    assert "throttling" in server.log().lower()

    cache.start()
    assert statuses(client.get("/api/corpora/") for _ in range(RATE + 1)) == [200] * RATE + [429]
    assert json.loads(client.get("/api/corpora/").text)["error"]["code"] == "throttled"
