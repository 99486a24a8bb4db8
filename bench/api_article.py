"""Article detail with its sentences and the caller's labels, against gunicorn + PostgreSQL.

An article of ``--sentences`` sentences, ``--labeled`` of them labeled by the
caller (and every one by a colleague, whose labels must not be read). One
client on a keep-alive connection asks GET /api/articles/{id}/ again and
again; prints latency percentiles, and the query count of one request
counted in-process (the same for 10 and for 100 sentences).

Usage (from the repository root, with the project's virtualenv):
    python bench/api_article.py [--db-url postgres://.../annotator_bench]
        [--sentences 100] [--labeled 60] [--requests 1000] [--workers 2]
Target (issue 3): p99 under 30 ms with 100 sentences, a fixed query count.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import time

from api_server import DEFAULT_DB, Gunicorn, make_corpus_with_articles, percentile, prepare


def query_count(article_id: int, secret: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient(SERVER_NAME="localhost")
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    client.get(f"/api/articles/{article_id}/")  # the token's last-use write, once a minute
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/articles/{article_id}/")
    assert response.status_code == 200
    return len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=DEFAULT_DB)
    parser.add_argument("--sentences", type=int, default=100)
    parser.add_argument("--labeled", type=int, default=60)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    prepare(args.db_url)
    from django.contrib.auth import get_user_model

    from accounts.services import token_create
    from articles.models import Annotation, Sentence
    from corpora.models import Label

    User = get_user_model()
    me = User.objects.create_user("reader", password="x")
    colleague = User.objects.create_user("colleague", password="x")
    corpus = make_corpus_with_articles(
        articles=2, sentences_per_article=args.sentences, annotators=[me, colleague]
    )
    small = make_corpus_with_articles(articles=1, sentences_per_article=10, annotators=[me])
    claim = Label.objects.get(corpus=corpus, key="claim")
    article = corpus.articles.order_by("pk").first()
    sentences = list(Sentence.objects.filter(article=article).order_by("index"))
    Annotation.objects.bulk_create(
        [
            Annotation(sentence=s, annotator=me, label=claim, guideline_version=1)
            for s in sentences[: args.labeled]
        ]
        + [
            Annotation(sentence=s, annotator=colleague, label=claim, guideline_version=1)
            for s in sentences
        ]
    )
    _, secret = token_create(user=me, name="bench")
    counts = {
        args.sentences: query_count(article.pk, secret),
        10: query_count(small.articles.get().pk, secret),
    }

    with Gunicorn(args.db_url, workers=args.workers) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {"Authorization": f"Token {secret}"}
        latencies: list[float] = []
        for n in range(100 + args.requests):
            started = time.perf_counter()
            conn.request("GET", f"/api/articles/{article.pk}/", headers=headers)
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - started
            assert response.status == 200, response.status
            if n >= 100:  # the first hundred warm the workers up
                latencies.append(elapsed)
        data = json.loads(body)
    mine = sum(1 for s in data["sentences"] if s["my_annotation"])
    print(
        f"article detail: {len(data['sentences'])} sentences, {mine} labeled by the caller, "
        f"{len(body) / 1024:.0f} KB; {args.requests} sequential requests, gunicorn "
        f"{args.workers} workers"
    )
    print(
        "  latency ms: "
        + ", ".join(f"p{p} {percentile(latencies, p) * 1000:.1f}" for p in (50, 90, 99))
        + f", max {max(latencies) * 1000:.1f}"
    )
    print(
        "  queries per request (token auth): "
        + ", ".join(f"{n} sentences: {c}" for n, c in sorted(counts.items()))
    )

    print(f"  load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
