"""GET /api/datasets/sentences/: rows with labels, filters, cursor pages, incremental sync."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles.models import GoldLabel
from articles.services.annotations import annotation_clear, annotation_set
from corpora.models import Label

pytestmark = pytest.mark.django_db


@pytest.fixture
def labeled(article, annotator, reviewer, owner):
    """Two annotators' labels on the first two sentences, gold on the first."""
    s1, s2 = article.sentences.filter(kind="sentence").order_by("index")[:2]
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    spec = Label.objects.get(corpus=article.corpus, key="speculation")
    annotation_set(sentence=s1, annotator=annotator, label=claim, note="a's note")
    annotation_set(sentence=s1, annotator=reviewer, label=spec)
    annotation_set(sentence=s2, annotator=reviewer, label=claim)
    GoldLabel.objects.create(
        sentence=s1, label=claim, origin="adjudicated", decided_by=owner, note="settled"
    )
    return s1, s2


def rows(client, query: str = "") -> list[dict]:
    response = client.get(f"/api/datasets/sentences/?{query}")
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def test_row_carries_article_sentence_labels_and_gold(client_for, owner, article, labeled):
    s1, _ = labeled
    row = next(r for r in rows(client_for(owner)) if r["sentence"]["id"] == s1.pk)
    assert row["corpus"] == article.corpus.slug
    assert row["article"] == {
        "id": article.pk,
        "title": article.title,
        "author": article.author,
        "outlet": article.outlet,
        "source_url": article.source_url,
        "published_on": None,
    }
    assert row["sentence"]["text"] == s1.text
    assert (row["sentence"]["start"], row["sentence"]["end"]) == (s1.start, s1.end)
    assert row["sentence"]["paragraph"] == s1.paragraph and row["sentence"]["kind"] == "sentence"
    assert [(a["annotator"], a["label"]) for a in row["annotations"]] == [
        ("anna", "claim"),
        ("rita", "speculation"),
    ]
    assert row["annotations"][0]["note"] == "a's note"
    assert row["annotations"][0]["guideline_version"] == article.corpus.guidelines_version
    assert row["gold"] == {
        "label": "claim",
        "origin": "adjudicated",
        "decided_by": "olivia",
        "note": "settled",
    }


def test_annotators_see_only_their_own_labels_and_no_gold(client_for, annotator, labeled):
    s1, s2 = labeled
    by_id = {r["sentence"]["id"]: r for r in rows(client_for(annotator))}
    assert [a["annotator"] for a in by_id[s1.pk]["annotations"]] == ["anna"]
    assert by_id[s2.pk]["annotations"] == []
    assert by_id[s1.pk]["gold"] is None


def test_outsiders_get_nothing(client_for, outsider, labeled):
    assert rows(client_for(outsider)) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("label=speculation", [0]),
        ("label=claim", [0, 1]),
        ("annotator=anna", [0]),
        ("gold=true", [0]),
    ],
)
def test_filters_pick_sentences(client_for, owner, labeled, query, expected):
    ids = [r["sentence"]["id"] for r in rows(client_for(owner), query)]
    assert ids == [labeled[i].pk for i in expected]


def test_annotator_filter_keeps_only_that_annotators_labels(client_for, owner, labeled):
    (row,) = rows(client_for(owner), "annotator=rita&label=speculation")
    assert [a["annotator"] for a in row["annotations"]] == ["rita"]


def test_article_and_kind_filters(client_for, owner, article, corpus, make_article, labeled):
    make_article(corpus, "Another text entirely. With two sentences.", title="Other")
    ids = {r["article"]["id"] for r in rows(client_for(owner), f"article={article.pk}")}
    assert ids == {article.pk}
    kinds = {r["sentence"]["kind"] for r in rows(client_for(owner), "kind=heading")}
    assert kinds == {"heading"}


def test_changed_since_catches_changes_and_clears(client_for, owner, annotator, labeled):
    s1, _s2 = labeled
    since = timezone.now()
    assert (
        rows(client_for(owner), f"changed_since={since.isoformat().replace('+00:00', 'Z')}") == []
    )
    annotation_clear(sentence=s1, annotator=annotator)
    query = "changed_since=" + since.isoformat().replace("+00:00", "Z")
    (row,) = rows(client_for(owner), query)
    assert row["sentence"]["id"] == s1.pk
    assert [a["annotator"] for a in row["annotations"]] == ["rita"]  # anna's is cleared


def test_changed_since_with_an_old_time_returns_everything_labeled(client_for, owner, labeled):
    old = (timezone.now() - dt.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    ids = [r["sentence"]["id"] for r in rows(client_for(owner), f"changed_since={old}")]
    assert ids == [s.pk for s in labeled]


def test_cursor_pages_walk_every_sentence_once(client_for, owner, article, labeled):
    client = client_for(owner)
    url, seen = "/api/datasets/sentences/?page_size=2", []
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [r["sentence"]["id"] for r in body["results"]]
        url = body["next"]
    assert seen == list(article.sentences.order_by("pk").values_list("pk", flat=True))


def test_listing_query_count_does_not_grow_with_page_size(
    client_for, owner, labeled, django_assert_max_num_queries
):
    client = client_for(owner)
    # The seventh reads the page's machine suggestions (one query for any page size).
    with django_assert_max_num_queries(7):
        client.get("/api/datasets/sentences/?page_size=1000")
