"""The private servers behave as the fault tests rely on: a SIGKILLed Redis keeps what its
append-only file holds and loses everything without it; a restarted PostgreSQL keeps its data."""

from __future__ import annotations

import psycopg
import redis


def test_a_persistent_redis_keeps_acknowledged_writes_across_a_sigkill(private_redis):
    server = private_redis(persistent=True)
    redis.Redis.from_url(server.url).rpush("queue", "a", "b")
    port = server.port

    server.kill()
    assert not server.ping()
    server.start()

    assert server.port == port
    assert redis.Redis.from_url(server.url).lrange("queue", 0, -1) == [b"a", b"b"]


def test_a_redis_without_persistence_loses_everything_on_a_sigkill(private_redis):
    server = private_redis(persistent=False)
    redis.Redis.from_url(server.url).rpush("queue", "a")

    server.restart()

    assert redis.Redis.from_url(server.url).llen("queue") == 0


def test_a_private_postgres_keeps_its_data_across_a_restart(private_postgres):
    with psycopg.connect(private_postgres.url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (v int)")
        conn.execute("INSERT INTO t VALUES (1), (2)")
        port = conn.execute("SELECT current_setting('port')").fetchone()[0]

    private_postgres.restart()

    with psycopg.connect(private_postgres.url) as conn:
        assert conn.execute("SELECT sum(v) FROM t").fetchone()[0] == 3
    assert int(port) == private_postgres.port != 5432
