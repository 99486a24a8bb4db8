"""The cache (Redis) down: token API calls keep working; throttling fails open and says so."""

from __future__ import annotations

import logging

import pytest

from accounts import throttling


@pytest.fixture
def redis_cache(private_redis, settings, monkeypatch):
    """The default cache on a private redis-server this test may kill."""
    server = private_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
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
