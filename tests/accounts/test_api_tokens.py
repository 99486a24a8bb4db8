"""Personal API tokens: created once-shown, hashed at rest, listed, revoked, expiring, throttled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import token_authenticate, token_create, token_digest

pytestmark = pytest.mark.django_db


def test_it_creates_a_token_shown_once_and_stored_hashed(client_for, annotator):
    response = client_for(annotator).post(
        "/api/tokens/", {"name": "notebook", "expires_in_days": 30}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    secret = body["key"]
    assert secret.startswith("ann_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=body["id"])
    assert stored.digest == token_digest(secret) and secret not in stored.digest
    assert stored.prefix == secret[:12]
    assert dt.timedelta(days=29) < stored.expires_at - timezone.now() <= dt.timedelta(days=30)
    listed = client_for(annotator).get("/api/tokens/").json()
    assert [t["name"] for t in listed] == ["notebook"]
    assert "key" not in listed[0] and "digest" not in listed[0]


def test_the_answer_carrying_the_secret_is_never_cached(client_for, annotator):
    created = client_for(annotator).post("/api/tokens/", {"name": "ci"}, format="json")
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"


def test_the_secret_authenticates_as_its_user_and_records_last_use(annotator, corpus):
    token, secret = token_create(user=annotator, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get("/api/corpora/")
    assert response.status_code == 200
    assert [c["slug"] for c in response.json()] == [corpus.slug]
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_stops_working(client_for, annotator):
    token, secret = token_create(user=annotator, name="old")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.delete(f"/api/tokens/{token.pk}/").status_code == 204
    assert client.get("/api/corpora/").status_code == 401


def test_someone_elses_token_cannot_be_revoked(client_for, annotator, reviewer):
    token, _ = token_create(user=reviewer, name="theirs")
    assert client_for(annotator).delete(f"/api/tokens/{token.pk}/").status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_expired_token_is_refused(annotator):
    past = timezone.now() - dt.timedelta(days=10)
    _, secret = token_create(user=annotator, name="short", expires_in_days=1, now=past)
    assert token_authenticate(secret=secret) is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get("/api/corpora/")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]


def test_zero_days_never_expires(annotator):
    token, _ = token_create(user=annotator, name="forever", expires_in_days=0)
    assert token.expires_at is None


@override_settings(API_TOKEN_DEFAULT_EXPIRY_DAYS=7)
def test_default_expiry_comes_from_settings(annotator):
    token, _ = token_create(user=annotator, name="default")
    assert token.expires_at - timezone.now() <= dt.timedelta(days=7)


def test_duplicate_name_is_400(client_for, annotator):
    client = client_for(annotator)
    client.post("/api/tokens/", {"name": "ci"}, format="json")
    response = client.post("/api/tokens/", {"name": "ci"}, format="json")
    assert response.status_code == 400
    assert "ci" in response.json()["error"]["fields"]["name"][0]


def test_a_token_cannot_mint_tokens(client_for, annotator):
    response = client_for(annotator, token=True).post("/api/tokens/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert "session" in response.json()["error"]["message"]


def test_inactive_user_token_is_refused(annotator):
    _, secret = token_create(user=annotator, name="gone")
    annotator.is_active = False
    annotator.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.get("/api/corpora/").status_code == 401


@override_settings(API_THROTTLE_RATE="3/min")
def test_token_clients_are_throttled_with_retry_after(annotator):
    from django.core.cache import cache

    cache.clear()
    _, secret = token_create(user=annotator, name="busy")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    codes = [client.get("/api/corpora/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/corpora/")
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 60
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert f"come back in {retry_after} s" in error["message"]
    cache.clear()


@override_settings(API_THROTTLE_RATE="2/min")
def test_the_browser_session_is_not_throttled(client_for, annotator):
    from django.core.cache import cache

    cache.clear()
    client = client_for(annotator)
    assert {client.get("/api/corpora/").status_code for _ in range(5)} == {200}
