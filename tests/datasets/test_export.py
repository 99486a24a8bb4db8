"""GET /api/corpora/{slug}/export.jsonl and .csv: streamed, complete, deterministic."""

from __future__ import annotations

import io

import pytest
from django.http import StreamingHttpResponse

from articles.services.annotations import annotation_set
from corpora.models import Label
from datasets.export import CSV_COLUMNS
from tests.datasets.readers import csv_rows, jsonl_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def labeled(article, annotator, reviewer):
    s1, s2 = article.sentences.filter(kind="sentence").order_by("index")[:2]
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    fact = Label.objects.get(corpus=article.corpus, key="sourced_fact")
    annotation_set(sentence=s1, annotator=annotator, label=claim, note='say "hi", ok')
    annotation_set(sentence=s1, annotator=reviewer, label=fact, source="Reuters")
    return s1, s2


def body(response) -> bytes:
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def test_jsonl_has_one_row_per_sentence_like_the_listing(client_for, owner, corpus, labeled):
    client = client_for(owner)
    response = client.get(f"/api/corpora/{corpus.slug}/export.jsonl")
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert f'filename="{corpus.slug}.jsonl"' in response["Content-Disposition"]
    rows = jsonl_rows(body(response))
    listing = client.get(f"/api/datasets/sentences/?corpus={corpus.slug}&page_size=2000").json()
    assert rows == listing["results"]
    first = rows[[x["sentence"]["id"] for x in rows].index(labeled[0].pk)]
    assert [a["label"] for a in first["annotations"]] == ["claim", "sourced_fact"]


def test_same_data_same_bytes(client_for, owner, corpus, labeled):
    client = client_for(owner)
    url = f"/api/corpora/{corpus.slug}/export.jsonl"
    assert body(client.get(url)) == body(client.get(url))


def test_chunks_do_not_change_the_bytes(owner, corpus, labeled):
    from datasets.export import export_csv, export_jsonl
    from datasets.selectors import dataset_scope

    scope = dataset_scope(user=owner, corpus_id=corpus.pk)
    for export in (export_jsonl, export_csv):
        whole = b"".join(export(corpus_id=corpus.pk, scope=scope))
        small = b"".join(export(corpus_id=corpus.pk, scope=scope, chunk_size=1))
        assert whole == small


