"""Fixtures of the accounts tests."""

from __future__ import annotations

import pytest
from django.test.utils import override_settings


@pytest.fixture
def redis_sessions(private_redis):
    """Sessions read from a private Redis (accounts/sessions.py), as docker-compose runs them;
    yields the Redis server (its ``kill()`` takes the cache down)."""
    server = private_redis(persistent=False)
    caches = {
        "default": {
            "BACKEND": "annotator.cache.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=caches, SESSION_ENGINE="accounts.sessions"):
        yield server
