"""Fixtures for the API tests of every app: a DRF client signed in as each persona, and by token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.services import token_create

PERSONAS = ["owner", "annotator", "reviewer", "viewer", "outsider", "anonymous"]


@pytest.fixture
def api():
    """An anonymous client; CSRF is enforced as in the browser."""
    return APIClient(enforce_csrf_checks=False)


@pytest.fixture
def client_for(db):
    """A client authenticated as ``user`` (by session, or by token with ``token=True``)."""

    def make(user, *, token: bool = False) -> APIClient:
        client = APIClient()
        if user is None:
            return client
        if token:
            _, secret = token_create(user=user, name=f"test-{user.username}")
            client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
        else:
            client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def persona(request, owner, annotator, reviewer, viewer, outsider):
    """The user for a persona name, or None for anonymous."""
    users = {
        "owner": owner,
        "annotator": annotator,
        "reviewer": reviewer,
        "viewer": viewer,
        "outsider": outsider,
        "anonymous": None,
    }
    return lambda name: users[name]


@pytest.fixture
def sentence(article):
    """The article's first labelable sentence."""
    return article.sentences.filter(kind="sentence").order_by("index").first()


def label_put(client, sentence, version: int, label: str = "claim"):
    """``PUT /api/sentences/{id}/annotation/`` as the labeling screen sends it."""
    return client.put(
        f"/api/sentences/{sentence.pk}/annotation/",
        {"label": label, "note": "", "source": "", "version": version},
        content_type="application/json",
    )
