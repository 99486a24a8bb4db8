"""Exports and the listing on data shaped like real use: articles segmented at the
same time, so their sentence ids interleave, with chunk boundaries inside those runs.

Every format goes through the real streaming response; each row must carry its
own article (its title names the article), and every stream ends with its trailer.
"""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection

from datasets import export
from tests.datasets.readers import csv_rows

pytestmark = pytest.mark.django_db

# Chunk sizes that put boundaries at every position inside interleaved runs.
CHUNK_SIZES = (1, 2, 3, 5, 7, 16)


def stream(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("size", CHUNK_SIZES)
def test_jsonl_rows_carry_their_own_article(
    client_for, owner, corpus, interleaved, size, monkeypatch
):
    monkeypatch.setattr(export, "CHUNK_SENTENCES", size)
    lines = stream(client_for(owner).get(f"/api/corpora/{corpus.slug}/export.jsonl")).splitlines()
    rows = [json.loads(line) for line in lines]
    assert rows[-1] == {"export": {"complete": True, "rows": len(interleaved)}}
    rows = rows[:-1]
    assert [r["sentence"]["id"] for r in rows] == sorted(interleaved)
    assert [(r["article"]["id"], r["article"]["title"]) for r in rows] == [
        interleaved[pk] for pk in sorted(interleaved)
    ]
    labeled = [r for r in rows if r["annotations"]]
    assert len(labeled) == len(sorted(interleaved)[::4])


@pytest.mark.parametrize("size", CHUNK_SIZES)
def test_csv_rows_carry_their_own_article(
    client_for, owner, corpus, interleaved, size, monkeypatch
):
    monkeypatch.setattr(export, "CHUNK_SENTENCES", size)
    data = stream(client_for(owner).get(f"/api/corpora/{corpus.slug}/export.csv"))
    rows = csv_rows(data)  # checks the trailer's count
    assert data.endswith(b"\n#export complete rows=%d\n" % len(rows))
    expected_lines = len(interleaved) + len(sorted(interleaved)[::4])  # two labels: one more line
    assert len(rows) == expected_lines
    for row in rows:
        aid, title = interleaved[int(row["sentence_id"])]
        assert (int(row["article_id"]), row["article_title"]) == (aid, title)
    assert sorted({int(r["sentence_id"]) for r in rows}) == sorted(interleaved)


@pytest.mark.parametrize("size", CHUNK_SIZES)
def test_parquet_rows_carry_their_own_article(
    client_for, owner, corpus, interleaved, size, monkeypatch
):
    import pyarrow.parquet as pq

    monkeypatch.setattr(export, "CHUNK_SENTENCES", size)
    data = stream(client_for(owner).get(f"/api/corpora/{corpus.slug}/export.parquet"))
    parquet = pq.ParquetFile(io.BytesIO(data))
    assert parquet.metadata.num_row_groups == -(-len(interleaved) // size)
    rows = parquet.read().to_pylist()
    assert [r["sentence_id"] for r in rows] == sorted(interleaved)
    assert [(r["article_id"], r["article_title"]) for r in rows] == [
        interleaved[pk] for pk in sorted(interleaved)
    ]


def test_listing_pages_carry_their_own_article(client_for, owner, corpus, interleaved):
    client = client_for(owner)
    url = f"/api/datasets/sentences/?corpus={corpus.slug}&page_size=7"
    rows = []
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    assert [r["sentence"]["id"] for r in rows] == sorted(interleaved)
    assert [(r["article"]["id"], r["article"]["title"]) for r in rows] == [
        interleaved[pk] for pk in sorted(interleaved)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_readers_on_interleaved_ids(client_for, owner, corpus, interleaved, monkeypatch):
    """Committed data: the export's own snapshot, chunks built by two readers side by side."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    expected = [interleaved[pk] for pk in sorted(interleaved)]
    for size in (2, 5):
        monkeypatch.setattr(export, "CHUNK_SENTENCES", size)
        lines = stream(client_for(owner).get(f"/api/corpora/{corpus.slug}/export.jsonl"))
        rows = [json.loads(line) for line in lines.splitlines()]
        assert rows.pop() == {"export": {"complete": True, "rows": len(interleaved)}}
        assert [(r["article"]["id"], r["article"]["title"]) for r in rows] == expected


@pytest.mark.django_db(transaction=True)
def test_the_first_chunk_is_the_small_one(client_for, owner, corpus, interleaved, monkeypatch):
    """The first lines go out before a full-size chunk is built; every later chunk is full.
    (Committed data: on PostgreSQL the export's own snapshot and its readers.)"""
    monkeypatch.setattr(export, "FIRST_CHUNK_SENTENCES", 3)
    monkeypatch.setattr(export, "CHUNK_SENTENCES", 7)
    response = client_for(owner).get(f"/api/corpora/{corpus.slug}/export.jsonl")
    sizes = [chunk.count(b"\n") for chunk in response.streaming_content]
    *lines, trailer = sizes
    assert trailer == 1  # the trailer's own chunk
    assert lines[0] == 3
    assert all(size == 7 for size in lines[1:-1])
    assert 0 < lines[-1] <= 7
    assert sum(lines) == len(interleaved)
