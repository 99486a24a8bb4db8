"""Guessing tokens: failed token attempts are limited per address.

Past ``API_TOKEN_FAILURES_PER_ADDRESS`` unknown, revoked or expired tokens from one address
within ``API_TOKEN_FAILURE_WINDOW_MINUTES``, every token request from that address gets 429
(the JSON error shape, ``Retry-After``), a valid token too, until the window ends.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import token_create, token_revoke

pytestmark = pytest.mark.django_db

ADDRESS = "192.0.2.10"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.API_TOKEN_FAILURES_PER_ADDRESS = 3
    settings.API_TOKEN_FAILURE_WINDOW_MINUTES = 15


def call(secret: str, address: str = ADDRESS, **headers):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get("/api/corpora/", REMOTE_ADDR=address, **headers)


def test_a_valid_token_is_refused_after_too_many_bogus_ones(annotator):
    _, secret = token_create(user=annotator, name="real")
    assert [call("ann_bogus").status_code for _ in range(3)] == [401, 401, 401]

    refused = call(secret)
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "throttled"
    assert "Too many requests with an unknown, revoked or expired token" in error["message"]
    assert "try again in 15 minutes" in error["message"]
    assert "a valid one too" in error["message"]
    assert 14 * 60 < int(refused["Retry-After"]) <= 15 * 60
    # Other addresses, and the browser session, are not concerned.
    assert call(secret, "198.51.100.20").status_code == 200
    session = APIClient()
    session.force_authenticate(user=annotator)
    assert session.get("/api/corpora/", REMOTE_ADDR=ADDRESS).status_code == 200


def test_revoked_expired_and_malformed_tokens_count_as_failures(annotator):
    revoked, revoked_secret = token_create(user=annotator, name="old")
    token_revoke(user=annotator, token_id=revoked.pk)
    past = timezone.now() - dt.timedelta(days=2)
    _, expired_secret = token_create(user=annotator, name="short", expires_in_days=1, now=past)
    _, secret = token_create(user=annotator, name="real")

    assert call(revoked_secret).status_code == 401
    assert call(expired_secret).status_code == 401
    assert call("two parts").status_code == 401
    assert call(secret).status_code == 429


def test_a_valid_token_works_again_once_the_window_has_passed(annotator, monkeypatch):
    _, secret = token_create(user=annotator, name="real")
    for _ in range(3):
        call("ann_bogus")
    assert call(secret).status_code == 429
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 15 * 60 + 1)
    assert call(secret).status_code == 200


def test_the_address_behind_trusted_proxies_is_the_one_counted(annotator, settings):
    """With one proxy, its X-Forwarded-For entry counts; a client's own entries do not."""
    settings.NUM_PROXIES = 1
    _, secret = token_create(user=annotator, name="real")
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        call("ann_bogus", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.5")
    assert call(secret, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert call(secret, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_without_trusted_proxies_x_forwarded_for_is_ignored(annotator):
    _, secret = token_create(user=annotator, name="real")
    for forged in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        call("ann_bogus", HTTP_X_FORWARDED_FOR=forged)
    assert call(secret, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429
