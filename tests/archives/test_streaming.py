"""Archives are written and read a chunk at a time: memory follows the chunk, not the corpus."""

from __future__ import annotations

import re
import tracemalloc

from django.db import connection
from django.test.utils import CaptureQueriesContext

from archives import format as archive_format
from archives.selectors import corpus_archive_export
from archives.services import corpus_archive_import
from articles.models import Article, Sentence
from articles.services.articles import article_create


def test_the_writer_reads_every_member_in_keyset_chunks(rich_corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(archive_format, "CHUNK_ROWS", 4)
    sentences = Sentence.objects.filter(article__corpus=rich_corpus).count()
    assert sentences > 8

    with CaptureQueriesContext(connection) as queries:
        corpus_archive_export(corpus=rich_corpus, path=str(tmp_path / "a.zip"))

    reads = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r'SELECT .* FROM "articles_sentence"', q["sql"]) and "COUNT(" not in q["sql"]
    ]
    # One read per chunk of 4 (and the empty one that ends the member), each after the last id.
    assert len(reads) == sentences // 4 + 1
    assert all(re.search(r"LIMIT 4\b", sql) for sql in reads)
    assert all('"articles_sentence"."id" >' in sql for sql in reads[1:])


def test_export_and_restore_memory_follows_the_chunk_not_the_corpus(corpus, tmp_path, monkeypatch):
    """150 articles of 40 KB (6 MB of text), 5 articles a chunk: peak traced memory stays a
    fraction of the corpus's size on the way out and on the way back in (measured: about
    0.9 MB each way, of which some 0.3 MB does not depend on the chunk)."""
    monkeypatch.setattr(archive_format, "CHUNK_ROWS", 500)
    articles = archive_format.member_by_model()[Article]
    assert articles.chunk_rows == 5
    for i in range(150):
        article_create(corpus=corpus, text=f"Article {i}. " + "Many words here. " * 2_400)
    text_bytes = sum(
        len(t) for t in Article.objects.filter(corpus=corpus).values_list("text", flat=True)
    )
    assert text_bytes > 6_000_000
    path = str(tmp_path / "big.zip")

    tracemalloc.start()
    try:
        corpus_archive_export(corpus=corpus, path=path)
        _, export_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        corpus_archive_import(path=path, slug="big-copy")
        _, import_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert Article.objects.filter(corpus__slug="big-copy").count() == 150
    assert export_peak < text_bytes / 5, (export_peak, text_bytes)
    assert import_peak < text_bytes / 5, (import_peak, text_bytes)
