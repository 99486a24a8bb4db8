"""Sessions read from a shared Redis (accounts/sessions.py), with the database behind it.

A real private Redis is the cache. A signed-in label write reads no session row;
signing out ends the session for every process (a fresh store, as another
process would build, finds nothing); with Redis killed, sign-in, requests and
sign-out keep working from the database.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts import sessions
from tests.plugins.api import label_put

pytestmark = pytest.mark.django_db


def test_a_signed_in_label_write_reads_no_session_row(redis_sessions, annotator, sentence):
    client = Client()
    client.force_login(annotator)
    with CaptureQueriesContext(connection) as captured:
        response = label_put(client, sentence, 0)
    assert response.status_code == 201, response.content
    sql = [q["sql"] for q in captured.captured_queries]
    assert not [s for s in sql if "django_session" in s], sql


def test_sign_out_ends_the_session_for_every_process(redis_sessions, annotator, sentence):
    client = Client()
    client.force_login(annotator)
    key = client.cookies["sessionid"].value
    assert sessions.SessionStore(key).load()  # another process's store finds it
    assert label_put(client, sentence, 0).status_code == 201
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert sessions.SessionStore(key).load() == {}
    stale = Client()
    stale.cookies["sessionid"] = key
    assert label_put(stale, sentence, 1, "speculation").status_code in (401, 403)


def test_with_the_cache_down_sessions_work_from_the_database(redis_sessions, annotator, sentence):
    client = Client()
    client.force_login(annotator)
    key = client.cookies["sessionid"].value
    redis_sessions.kill()
    assert label_put(client, sentence, 0).status_code == 201
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert sessions.SessionStore(key).load() == {}
    client.force_login(annotator)  # sign-in writes the database only
    assert label_put(client, sentence, 1, "speculation").status_code == 200


def test_a_cached_copy_lives_at_most_cached_seconds(redis_sessions, annotator):
    from django.core.cache import cache

    client = Client()
    client.force_login(annotator)
    key = client.cookies["sessionid"].value
    ttl = cache._cache.get_client().ttl(
        cache.make_and_validate_key(sessions.SessionStore.cache_key_prefix + key)
    )
    assert 0 < ttl <= sessions.CACHED_SECONDS
