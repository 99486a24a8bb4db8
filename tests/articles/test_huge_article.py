"""A 20,000-sentence article: bounded first responses, the sentences API that pages it,
and a corpus page that stays fast.

Personas: annotator (labels), viewer (reads), outsider.
"""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Sentence
from tests.articles.huge import huge_article_create, labels_bulk_set

pytestmark = pytest.mark.django_db

# The first response of the labeling and reading pages, whatever the article's length.
FIRST_RESPONSE_MAX_BYTES = 300_000


@pytest.fixture
def huge(corpus):
    return huge_article_create(corpus=corpus)


def test_the_fixture_holds_exact_offsets(huge):
    sentences = list(Sentence.objects.filter(article=huge).order_by("index"))
    assert len(sentences) == 20_000
    assert [s.index for s in sentences] == list(range(20_000))
    assert all(huge.text[s.start : s.end] == s.text for s in sentences)
    assert {s.kind for s in sentences} == {"sentence", "heading"}


def test_the_labeling_page_of_a_huge_article_is_a_bounded_window_with_the_whole_counts(
    client, annotator, huge
):
    labels_bulk_set(article=huge, user=annotator, count=5_000)
    client.force_login(annotator)
    response = client.get(f"/articles/{huge.pk}/label/")
    assert response.status_code == 200
    assert len(response.content) < FIRST_RESPONSE_MAX_BYTES, len(response.content)
    body = response.content.decode()
    total = Sentence.objects.filter(article=huge, kind="sentence").count()
    assert f"5000 / {total} labeled" in body
    # The window starts just before the first unlabeled sentence (the 5,001st).
    first_open = (
        Sentence.objects.filter(article=huge, kind="sentence").order_by("index")[5_000].index
    )
    config = response.context["config"]["window"]
    assert config["start"] == first_open - 10
    assert config["stop"] == first_open + 190
    assert config["total"] == total and config["labeled"] == 5_000
    assert (
        config["before"]
        == Sentence.objects.filter(article=huge, kind="sentence", index__lt=first_open - 10).count()
    )
    assert f'data-index="{first_open}"' in body
    assert 'data-index="0"' not in body


def test_the_reading_page_of_a_huge_article_is_a_bounded_part_linking_to_the_next(
    client, viewer, huge
):
    client.force_login(viewer)
    response = client.get(f"/articles/{huge.pk}/read/")
    assert response.status_code == 200
    assert len(response.content) < FIRST_RESPONSE_MAX_BYTES, len(response.content)
    body = response.content.decode()
    assert "Line 1 says something short." in body
    assert 'href="?start=300"' in body and "Earlier sentences" not in body
    later = client.get(f"/articles/{huge.pk}/read/?start=19800").content.decode()
    assert 'href="?start=19500"' in later and "Later sentences" not in later
    last = Sentence.objects.get(article=huge, index=19_999)
    assert last.text in later


@pytest.mark.parametrize("start", ["-1", "abc", "1.5", "9" * 30])
def test_a_malformed_reading_part_is_refused_with_a_message(client, viewer, huge, start):
    client.force_login(viewer)
    response = client.get(f"/articles/{huge.pk}/read/", {"start": start})
    assert response.status_code == 400
    assert "start must be the index of a sentence" in response.content.decode()


def test_the_corpus_page_stays_fast_with_a_huge_article(client, annotator, huge):
    """The per-article counts once joined every sentence and grouped them, which
    made PostgreSQL run the label count once per sentence (61 s for this article)."""
    labels_bulk_set(article=huge, user=annotator, count=2_000)
    client.force_login(annotator)
    client.get(f"/corpora/{huge.corpus.slug}/")  # warm: sessions, templates
    started = time.perf_counter()
    response = client.get(f"/corpora/{huge.corpus.slug}/")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    total = Sentence.objects.filter(article=huge, kind="sentence").count()
    assert f"2000 / {total}" in response.content.decode()
    assert elapsed < 1.0, f"corpus page took {elapsed:.2f} s"


def test_the_sentences_api_pages_an_article_by_index_with_my_labels(client_for, annotator, huge):
    labels_bulk_set(article=huge, user=annotator, count=3)
    api = client_for(annotator)
    with CaptureQueriesContext(connection) as queries:
        page = api.get(f"/api/articles/{huge.pk}/sentences/", {"offset": 0, "limit": 5}).json()
    assert len(queries) <= 6, [q["sql"] for q in queries.captured_queries]
    assert page["count"] == 20_000 and page["offset"] == 0
    assert [s["index"] for s in page["results"]] == [0, 1, 2, 3, 4]
    assert [bool(s["my_annotation"]) for s in page["results"]] == [1, 1, 1, 0, 0]
    first = page["results"][0]
    assert huge.text[first["start"] : first["end"]] == first["text"]
    assert first["my_annotation"]["label"] == "claim"

    later = api.get(f"/api/articles/{huge.pk}/sentences/", {"offset": 19_998}).json()
    assert [s["index"] for s in later["results"]] == [19_998, 19_999]
    default = api.get(f"/api/articles/{huge.pk}/sentences/").json()
    assert len(default["results"]) == 200


def test_the_sentences_api_finds_the_next_unlabeled_sentence(client_for, annotator, huge):
    labels_bulk_set(article=huge, user=annotator, count=1_000)
    api = client_for(annotator)
    found = api.get(
        f"/api/articles/{huge.pk}/sentences/", {"offset": 0, "limit": 1, "unlabeled": "true"}
    ).json()["results"]
    labelable = Sentence.objects.filter(article=huge, kind="sentence").order_by("index")
    assert [s["index"] for s in found] == [labelable[1_000].index]
    assert found[0]["kind"] == "sentence" and found[0]["my_annotation"] is None
    # From a heading on, the heading itself is skipped.
    heading = Sentence.objects.filter(article=huge, kind="heading").order_by("index").last()
    after = api.get(
        f"/api/articles/{huge.pk}/sentences/",
        {"offset": heading.index, "limit": 1, "unlabeled": "true"},
    ).json()["results"]
    assert [s["index"] for s in after] == [heading.index + 1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": "9" * 30}, "offset"),
        ({"offset": "abc"}, "offset"),
        ({"unlabeled": "perhaps"}, "unlabeled"),
    ],
)
def test_the_sentences_api_refuses_bad_paging_naming_the_parameter(
    client_for, annotator, huge, query, field
):
    response = client_for(annotator).get(f"/api/articles/{huge.pk}/sentences/", query)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


@pytest.mark.parametrize(("persona", "status"), [("viewer", 200), ("outsider", 404)])
def test_the_sentences_api_answers_members_and_hides_the_article_from_outsiders(
    client_for, request, huge, persona, status
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(f"/api/articles/{huge.pk}/sentences/", {"limit": 1})
    assert response.status_code == status
