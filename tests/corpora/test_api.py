"""The corpora API: detail with labels, guidelines and my role; my corpora; members."""

from __future__ import annotations

import pytest

from corpora.services.corpora import corpus_guidelines_update

pytestmark = pytest.mark.django_db


def test_corpus_detail_has_labels_guidelines_and_my_role(client_for, annotator, corpus):
    corpus_guidelines_update(corpus=corpus, guidelines="# Rules\n\n<script>x()</script>*be fair*")
    body = client_for(annotator).get(f"/api/corpora/{corpus.slug}/").json()
    assert body["my_role"] == "annotator"
    assert [label["key"] for label in body["labels"]] == ["claim", "speculation", "sourced_fact"]
    assert body["labels"][2]["takes_source"] is True
    assert set(body["labels"][0]) == {
        "key", "name", "description", "color", "shortcut", "order", "takes_source", "archived"
    }  # fmt: skip
    assert body["guidelines_version"] == 2
    assert (
        "<h1>Rules</h1>" in body["guidelines_html"]
        and "<em>be fair</em>" in body["guidelines_html"]
    )
    assert "<script>" not in body["guidelines_html"]


def test_corpus_list_shows_only_mine_with_roles(client_for, reviewer, corpus, outsider):
    body = client_for(reviewer).get("/api/corpora/").json()
    assert [(c["slug"], c["my_role"]) for c in body] == [(corpus.slug, "reviewer")]


def test_members_lists_roles(client_for, viewer, corpus):
    body = client_for(viewer).get(f"/api/corpora/{corpus.slug}/members/").json()
    assert [(m["username"], m["role"]) for m in body] == [
        ("anna", "annotator"),
        ("olivia", "owner"),
        ("rita", "reviewer"),
        ("victor", "viewer"),
    ]
