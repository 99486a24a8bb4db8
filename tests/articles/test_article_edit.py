"""Owners edit an article's metadata and archive it: exports leave it out, labels are kept."""

from __future__ import annotations

import io

import pyarrow.parquet as pq
import pytest

from articles.models import Annotation
from articles.services.annotations import annotation_set
from articles.services.articles import article_archive_set
from corpora.models import Label
from review.services.assignment import article_next_for, assignment_create
from tests.datasets.readers import csv_rows, jsonl_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(corpus, make_article, annotator):
    kept = make_article(corpus, "Kept piece. It stays in.", title="Kept")
    gone = make_article(corpus, "Archived piece. It goes out.", title="Gone")
    claim = Label.objects.get(corpus=corpus, key="claim")
    for article in (kept, gone):
        annotation_set(sentence=article.sentences.first(), annotator=annotator, label=claim)
    return kept, gone


def test_owners_edit_metadata_over_the_api(client_for, owner, annotator, outsider, article):
    url = f"/api/articles/{article.pk}/"
    change = {"title": "A better title", "outlet": "Daily", "published_on": "2025-02-03"}
    assert client_for(annotator).patch(url, change, format="json").status_code == 403
    assert client_for(outsider).patch(url, change, format="json").status_code == 404
    response = client_for(owner).patch(url, change, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["outlet"], body["published_on"]) == (
        "A better title",
        "Daily",
        "2025-02-03",
    )
    text_before = article.text
    article.refresh_from_db()
    assert article.author == "" and article.text == text_before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source_url": "ftp://x.example/"}, "source_url"),
        ({"title": "x" * 501}, "title"),
        ({"text": "New text."}, "text"),
        ({"author": "a\x00b"}, "author"),
    ],
)
def test_bad_metadata_is_a_400_naming_the_field(client_for, owner, article, change, field):
    response = client_for(owner).patch(f"/api/articles/{article.pk}/", change, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    article.refresh_from_db()
    assert article.title == "Why the Talks Matter"


def test_archiving_keeps_labels_and_leaves_the_article_out_of_every_export(
    client_for, owner, annotator, corpus, pair
):
    kept, gone = pair
    api = client_for(owner)
    response = api.patch(f"/api/articles/{gone.pk}/", {"archived": True}, format="json")
    assert response.status_code == 200 and response.json()["archived"] is True
    assert Annotation.objects.filter(sentence__article=gone).count() == 1  # kept

    def articles_in(rows, key):
        return {key(row) for row in rows}

    jsonl = b"".join(api.get(f"/api/corpora/{corpus.slug}/export.jsonl").streaming_content)
    assert articles_in(jsonl_rows(jsonl), lambda r: r["article"]["id"]) == {kept.pk}
    csv = b"".join(api.get(f"/api/corpora/{corpus.slug}/export.csv").streaming_content)
    assert articles_in(csv_rows(csv), lambda r: int(r["article_id"])) == {kept.pk}
    parquet = b"".join(api.get(f"/api/corpora/{corpus.slug}/export.parquet").streaming_content)
    table = pq.read_table(io.BytesIO(parquet)).to_pydict()
    assert set(table["article_id"]) == {kept.pk}
    listing = api.get(f"/api/datasets/sentences/?corpus={corpus.slug}").json()["results"]
    assert {row["article"]["id"] for row in listing} == {kept.pk}

    # Brought back, it is in the export again.
    api.patch(f"/api/articles/{gone.pk}/", {"archived": False}, format="json")
    jsonl = b"".join(api.get(f"/api/corpora/{corpus.slug}/export.jsonl").streaming_content)
    assert articles_in(jsonl_rows(jsonl), lambda r: r["article"]["id"]) == {kept.pk, gone.pk}


def test_an_archived_article_is_neither_offered_nor_assignable(corpus, owner, annotator, pair):
    kept, gone = pair
    article_archive_set(article=gone, archived=True)
    assert article_next_for(corpus=corpus, user=annotator) == kept
    with pytest.raises(Exception, match="archived"):
        assignment_create(article=gone, annotator=annotator, assigned_by=owner)


def test_the_edit_page_saves_and_archives(client, owner, annotator, article):
    client.force_login(annotator)
    assert client.get(f"/articles/{article.pk}/edit/").status_code == 403
    client.force_login(owner)
    page = client.post(
        f"/articles/{article.pk}/edit/",
        {"title": "Edited", "author": "Ann", "outlet": "", "published_on": "", "source_url": ""},
        follow=True,
    )
    assert "Saved the details" in page.content.decode()
    bad = client.post(f"/articles/{article.pk}/edit/", {"source_url": "nota url"})
    assert bad.status_code == 400 and "not an http(s) URL" in bad.content.decode()
    archived = client.post(f"/articles/{article.pk}/archive/", {"archived": "1"}, follow=True)
    assert "Archived" in archived.content.decode()
    article.refresh_from_db()
    assert article.title == "Edited" and article.archived
