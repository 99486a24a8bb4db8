"""The API tokens page: a signed-in user creates, sees once, lists and revokes tokens."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import ApiToken
from accounts.services import token_create, token_digest

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(annotator) -> Client:
    """The annotator's session, through Django's test client (no Chromium here)."""
    client = Client()
    client.force_login(annotator)
    return client


def test_it_creates_a_token_and_shows_the_key_once(signed_in, annotator):
    response = signed_in.post("/accounts/tokens/", {"name": "notebook", "expires_in_days": "30"})
    assert response.status_code == 201
    page = response.content.decode()
    key = re.search(r'id="token-key" class="token-key" value="([^"]+)"', page).group(1)
    token = ApiToken.objects.get(user=annotator, name="notebook")
    assert token.digest == token_digest(key)
    assert response["Cache-Control"] == "no-store"
    listed = signed_in.get("/accounts/tokens/").content.decode()
    assert "notebook" in listed and key not in listed and token.prefix in listed


def test_bad_input_is_shown_next_to_the_field(signed_in):
    response = signed_in.post("/accounts/tokens/", {"name": "", "expires_in_days": "soon"})
    assert response.status_code == 400
    assert "whole number of days" in response.content.decode()
    response = signed_in.post("/accounts/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert 'id="token-name-error"' in response.content.decode()


def test_it_revokes_only_my_tokens(signed_in, annotator, reviewer):
    mine, _ = token_create(user=annotator, name="mine")
    theirs, _ = token_create(user=reviewer, name="theirs")
    assert signed_in.post(f"/accounts/tokens/{mine.pk}/revoke/").status_code == 302
    assert signed_in.post(f"/accounts/tokens/{theirs.pk}/revoke/").status_code == 404
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["theirs"]


def test_the_page_lists_only_my_tokens(signed_in, reviewer):
    token_create(user=reviewer, name="rita-secret-pipeline")
    assert "rita-secret-pipeline" not in signed_in.get("/accounts/tokens/").content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
