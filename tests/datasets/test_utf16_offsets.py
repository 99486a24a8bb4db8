"""Dataset rows carry each sentence's offsets in UTF-16 code units (issue #10, item 8).

The listing, and the JSONL, CSV and Parquet exports: ``start_utf16``/``end_utf16``
slice the article's text, as JavaScript indexes it, to the sentence; ``start``/``end``
stay code points.
"""

from __future__ import annotations

import io

import pytest

from tests.articles.test_utf16_offsets import ASTRAL_TEXT, _js_slice
from tests.datasets.readers import csv_rows, jsonl_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def astral(corpus, make_article):
    # A plain article first, so the astral one's rows are not the only ones.
    make_article(corpus, "A plain first article. It has two sentences.", title="Plain")
    return make_article(corpus, ASTRAL_TEXT, title="Astral")


def _check(rows: list[tuple[int, int, int, int, str]], texts: dict[int, str]) -> None:
    """rows: (article id, start, end, start_utf16, end_utf16, text)."""
    assert rows
    moved = 0
    for article_id, start, end, start16, end16, text in rows:
        assert texts[article_id][start:end] == text
        assert _js_slice(texts[article_id], start16, end16) == text
        moved += start16 != start
    assert moved >= 3  # the offsets after astral characters differ


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_listing_and_every_export_carry_utf16_offsets(client_for, owner, corpus, astral):
    client = client_for(owner)
    texts = {a.pk: a.text for a in corpus.articles.all()}

    listing = client.get("/api/datasets/sentences/", {"corpus": corpus.slug}).json()["results"]
    _check(
        [
            (
                r["article"]["id"],
                *(r["sentence"][k] for k in ("start", "end", "start_utf16", "end_utf16", "text")),
            )
            for r in listing
        ],
        texts,
    )

    jsonl = jsonl_rows(_body(client.get(f"/api/corpora/{corpus.slug}/export.jsonl")))
    assert jsonl == listing  # the same rows

    table = csv_rows(_body(client.get(f"/api/corpora/{corpus.slug}/export.csv")))
    _check(
        [
            (
                int(r["article_id"]),
                *(int(r[f"sentence_{k}"]) for k in ("start", "end", "start_utf16", "end_utf16")),
                r["sentence_text"].removeprefix("'"),
            )
            for r in table
        ],
        texts,
    )

    import pyarrow.parquet as pq

    parquet = pq.read_table(
        io.BytesIO(_body(client.get(f"/api/corpora/{corpus.slug}/export.parquet")))
    ).to_pylist()
    _check(
        [
            (
                r["article_id"],
                r["sentence_start"],
                r["sentence_end"],
                r["sentence_start_utf16"],
                r["sentence_end_utf16"],
                r["sentence_text"],
            )
            for r in parquet
        ],
        texts,
    )
