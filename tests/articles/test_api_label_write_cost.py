"""The label write's hot path: a fixed number of statements, and access checked first."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Annotation

pytestmark = pytest.mark.django_db


def url(sentence) -> str:
    return f"/api/sentences/{sentence.pk}/annotation/"


def _statements(captured) -> list[str]:
    # Inside the test's transaction the write's BEGIN/COMMIT are a savepoint and
    # its release; the workflow refresh hook runs at the outer commit (never here).
    return [
        q["sql"].split()[0].upper()
        for q in captured.captured_queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def test_new_label_by_token_statements(client_for, annotator, sentence):
    """Token, sentence with role and label, then the write. On PostgreSQL the write is
    one statement (annotation, history event and labeled count); elsewhere three in
    one transaction: the annotation (its version from the history), the event and
    the count."""
    client = client_for(annotator, token=True)
    client.put(url(sentence), {"label": "claim", "version": 0}, format="json")  # token last-used
    other = sentence.article.sentences.filter(kind="sentence").exclude(pk=sentence.pk).first()
    with CaptureQueriesContext(connection) as captured:
        response = client.put(url(other), {"label": "claim", "version": 0}, format="json")
    assert response.status_code == 201, response.json()
    if connection.vendor == "postgresql":
        assert _statements(captured) == ["SELECT", "SELECT", "WITH"]
    else:
        assert _statements(captured) == ["SELECT", "SELECT", "INSERT", "INSERT", "INSERT"]


def test_changed_label_by_token_takes_five_statements(client_for, annotator, sentence):
    client = client_for(annotator, token=True)
    client.put(url(sentence), {"label": "claim", "version": 0}, format="json")
    with CaptureQueriesContext(connection) as captured:
        response = client.put(url(sentence), {"label": "speculation", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert _statements(captured) == ["SELECT", "SELECT", "SELECT", "UPDATE", "INSERT"]


@pytest.mark.parametrize(
    "body",
    [b"{not json", b'{"label": "claim", "version": -1}', b'{"label": 5, "version": 0}'],
)
def test_outsider_with_a_bad_body_gets_404_not_400(client_for, outsider, sentence, body):
    response = client_for(outsider, token=True).put(
        url(sentence), body, content_type="application/json"
    )
    assert response.status_code == 404, response.json()


def test_viewer_with_a_bad_body_gets_403_not_400(client_for, viewer, sentence):
    response = client_for(viewer, token=True).put(
        url(sentence), b'{"label": "claim"}', content_type="application/json"
    )
    assert response.status_code == 403, response.json()


def test_unknown_label_for_an_outsider_is_404(client_for, outsider, sentence):
    response = client_for(outsider, token=True).put(
        url(sentence), {"label": "no-such", "version": 0}, format="json"
    )
    assert response.status_code == 404


def test_label_found_with_the_sentence_keeps_its_source_rule(client_for, annotator, sentence):
    """The label comes from the joined lookup: its takes_source still decides."""
    client = client_for(annotator, token=True)
    refused = client.put(
        url(sentence), {"label": "claim", "source": "Reuters", "version": 0}, format="json"
    )
    assert refused.status_code == 400 and "source" in refused.json()["error"]["fields"]
    assert not Annotation.objects.filter(sentence=sentence).exists()


BODIES = [
    {"label": "claim", "version": 0},
    {"label": " claim ", "note": "  a note ", "source": "", "version": 3},
    {"label": "claim", "note": "x" * 10_000, "version": 2**31 - 1},
    {"label": "claim", "note": "x" * 10_001, "version": 1},
    {"label": "c" * 41, "version": 0},
    {"label": "   ", "version": 0},
    {"label": "claim", "version": -1},
    {"label": "claim", "version": 2**31},
    {"label": "claim", "version": True},
    {"label": "claim", "version": "1"},
    {"label": "claim", "version": 1.0},
    {"label": 5, "version": 0},
    {"label": "claim", "note": None, "version": 0},
    {"label": "claim", "note": "a\x00b", "version": 0},
    {"label": "claim", "note": "a\ud800b", "version": 0},
    {"label": "claim", "source": "   ", "version": 0},
    {"label": "claim", "note": 5, "version": 0},
    {"label": "claim", "version": 0, "extra": 1},
    {"version": 0},
    {"label": "claim"},
    ["claim", 0],
]


@pytest.mark.parametrize("body", BODIES)
def test_the_quick_body_check_agrees_with_the_serializer(body):
    """Whatever the shortcut accepts, the serializer accepts the same way; errors are its own.

    The shortcut reads the serializer's own fields, so a rule changed there
    changes both (the lone surrogate was once let through by a hand copy).
    """
    from rest_framework.exceptions import ValidationError

    from articles.api.serializers import AnnotationWriteSerializer
    from articles.api.views.annotations import _write_body

    serializer = AnnotationWriteSerializer(data=body)
    if serializer.is_valid():
        assert _write_body(body) == dict(serializer.validated_data)
    else:
        with pytest.raises(ValidationError) as refused:
            _write_body(body)
        assert refused.value.detail == serializer.errors


def test_the_label_write_body_takes_the_quick_path():
    """The shortcut is meant for this serializer: if it ever stops applying, say so."""
    from articles.api.views.annotations import _write_body

    assert _write_body.quick_path_applies()


def test_a_change_stores_its_values_and_moves_updated_at(client_for, annotator, sentence):
    """The change is a plain UPDATE: every column it sets lands, updated_at included
    (the dataset listing's changed_since reads it)."""
    client = client_for(annotator, token=True)
    client.put(url(sentence), {"label": "claim", "version": 0}, format="json")
    before = Annotation.objects.get(sentence=sentence, annotator=annotator)
    response = client.put(
        url(sentence), {"label": "speculation", "note": "maybe", "version": 1}, format="json"
    )
    assert response.status_code == 200
    stored = Annotation.objects.select_related("label").get(pk=before.pk)
    assert (stored.label.key, stored.note, stored.version) == ("speculation", "maybe", 2)
    assert stored.updated_at > before.updated_at
    assert stored.created_at == before.created_at
    assert response.json()["updated_at"].startswith(stored.updated_at.isoformat()[:19])
