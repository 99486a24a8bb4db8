"""The listing and the exports carry machine suggestions and provenance in their own fields."""

from __future__ import annotations

import io
import json

import pytest

from articles.services.annotations import annotation_set
from corpora.models import Label
from suggestions.services import predictions_store
from tests.datasets.readers import csv_rows, jsonl_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def predicted(article, annotator):
    s1, s2 = article.sentences.filter(kind="sentence").order_by("index")[:2]
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    annotation_set(sentence=s1, annotator=annotator, label=claim, suggested_by="corpus model v2")
    predictions_store(
        corpus=article.corpus,
        name="outside",
        version="1",
        items=[
            {"sentence": s1.pk, "label": "speculation", "score": 1.0},
            {"sentence": s2.pk, "label": "claim", "score": 0.123456789},
        ],
    )
    predictions_store(
        corpus=article.corpus,
        name="another",
        version="3",
        items=[{"sentence": s1.pk, "label": "claim", "score": 0.00001}],
    )
    return s1, s2


def _body(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_jsonl_export_keeps_suggestions_apart_from_labels(
    client_for, owner, annotator, corpus, predicted
):
    s1, s2 = predicted
    rows = {r["sentence"]["id"]: r for r in jsonl_rows(_body(client_for(owner).get(
        f"/api/corpora/{corpus.slug}/export.jsonl")))}  # fmt: skip
    assert rows[s1.pk]["annotations"][0]["suggested_by"] == "corpus model v2"
    assert rows[s1.pk]["suggestions"] == [
        {"model": "another v3", "label": "claim", "score": 0.00001},
        {"model": "outside v1", "label": "speculation", "score": 1.0},
    ]
    assert rows[s2.pk]["annotations"] == []
    assert rows[s2.pk]["suggestions"] == [
        {"model": "outside v1", "label": "claim", "score": 0.123456789}
    ]
    # Annotators see their own labels only, and no machine's suggestions.
    mine = jsonl_rows(_body(client_for(annotator).get(f"/api/corpora/{corpus.slug}/export.jsonl")))
    assert all(r["suggestions"] is None for r in mine)


def test_the_listing_csv_and_parquet_carry_them_too(client_for, owner, corpus, predicted):
    s1, _ = predicted
    page = client_for(owner).get(f"/api/datasets/sentences/?corpus={corpus.slug}").json()
    row = next(r for r in page["results"] if r["sentence"]["id"] == s1.pk)
    assert row["annotations"][0]["suggested_by"] == "corpus model v2"
    assert [s["model"] for s in row["suggestions"]] == ["another v3", "outside v1"]

    lines = csv_rows(_body(client_for(owner).get(f"/api/corpora/{corpus.slug}/export.csv")))
    line = next(r for r in lines if r["sentence_id"] == str(s1.pk))
    assert line["suggested_by"] == "corpus model v2"
    assert json.loads(line["suggestions"])[1] == {
        "model": "outside v1",
        "label": "speculation",
        "score": 1.0,
    }

    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(_body(client_for(owner).get(
        f"/api/corpora/{corpus.slug}/export.parquet")))).to_pylist()  # fmt: skip
    first = next(r for r in table if r["sentence_id"] == s1.pk)
    assert first["annotations"][0]["suggested_by"] == "corpus model v2"
    assert first["suggestions"][1] == {"model": "outside v1", "label": "speculation", "score": 1.0}


def test_postgres_writes_the_suggestions_as_python_does(
    owner, annotator, corpus, article, predicted
):
    from django.db import connection

    from datasets.export import _jsonl_postgres, _jsonl_python
    from datasets.selectors import dataset_scope

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    for user in (owner, annotator):
        scope = dataset_scope(user=user, corpus_id=corpus.pk)
        sql = b"".join(_jsonl_postgres(corpus_id=corpus.pk, scope=scope, chunk_size=2000))
        py = b"".join(_jsonl_python(corpus_id=corpus.pk, scope=scope, chunk_size=2000))
        assert sql == py
