"""Every endpoint against every role, a non-member and an anonymous caller.

docs/architecture.md, invariant 4: access only through membership.

Non-members get 404 for another corpus's objects and never its data;
members whose role lacks the right get 403 naming the roles that have it;
anonymous callers get 401.
"""

from __future__ import annotations

import pytest

from accounts.services import token_create

pytestmark = pytest.mark.django_db

ROLES = ["owner", "annotator", "reviewer", "viewer", "outsider", "anonymous"]


def _codes(owner, annotator, reviewer, viewer, outsider, anonymous=401):
    return dict(zip(ROLES, [owner, annotator, reviewer, viewer, outsider, anonymous], strict=True))


MEMBERS_READ = _codes(200, 200, 200, 200, 404)
LABELERS_WRITE = _codes(201, 201, 201, 403, 404)

# (method, path template, body, expected status per persona)
MATRIX = [
    ("get", "/api/corpora/", None, _codes(200, 200, 200, 200, 200)),
    ("get", "/api/corpora/{slug}/", None, MEMBERS_READ),
    ("get", "/api/corpora/{slug}/members/", None, MEMBERS_READ),
    ("get", "/api/corpora/{slug}/articles/", None, MEMBERS_READ),
    (
        "post",
        "/api/corpora/{slug}/articles/",
        {"text": "A fresh text. It has two sentences.", "title": "New"},
        _codes(201, 403, 403, 403, 404),
    ),
    ("get", "/api/articles/{article}/", None, MEMBERS_READ),
    ("get", "/api/articles/{article}/sentences/?limit=5", None, MEMBERS_READ),
    (
        "put",
        "/api/sentences/{sentence}/annotation/",
        {"label": "claim", "version": 0},
        LABELERS_WRITE,
    ),
    (
        "delete",
        "/api/sentences/{sentence}/annotation/?version=0",
        None,
        _codes(204, 204, 204, 403, 404),
    ),
    ("get", "/api/sentences/{sentence}/history/", None, MEMBERS_READ),
    ("get", "/api/corpora/{slug}/history/", None, MEMBERS_READ),
    (
        "post",
        "/api/annotations/bulk/",
        {"annotations": [{"sentence": "{sentence}", "label": "claim"}]},
        _codes(200, 200, 200, 403, 404),
    ),
    ("get", "/api/datasets/sentences/?corpus={slug}", None, MEMBERS_READ),
    ("get", "/api/corpora/{slug}/export.jsonl", None, MEMBERS_READ),
    ("get", "/api/corpora/{slug}/export.csv", None, MEMBERS_READ),
    ("get", "/api/corpora/{slug}/export.parquet", None, MEMBERS_READ),
    ("get", "/api/articles/{article}/suggestions/", None, MEMBERS_READ),
    ("get", "/api/corpora/{slug}/suggestion-models/", None, _codes(200, 403, 200, 200, 404)),
    ("post", "/api/corpora/{slug}/suggestion-models/", None, _codes(202, 403, 403, 403, 404)),
    ("get", "/api/corpora/{slug}/suggestion-settings/", None, MEMBERS_READ),
    (
        "patch",
        "/api/corpora/{slug}/suggestion-settings/",
        {"next_policy": "document"},
        _codes(200, 403, 403, 403, 404),
    ),
    (
        "post",
        "/api/corpora/{slug}/predictions/",
        {
            "model_name": "outside",
            "model_version": "1",
            "predictions": [{"sentence": "{sentence}", "label": "claim", "score": 0.5}],
        },
        _codes(201, 403, 403, 403, 404),
    ),
    ("get", "/api/corpora/{slug}/next-sentence/", None, _codes(200, 200, 200, 403, 404)),
    ("get", "/api/tokens/", None, _codes(200, 200, 200, 200, 200)),
    ("post", "/api/tokens/", {"name": "laptop"}, _codes(201, 201, 201, 201, 201)),
    ("delete", "/api/tokens/{owner_token}/", None, _codes(204, 404, 404, 404, 404)),
    ("get", "/api/schema/", None, _codes(200, 200, 200, 200, 200)),
    ("get", "/api/docs/", None, _codes(200, 200, 200, 200, 200)),
]


def _fill(value, names: dict):
    if isinstance(value, str):
        filled = value.format(**names)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX]
)
def test_endpoint_answers_each_role(
    role, method, path, body, expected, persona, client_for, corpus, article, owner, sentence
):
    owner_token, _ = token_create(user=owner, name="owner's")
    names = {
        "slug": corpus.slug,
        "article": article.pk,
        "sentence": sentence.pk,
        "owner_token": owner_token.pk,
    }
    client = client_for(persona(role))
    response = getattr(client, method)(_fill(path, names), _fill(body, names), format="json")
    assert response.status_code == expected[role], response.content[:300]
    if response.status_code >= 400 and not response.streaming:
        error = response.json()["error"]
        assert error["code"] and error["message"]
    if role == "outsider" and expected[role] == 404:
        content = response.content.decode()
        assert corpus.name not in content and article.title not in content
        assert sentence.text not in content


@pytest.mark.parametrize("role", ["owner", "annotator", "reviewer", "viewer", "outsider"])
def test_token_users_act_as_themselves(role, persona, client_for, article, sentence):
    """The same rights by token as by session."""
    client = client_for(persona(role), token=True)
    read = client.get(f"/api/articles/{article.pk}/")
    write = client.put(
        f"/api/sentences/{sentence.pk}/annotation/", {"label": "claim", "version": 0}, format="json"
    )
    assert read.status_code == MEMBERS_READ[role]
    assert write.status_code == LABELERS_WRITE[role]


def test_forbidden_message_names_the_roles_that_may(client_for, viewer, sentence):
    response = client_for(viewer).put(
        f"/api/sentences/{sentence.pk}/annotation/", {"label": "claim", "version": 0}, format="json"
    )
    assert response.status_code == 403
    message = response.json()["error"]["message"]
    assert "viewer" in message and "annotator" in message


def test_session_writes_need_the_csrf_token(annotator, sentence):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=annotator.username, password="pw-" + annotator.username)
    url = f"/api/sentences/{sentence.pk}/annotation/"
    refused = client.put(url, {"label": "claim", "version": 0}, format="json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    client.get("/api/corpora/")  # no cookie yet: fetch one the way the page does
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    allowed = client.put(
        url,
        {"label": "claim", "version": 0},
        format="json",
        HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret),
    )
    assert allowed.status_code == 201
