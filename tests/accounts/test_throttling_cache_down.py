"""The cache (Redis) down: token API calls and sign-in keep working; the limits fail open and
say so."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import throttling
from accounts.services import token_create

LOGIN = "/accounts/login/"


@pytest.fixture
def redis_cache(private_redis, settings, monkeypatch):
    """The default cache on a private redis-server this test may kill."""
    server = private_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "annotator.cache.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    monkeypatch.setattr(throttling, "_last_warned_at", None)
    return server


def warnings_from_throttling(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "accounts.throttling"]


def test_token_calls_are_served_while_the_cache_is_down(
    redis_cache, settings, corpus, owner, client_for, caplog
):
    settings.API_THROTTLE_RATE = "3/min"
    client = client_for(owner, token=True)
    # Up: the throttle counts in Redis and refuses the 4th call of the minute.
    assert [client.get("/api/corpora/").status_code for _ in range(4)] == [200, 200, 200, 429]

    redis_cache.kill()
    statuses = [client.get("/api/corpora/").status_code for _ in range(10)]
    assert statuses == [200] * 10  # no 5xx, and no limit while the counters are unreachable
    (warning,) = warnings_from_throttling(caplog)  # one line, not one per request
    assert warning.levelno == logging.WARNING
    assert "cache is unreachable" in warning.getMessage()


def test_the_warning_comes_again_after_its_interval(redis_cache, corpus, owner, client_for, caplog):
    client = client_for(owner, token=True)
    redis_cache.kill()
    assert client.get("/api/corpora/").status_code == 200
    throttling._last_warned_at -= throttling.WARN_EVERY_SECONDS  # as if a minute went by
    assert client.get("/api/corpora/").status_code == 200
    assert client.get("/api/corpora/").status_code == 200
    assert len(warnings_from_throttling(caplog)) == 2


def test_sign_in_and_token_checks_fail_open_while_the_cache_is_down(
    redis_cache, settings, annotator, caplog
):
    """No lockout can be counted, and none refuses: wrong passwords and bogus tokens get
    their usual answers, the right ones work, and nothing answers 5xx."""
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    settings.API_TOKEN_FAILURES_PER_ADDRESS = 2
    _, secret = token_create(user=annotator, name="real")
    redis_cache.kill()

    wrong = [
        Client().post(LOGIN, {"username": "anna", "password": "guess"}).status_code
        for _ in range(4)
    ]
    assert wrong == [200] * 4
    assert Client().post(LOGIN, {"username": "anna", "password": "pw-anna"}).status_code == 302

    def token_call(token: str) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.get("/api/corpora/").status_code

    assert [token_call("ann_bogus") for _ in range(4)] == [401] * 4
    assert token_call(secret) == 200
    assert "cache is unreachable" in warnings_from_throttling(caplog)[0].getMessage()
