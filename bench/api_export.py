"""Whole-corpus JSONL export through the API, against gunicorn + PostgreSQL.

Creates a corpus of ``--sentences`` labeled sentences (100 per article, one
annotation each, written with COPY on PostgreSQL), starts one gunicorn worker,
downloads GET /api/corpora/{slug}/export.jsonl as a token client while sampling
the worker's memory, and prints rows/s and the worker's peak RSS (VmHWM).

With ``--parse`` the client also parses each JSONL line with ``json.loads`` as
it arrives (as bench/anchors/annotator_adapter.py does): the time is then
download and parse together, as a streaming client sees it.

Usage (from the repository root, with the project's virtualenv):
    python bench/api_export.py [--db-url postgres://.../annotator_bench]
        [--sentences 1000000] [--format jsonl|csv] [--parse] [--repeat 3] [--reuse]
    python bench/api_export.py --db-url sqlite:////tmp/export_bench.sqlite3 ...
``--reuse`` exports the data an earlier run left (no new database, no fill):
another checkout's server can then be measured on the very same rows.
Target (issue 3): 1,000,000 labeled sentences at >= 100,000 rows/s, server
process peak RSS < 250 MB.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import time

from api_server import (
    DEFAULT_DB,
    Gunicorn,
    attach,
    make_corpus_with_articles,
    peak_rss_mb,
    prepare,
)


def fill(sentences: int, interleave: int):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from accounts.services import token_create
    from corpora.models import Label

    User = get_user_model()
    owner = User.objects.create_user("exporter", password="x")
    others = [User.objects.create_user(f"labeler{i}", password="x") for i in range(3)]
    started = time.perf_counter()
    corpus = make_corpus_with_articles(
        articles=sentences // 100,
        sentences_per_article=100,
        annotators=[owner, *others],
        copy=connection.vendor == "postgresql",
        interleave=interleave,
    )
    labels = list(Label.objects.filter(corpus=corpus).values_list("pk", flat=True))
    users = [u.pk for u in others]
    now = timezone.now()
    with connection.cursor() as cursor:
        # One annotation per sentence, from one of three annotators, with a note on some
        # (SQL that PostgreSQL and SQLite both run).
        cursor.execute(
            """
            INSERT INTO articles_annotation
                (sentence_id, annotator_id, label_id, note, source, guideline_version,
                 version, suggested_by, created_at, updated_at)
            SELECT s.id, CASE s.id %% 3 WHEN 0 THEN %s WHEN 1 THEN %s ELSE %s END,
                   CASE (s.id / 7) %% 2 WHEN 0 THEN %s ELSE %s END,
                   CASE WHEN s.id %% 10 = 0 THEN 'checked twice' ELSE '' END, '', 1, 1,
                   '', %s, %s
            FROM articles_sentence s JOIN articles_article a ON a.id = s.article_id
            WHERE a.corpus_id = %s
            """,
            [*users, *labels[:2], now, now, corpus.pk],
        )
        cursor.execute("ANALYZE")
    print(f"data: {sentences:,} labeled sentences created in {time.perf_counter() - started:.0f} s")
    _, secret = token_create(user=owner, name="export")
    return corpus, secret


def reuse():
    """The corpus a previous run left in the database, and a new token for its owner."""
    from django.contrib.auth import get_user_model

    from accounts.services import token_create
    from corpora.models import Corpus

    owner = get_user_model().objects.get(username="exporter")
    corpus = Corpus.objects.order_by("-pk").first()
    if corpus is None:
        raise SystemExit("--reuse: no corpus from an earlier run in this database")
    _, secret = token_create(user=owner, name=f"export {time.time_ns()}")
    return corpus, secret


def complete_rows(fmt: str, tail: bytes, sentences: int) -> int:
    """The rows the export's end marker counts (docs/api.md, "Exports"); fails without it."""
    if fmt == "parquet":  # the footer comes last: a file cut short does not end in PAR1
        if not tail.endswith(b"PAR1"):
            raise SystemExit("export cut short: no Parquet footer")
        return sentences
    last = tail.rstrip(b"\n").rpartition(b"\n")[2]
    if fmt == "jsonl":
        trailer = json.loads(last) if last.startswith(b'{"export":') else {}
        if not trailer.get("export", {}).get("complete"):
            raise SystemExit(f"export cut short: no trailer (last line {last[:80]!r})")
        return trailer["export"]["rows"]
    if not last.startswith(b"#export complete rows="):
        raise SystemExit(f"export cut short: no trailer (last line {last[:80]!r})")
    return int(last.rpartition(b"=")[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=DEFAULT_DB)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl")
    parser.add_argument(
        "--interleave",
        type=int,
        default=3,
        help="articles whose sentence ids interleave, as when segmented at the same time",
    )
    parser.add_argument(
        "--parse",
        action="store_true",
        help="parse each JSONL line with json.loads as it arrives (a streaming client)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="downloads, one after the other")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="export the corpus an earlier run with the same --sentences left in --db-url",
    )
    args = parser.parse_args()
    if args.parse and args.format != "jsonl":
        parser.error("--parse reads JSONL")

    load_before = os.getloadavg()[0]
    if args.reuse:
        attach(args.db_url)
        corpus, secret = reuse()
    else:
        prepare(args.db_url)
        corpus, secret = fill(args.sentences, interleave=args.interleave)
    expected = args.sentences // 100 * 100  # one line per sentence: one label each
    vendor = "SQLite" if args.db_url.startswith("sqlite:") else "PostgreSQL"
    print(
        f"export .{args.format} of {args.sentences:,} labeled sentences, 1 gunicorn worker, "
        f"{vendor}" + (", parsed by the client as it arrives" if args.parse else "")
    )
    with Gunicorn(args.db_url, workers=1, threads=1, timeout=600) as server:
        (worker,) = server.worker_pids()
        before = peak_rss_mb(worker)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        for _ in range(args.repeat):
            started, cpu = time.perf_counter(), time.process_time()
            conn.request(
                "GET",
                f"/api/corpora/{corpus.slug}/export.{args.format}",
                headers={"Authorization": f"Token {secret}"},
            )
            response = conn.getresponse()
            assert response.status == 200, response.status
            size = parsed = 0
            tail = partial = b""
            first_byte = None
            while chunk := response.read1(1 << 20):
                if first_byte is None:
                    first_byte = time.perf_counter() - started
                tail = (tail + chunk)[-200:]
                size += len(chunk)
                if args.parse:
                    lines = (partial + chunk).split(b"\n")
                    partial = lines.pop()
                    for line in lines:
                        if "annotations" in json.loads(line):
                            parsed += 1
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            rows = complete_rows(args.format, tail, args.sentences)
            if rows != expected or (args.parse and parsed != expected):
                raise SystemExit(f"export of {rows:,} rows ({parsed:,} parsed), not {expected:,}")
            rate = rows / elapsed
            print(
                f"  rows: {rows:,} ({size / 1e6:.0f} MB) in {elapsed:.2f} s: {rate:,.0f} rows/s"
                f"; first byte after {first_byte * 1000:.0f} ms; client CPU {cpu:.2f} s"
            )
        peak = peak_rss_mb(worker)
    print(f"  worker peak RSS: {peak:.0f} MB (idle before the export: {before:.0f} MB)")
    print(f"  load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