def test_csv_has_a_line_per_sentence_and_annotation(client_for, owner, corpus, article, labeled):
    response = client_for(owner).get(f"/api/corpora/{corpus.slug}/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    reader = csv_rows(body(response))
    assert list(reader[0]) == CSV_COLUMNS
    s1, s2 = labeled
    s1_rows = [r for r in reader if r["sentence_id"] == str(s1.pk)]
    assert [(r["annotator"], r["label"], r["note"], r["source"]) for r in s1_rows] == [
        ("anna", "claim", 'say "hi", ok', ""),
        ("rita", "sourced_fact", "", "Reuters"),
    ]
    s2_rows = [r for r in reader if r["sentence_id"] == str(s2.pk)]
    assert len(s2_rows) == 1 and s2_rows[0]["label"] == ""
    assert s2_rows[0]["sentence_text"] == s2.text
    assert len({r["sentence_id"] for r in reader}) == article.sentences.count()


def test_annotator_exports_only_their_own_labels(client_for, annotator, corpus, labeled):
    rows = jsonl_rows(body(client_for(annotator).get(f"/api/corpora/{corpus.slug}/export.jsonl")))
    names = {a["annotator"] for row in rows for a in row["annotations"]}
    assert names == {"anna"}


def test_empty_corpus_exports_nothing_but_the_csv_header_and_the_trailers(
    client_for, owner, corpus
):
    client = client_for(owner)
    jsonl = body(client.get(f"/api/corpora/{corpus.slug}/export.jsonl"))
    assert jsonl == b'{"export":{"complete":true,"rows":0}}\n'
    csv_body = body(client.get(f"/api/corpora/{corpus.slug}/export.csv")).decode()
    assert csv_body == ",".join(CSV_COLUMNS) + "\n#export complete rows=0\n"


def test_postgres_writes_the_same_bytes_as_python(owner, annotator, corpus, article, labeled):
    """The JSON built in PostgreSQL equals, byte for byte, the JSON built in Python."""
    from django.db import connection

    from articles.models import GoldLabel
    from datasets.export import _jsonl_postgres, _jsonl_python
    from datasets.selectors import dataset_scope

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    s1, s2 = labeled
    s2.text = 'Tricky: "quotes", back\\slash, tab\t, nul-free \u0001 control, ünïcödé 🚀'
    s2.save()
    GoldLabel.objects.create(
        sentence=s1,
        label=Label.objects.get(corpus=corpus, key="sourced_fact"),
        origin="adjudicated",
        decided_by=owner,
        note='Both "right", in part',
        source="https://example.org/report?a=1&b=ü",
    )
    for user in (owner, annotator):
        scope = dataset_scope(user=user, corpus_id=corpus.pk)
        for size in (1, 2000):
            sql = b"".join(_jsonl_postgres(corpus_id=corpus.pk, scope=scope, chunk_size=size))
            py = b"".join(_jsonl_python(corpus_id=corpus.pk, scope=scope, chunk_size=size))
            assert sql == py
            assert sql.count(b"\n") == article.sentences.count()


@pytest.mark.django_db(transaction=True)
def test_parallel_readers_share_one_snapshot_and_keep_the_order(client_for, owner, corpus, labeled):
    """Committed data, the export's own snapshot: two readers build alternate chunks."""
    from django.db import connection

    from datasets import export
    from datasets.export import _jsonl_python
    from datasets.selectors import dataset_scope

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    scope = dataset_scope(user=owner, corpus_id=corpus.pk)
    rows = b"".join(_jsonl_python(corpus_id=corpus.pk, scope=scope, chunk_size=2000))
    expected = rows + export.jsonl_trailer(rows.count(b"\n"))
    whole = b"".join(export.export_jsonl(corpus_id=corpus.pk, scope=scope, chunk_size=1))
    assert whole == expected
    response = client_for(owner).get(f"/api/corpora/{corpus.slug}/export.jsonl")
    assert body(response) == expected


def test_parquet_has_one_row_per_sentence_with_its_labels(client_for, owner, corpus, labeled):
    import pyarrow.parquet as pq

    client = client_for(owner)
    url = f"/api/corpora/{corpus.slug}/export.parquet"
    response = client.get(url)
    assert response["Content-Type"] == "application/vnd.apache.parquet"
    data = body(response)
    assert data == body(client.get(url))  # same data, same bytes
    table = pq.read_table(io.BytesIO(data))
    listing = client.get(f"/api/datasets/sentences/?corpus={corpus.slug}&page_size=2000").json()
    rows = table.to_pylist()
    assert [r["sentence_id"] for r in rows] == [x["sentence"]["id"] for x in listing["results"]]
    s1 = next(r for r in rows if r["sentence_id"] == labeled[0].pk)
    assert [(a["annotator"], a["label"], a["source"]) for a in s1["annotations"]] == [
        ("anna", "claim", ""),
        ("rita", "sourced_fact", "Reuters"),
    ]
    assert s1["sentence_text"] == labeled[0].text and s1["article_id"] == labeled[0].article_id


def test_parquet_streams_one_row_group_per_chunk(owner, corpus, labeled):
    import pyarrow.parquet as pq

    from datasets.export import export_parquet
    from datasets.selectors import dataset_scope

    scope = dataset_scope(user=owner, corpus_id=corpus.pk)
    parts = list(export_parquet(corpus_id=corpus.pk, scope=scope, chunk_size=2))
    assert len(parts) > 2 and all(parts[:-1])  # bytes leave with every row group
    meta = pq.ParquetFile(io.BytesIO(b"".join(parts))).metadata
    assert meta.num_row_groups == len(parts) - 1


def test_every_format_carries_the_gold_labels_source_note_reviewer_and_time(
    client_for, owner, corpus, labeled
):
    import datetime as dt

    import pyarrow.parquet as pq

    from articles.models import GoldLabel

    s1, s2 = labeled
    gold = GoldLabel.objects.create(
        sentence=s1,
        label=Label.objects.get(corpus=corpus, key="sourced_fact"),
        origin="adjudicated",
        decided_by=owner,
        note="=settled by the report",
        source="https://example.org/report",
    )
    at = gold.updated_at.astimezone(dt.UTC)
    at_text = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    client = client_for(owner)
    base = f"/api/corpora/{corpus.slug}/export"

    by_id = {r["sentence"]["id"]: r for r in jsonl_rows(body(client.get(base + ".jsonl")))}
    assert by_id[s1.pk]["gold"] == {
        "label": "sourced_fact",
        "origin": "adjudicated",
        "decided_by": "olivia",
        "note": "=settled by the report",
        "source": "https://example.org/report",
        "decided_at": at_text,
    }
    assert by_id[s2.pk]["gold"] is None

    lines = [r for r in csv_rows(body(client.get(base + ".csv"))) if r["sentence_id"] == str(s1.pk)]
    assert {
        (
            r["gold_label"],
            r["gold_decided_by"],
            r["gold_note"],
            r["gold_source"],
            r["gold_decided_at"],
        )
        for r in lines
    } == {
        ("sourced_fact", "olivia", "'=settled by the report", "https://example.org/report", at_text)
    }

    table = pq.read_table(io.BytesIO(body(client.get(base + ".parquet")))).to_pylist()
    row = next(r for r in table if r["sentence_id"] == s1.pk)
    assert (row["gold_source"], row["gold_note"], row["gold_decided_by"]) == (
        "https://example.org/report",
        "=settled by the report",
        "olivia",
    )
    assert row["gold_decided_at"] == at
    other = next(r for r in table if r["sentence_id"] == s2.pk)
    assert other["gold_source"] is None and other["gold_decided_at"] is None
