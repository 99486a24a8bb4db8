"""Django's Redis cache, with one Redis client per server kept for the process.

Django's ``RedisCacheClient`` builds a new ``redis.Redis`` client around the
(kept) connection pool on every cache call. Building one is not free: with
sessions read from Redis (accounts/sessions.py) it was about a tenth of a
label write's CPU (issue #15; bench/README.md). A ``redis.Redis`` client is
safe to share between threads (each command takes a connection from the
pool), so one per server is kept and reused. Everything else is Django's.
"""

from __future__ import annotations

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
