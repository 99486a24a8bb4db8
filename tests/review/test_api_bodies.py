"""Whole response bodies of the workflow API, written by review.api.serializers."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from review.services.assignment import assignment_create
from review.services.workflow import corpus_workflow_refresh
from tests.review.conftest import label_sentences, labelable


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def disputed(corpus, article, annotator, reviewer):
    label_sentences(article, annotator, "claim")
    label_sentences(article, reviewer, ["speculation", "claim", "claim"])
    return labelable(article)[0]


def test_gold_body(api, reviewer, disputed):
    api.force_authenticate(reviewer)
    response = api.put(
        f"/api/sentences/{disputed.pk}/gold/",
        {"label": "speculation", "note": "hedged", "source": ""},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "sentence": disputed.pk,
        "label": "speculation",
        "origin": "adjudicated",
        "decided_by": "rita",
        "note": "hedged",
        "source": "",
    }


def test_queue_body_and_its_query(api, reviewer, corpus, disputed, article):
    api.force_authenticate(reviewer)
    url = f"/api/corpora/{corpus.slug}/adjudication/"
    body = api.get(url).json()
    assert (body["count"], body["next"], body["ranked_at"]) == (1, None, None)
    [item] = body["results"]
    assert {k: v for k, v in item.items() if k != "labels"} == {
        "sentence": disputed.pk,
        "article": article.pk,
        "article_title": article.title,
        "index": disputed.index,
        "text": disputed.text,
        "previous": item["previous"],
        "next": labelable(article)[1].text,
        "entropy": round(item["entropy"], 4),
    }
    assert item["entropy"] == 0.6931  # ln 2, rounded to four places
    assert sorted(item["labels"], key=lambda x: x["annotator"]) == [
        {"annotator": "anna", "label": "claim", "note": "", "source": ""},
        {"annotator": "rita", "label": "speculation", "note": "", "source": ""},
    ]
    for query, field in [
        ("offset=x", "offset"),
        ("limit=1.5", "limit"),  # each names itself
        ("offset=-1", "offset"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("limit=", "limit"),  # empty is refused, not read as absent
        ("limit=5&limit=6", "limit"),  # so is a parameter given twice
        ("cursor=nonsense", "cursor"),
        ("cursor=nonsense&offset=x", "cursor offset"),  # every bad parameter is named
    ]:
        bad = api.get(f"{url}?{query}")
        assert bad.status_code == 400, query
        assert sorted(bad.json()["error"]["fields"]) == field.split(), query
    assert api.get(f"{url}?offset=1&limit=100").json()["results"] == []


def test_next_article_and_assignment_bodies(api, owner, annotator, corpus, article):
    api.force_authenticate(annotator)
    response = api.post(f"/api/corpora/{corpus.slug}/next-article/", {}, format="json")
    assert response.json() == {
        "article": {"id": article.pk, "title": article.title, "status": "ready"}
    }
    label_sentences(article, annotator, "claim")
    [row] = api.get(f"/api/corpora/{corpus.slug}/assignments/").json()
    assert dt.datetime.fromisoformat(row.pop("assigned_at"))
    assert row == {
        "article": article.pk,
        "title": article.title,
        "labeled": len(labelable(article)),
        "total": len(labelable(article)),
        "finished": True,
        "finished_at": row["finished_at"],
    }
    api.force_authenticate(owner)
    corpus.overlap = 2  # the annotator holds the article already; the owner takes the 2nd seat
    corpus.save(update_fields=["overlap"])
    body = {"article": article.pk, "annotator": owner.pk}
    created = api.post(f"/api/corpora/{corpus.slug}/assignments/", body, format="json")
    again = api.post(f"/api/corpora/{corpus.slug}/assignments/", body, format="json")
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json() == again.json() == body
    missing = api.post(
        f"/api/corpora/{corpus.slug}/assignments/", {**body, "article": 10**9}, format="json"
    )
    assert missing.json()["error"]["fields"] == {"article": ["No such article in this corpus."]}
    url = f"/api/corpora/{corpus.slug}/assignments/{article.pk}/{owner.pk}/"
    assert api.delete(url).status_code == 204
    assert api.delete(url).status_code == 404


def test_agreement_and_progress_bodies(api, owner, corpus, disputed, article):
    api.force_authenticate(owner)
    empty = api.get(f"/api/corpora/{corpus.slug}/agreement/").json()
    assert empty == {
        "computed_at": None,
        "duration_ms": 0,
        "labels_seen": 0,
        "queued": False,
        "error": "",
        "figures": {},
    }
    corpus_workflow_refresh(corpus_id=corpus.pk)
    body = api.get(f"/api/corpora/{corpus.slug}/agreement/").json()
    assert body["computed_at"].endswith("Z")
    assert [a["id"] for a in body["figures"]["articles"]] == [article.pk]
    progress = api.get(f"/api/corpora/{corpus.slug}/progress/").json()
    [(day, count)] = progress["progress_by_day"]
    assert (len(dt.date.fromisoformat(day).isoformat()), count) == (10, len(labelable(article)) + 3)
    assert progress["articles_by_status"] == {
        "pending": 0,
        "segmenting": 0,
        "ready": 1,
        "failed": 0,
    }
    assert {lab["key"]: lab["count"] for lab in progress["labels"]}["speculation"] == 1
    anna = next(p for p in progress["annotators"] if p["username"] == "anna")
    assert set(anna) == {
        "user_id",
        "username",
        "role",
        "sentences_done",
        "articles_done",
        "assigned",
        "assigned_finished",
        "labels_per_hour",
        "last_active",
    }
    assert (anna["role"], anna["articles_done"]) == ("annotator", 1)


def test_assignments_owner_only_for_members(api, owner, annotator, outsider, corpus, article):
    assignment_create(article=article, annotator=annotator, assigned_by=owner)
    api.force_authenticate(owner)
    response = api.post(
        f"/api/corpora/{corpus.slug}/assignments/",
        {"article": article.pk, "annotator": outsider.pk},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["annotator"]
