"""Workflow endpoints of the API, for every persona, and gold in the datasets."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from articles.models import GoldLabel
from review.models import Assignment
from review.services.adjudication import gold_label_decide
from review.services.assignment import assignment_create
from review.services.workflow import corpus_workflow_refresh
from tests.review.conftest import label, label_sentences, labelable

PERSONAS = ["owner", "reviewer", "annotator", "viewer", "outsider"]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def disputed(corpus, article, annotator, reviewer):
    label_sentences(article, annotator, "claim")  # every sentence: a finished article
    label_sentences(article, reviewer, ["speculation", "claim", "claim"])
    return labelable(article)[0]


def as_(api, request, persona):
    user = request.getfixturevalue(persona)
    api.force_authenticate(user)
    return user


@pytest.mark.parametrize(
    ("persona", "status"),
    list(zip(PERSONAS, [200, 200, 200, 403, 404], strict=True)),
)
def test_next_article_claims_a_seat_for_those_who_label(
    api, request, corpus, article, persona, status
):
    user = as_(api, request, persona)
    response = api.post(f"/api/corpora/{corpus.slug}/next-article/", {}, format="json")
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json()["article"]["id"] == article.pk
        assert Assignment.objects.filter(article=article, annotator=user).exists()
    else:
        assert "error" in response.json()


@pytest.mark.parametrize(
    ("persona", "status"),
    list(zip(PERSONAS, [201, 403, 403, 403, 404], strict=True)),
)
def test_only_owners_assign_over_the_api(api, request, corpus, article, annotator, persona, status):
    as_(api, request, persona)
    response = api.post(
        f"/api/corpora/{corpus.slug}/assignments/",
        {"article": article.pk, "annotator": annotator.pk},
        format="json",
    )
    assert response.status_code == status, response.content
    assert Assignment.objects.filter(article=article).exists() == (status == 201)


def test_an_assignment_to_a_stranger_names_the_field(api, owner, outsider, corpus, article):
    api.force_authenticate(owner)
    response = api.post(
        f"/api/corpora/{corpus.slug}/assignments/",
        {"article": article.pk, "annotator": outsider.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "annotator" in response.json()["error"]["fields"]


def test_my_assignments_and_unassigning(api, owner, annotator, corpus, article):
    assignment_create(article=article, annotator=annotator, assigned_by=owner)
    api.force_authenticate(annotator)
    rows = api.get(f"/api/corpora/{corpus.slug}/assignments/").json()
    assert [(r["article"], r["finished"]) for r in rows] == [(article.pk, False)]
    url = f"/api/corpora/{corpus.slug}/assignments/{article.pk}/{annotator.pk}/"
    assert api.delete(url).status_code == 403
    api.force_authenticate(owner)
    assert api.delete(url).status_code == 204
    assert api.delete(url).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    list(zip(PERSONAS, [200, 200, 403, 200, 404], strict=True)),
)
def test_agreement_and_progress_for_those_who_see_all_labels(
    api, request, corpus, disputed, persona, status
):
    corpus_workflow_refresh(corpus_id=corpus.pk)
    as_(api, request, persona)
    agreement = api.get(f"/api/corpora/{corpus.slug}/agreement/")
    progress = api.get(f"/api/corpora/{corpus.slug}/progress/")
    assert (agreement.status_code, progress.status_code) == (status, status)
    if status == 200:
        body = agreement.json()
        total = len(labelable(disputed.article))
        assert body["computed_at"] and body["labels_seen"] == total + 3
        assert body["figures"]["pairs"][0]["n"] == 3
        assert "progress" not in body["figures"]
        # Cohen's kappa per article, for each pair that co-labeled it (by user id).
        (article,) = body["figures"]["articles"]
        (pair,) = article["pairs"]
        ids = {a["id"] for a in body["figures"]["annotators"]}
        assert {pair["a"], pair["b"]} == ids and pair["n"] == 3 and "kappa" in pair
        people = {p["username"]: p for p in progress.json()["annotators"]}
        assert (people["anna"]["sentences_done"], people["anna"]["articles_done"]) == (total, 1)
        assert (people["rita"]["sentences_done"], people["rita"]["articles_done"]) == (3, 0)


@pytest.mark.parametrize(
    ("persona", "status"),
    list(zip(PERSONAS, [200, 200, 403, 403, 404], strict=True)),
)
def test_reviewers_read_the_queue_and_decide_gold(api, request, corpus, disputed, persona, status):
    user = as_(api, request, persona)
    queue = api.get(f"/api/corpora/{corpus.slug}/adjudication/")
    assert queue.status_code == status
    response = api.put(
        f"/api/sentences/{disputed.pk}/gold/",
        {"label": "speculation", "note": "hedged"},
        format="json",
    )
    assert response.status_code == status, response.content
    if status == 200:
        assert queue.json()["results"][0]["sentence"] == disputed.pk
        assert {x["annotator"] for x in queue.json()["results"][0]["labels"]} == {"anna", "rita"}
        gold = GoldLabel.objects.get(sentence=disputed)
        assert (gold.origin, gold.decided_by, gold.label.key) == (
            "adjudicated",
            user,
            "speculation",
        )
    else:
        assert not GoldLabel.objects.exists()


def test_a_gold_label_that_does_not_exist_is_a_400_naming_the_field(
    api, reviewer, corpus, disputed
):
    api.force_authenticate(reviewer)
    response = api.put(f"/api/sentences/{disputed.pk}/gold/", {"label": "nope"}, format="json")
    assert response.status_code == 400
    assert "label" in response.json()["error"]["fields"]
    bad = api.get(f"/api/corpora/{corpus.slug}/adjudication/?limit=0")
    assert bad.status_code == 400


def test_only_owners_toggle_unanimous_gold(api, owner, reviewer, corpus):
    url = f"/api/corpora/{corpus.slug}/workflow-settings/"
    api.force_authenticate(reviewer)
    assert api.patch(url, {"auto_gold_unanimous": True}, format="json").status_code == 403
    api.force_authenticate(owner)
    response = api.patch(url, {"auto_gold_unanimous": True}, format="json")
    assert response.json() == {"auto_gold_unanimous": True, "overlap": corpus.overlap}
    corpus.refresh_from_db()
    assert corpus.auto_gold_unanimous


def test_gold_appears_in_the_dataset_listing_and_the_export(api, owner, reviewer, corpus, disputed):
    gold_label_decide(
        sentence=disputed, label=label(corpus, "speculation"), reviewer=reviewer, note="hedged"
    )
    api.force_authenticate(owner)
    listing = api.get(f"/api/datasets/sentences/?corpus={corpus.slug}&gold=true")
    assert listing.status_code == 200, listing.content
    rows = listing.json()["results"]
    assert [r["gold"]["label"] for r in rows] == ["speculation"]
    assert rows[0]["gold"]["origin"] == "adjudicated"
    assert rows[0]["gold"]["decided_by"] == "rita"
    export = api.get(f"/api/corpora/{corpus.slug}/export.jsonl")
    assert export.status_code == 200
    lines = [json.loads(line) for line in b"".join(export.streaming_content).splitlines()]
    golds = [line["gold"] for line in lines if line.get("gold")]
    assert golds and golds[0]["label"] == "speculation" and golds[0]["origin"] == "adjudicated"
