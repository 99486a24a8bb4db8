"""Benchmark: agreement of 100,000 labeled sentences x 5 annotators, and the dashboard.

Builds (once) a bench database with one corpus of ARTICLES x SENTENCES
sentences, each labeled by 5 annotators (about 80% agreement with a hidden
true label), with a label history spread over two weeks, all inserted with
PostgreSQL COPY. Then times:

- the agreement computation alone (load with values_list + numpy), and the
  whole background refresh (unanimous gold, finished assignments, agreement,
  stored report), as the Celery task runs it;
- the dashboard page rendered through Django's test client (a full request:
  middleware, permissions, aggregate queries, template, SVG charts);
- the article drill-down page (Cohen's kappa per pair on one article);
- the adjudication queue: first page, a deep page by cursor, and the API's.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench_workflow \\
        .venv/bin/python bench/agreement.py [--sentences 100000] [--rebuild]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/annotator_bench_workflow"
os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
# The bench never queues tasks: it runs the refresh in-process and times it.
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

ANNOTATORS = 5
SENTENCES_PER_ARTICLE = 50
CORPUS_SLUG = "bench-agreement"


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    admin = psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    admin.close()


def build(n_sentences: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from articles.models import Article
    from corpora.models import Corpus, Label, Role
    from corpora.services.corpora import corpus_create, membership_set

    User = get_user_model()
    Corpus.objects.filter(slug=CORPUS_SLUG).delete()
    owner, _ = User.objects.get_or_create(username="bench-owner")
    corpus = corpus_create(
        name="Bench agreement", owner=owner, overlap=ANNOTATORS, slug=CORPUS_SLUG
    )
    people = []
    for i in range(ANNOTATORS):
        user, _ = User.objects.get_or_create(username=f"bench-annotator-{i}")
        membership_set(corpus=corpus, user=user, role=Role.ANNOTATOR)
        people.append(user.pk)
    labels = list(Label.objects.filter(corpus=corpus).values_list("pk", "key"))
    n_articles = max(1, n_sentences // SENTENCES_PER_ARTICLE)
    rng = random.Random(42)
    t0 = time.perf_counter()
    with transaction.atomic():
        articles = Article.objects.bulk_create(
            Article(
                corpus=corpus,
                title=f"Bench article {a}",
                text="x" * (SENTENCES_PER_ARTICLE * 40),
                content_hash=f"bench-{a:08d}",
                status=Article.Status.READY,
            )
            for a in range(n_articles)
        )
        raw = connection.connection
        with raw.cursor() as cur:
            with cur.copy(
                'COPY articles_sentence (article_id, index, start, "end", paragraph, kind, text) '
                "FROM STDIN"
            ) as copy:
                for article in articles:
                    for i in range(SENTENCES_PER_ARTICLE):
                        copy.write_row(
                            (article.pk, i, i * 40, i * 40 + 39, i // 5, "sentence", f"S{i}.")
                        )
            cur.execute(
                "SELECT s.id FROM articles_sentence s JOIN articles_article a "
                "ON a.id = s.article_id WHERE a.corpus_id = %s ORDER BY s.id",
                [corpus.pk],
            )
            sentence_ids = [row[0] for row in cur.fetchall()]
            start = datetime(2026, 11, 1, 8, tzinfo=UTC)
            now = datetime.now(UTC)
            # psycopg allows one COPY at a time: annotations first, then their events.
            choices = []
            for sentence_id in sentence_ids:
                truth = rng.randrange(len(labels))
                for k, person in enumerate(people):
                    value = truth if rng.random() < 0.8 else rng.randrange(len(labels))
                    at = start + timedelta(minutes=(sentence_id % 20000) // 2 + k * 7)
                    choices.append((sentence_id, person, value, at))
            with cur.copy(
                "COPY articles_annotation (sentence_id, annotator_id, label_id, note, source, "
                "guideline_version, version, created_at, updated_at) FROM STDIN"
            ) as copy:
                for sentence_id, person, value, at in choices:
                    copy.write_row((sentence_id, person, labels[value][0], "", "", 1, 1, at, now))
            with cur.copy(
                "COPY articles_annotationevent (sentence_id, annotator_id, changed_by_id, action, "
                "old_label, old_note, old_source, new_label, new_note, new_source, version, at) "
                "FROM STDIN"
            ) as events:
                for sentence_id, person, value, at in choices:
                    events.write_row(
                        (
                            sentence_id,
                            person,
                            person,
                            "create",
                            "",
                            "",
                            "",
                            labels[value][1],
                            "",
                            "",
                            1,
                            at,
                        )
                    )
            cur.execute("ANALYZE")
    print(
        f"built {len(sentence_ids):,} sentences x {ANNOTATORS} annotators = "
        f"{len(choices):,} labels in {time.perf_counter() - t0:.1f} s"
    )


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def describe(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    print(
        f"{name:<44} median {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms   "
        f"min {ms[0]:8.1f} ms   ({len(ms)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("bench/agreement.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from articles.models import Annotation
    from corpora.models import Corpus
    from review.services.agreement import corpus_agreement_compute
    from review.services.workflow import corpus_workflow_refresh

    corpus = Corpus.objects.filter(slug=CORPUS_SLUG).first()
    wanted = (args.sentences // SENTENCES_PER_ARTICLE) * SENTENCES_PER_ARTICLE * ANNOTATORS
    have = Annotation.objects.filter(sentence__article__corpus=corpus).count() if corpus else 0
    if args.rebuild or have != wanted:
        build(args.sentences)
        corpus = Corpus.objects.get(slug=CORPUS_SLUG)
    print(f"corpus {corpus.slug}: {wanted:,} labels")

    describe(
        "agreement computation (load + numpy)",
        timed(lambda: corpus_agreement_compute(corpus=corpus), args.runs),
    )
    # Unanimous gold on: the first refresh creates every unanimous gold label.
    from articles.models import GoldLabel
    from review.services.adjudication import corpus_unanimous_gold_apply

    corpus.auto_gold_unanimous = True
    corpus.save(update_fields=["auto_gold_unanimous"])
    gold_alone = []
    for _ in range(args.runs):
        GoldLabel.objects.filter(sentence__article__corpus=corpus).delete()
        gold_alone += timed(lambda: corpus_unanimous_gold_apply(corpus=corpus), 1)
    describe("unanimous gold alone, first application", gold_alone)
    describe(
        "unanimous gold alone, nothing to change",
        timed(lambda: corpus_unanimous_gold_apply(corpus=corpus), args.runs),
    )
    from review.models import Disagreement
    from review.services.adjudication import corpus_disagreements_store

    ranking = []
    for _ in range(args.runs):
        Disagreement.objects.filter(corpus=corpus).delete()
        ranking += timed(lambda: corpus_disagreements_store(corpus=corpus), 1)
    describe("disagreement ranking alone, stored afresh", ranking)
    describe(
        "disagreement ranking alone, nothing to change",
        timed(lambda: corpus_disagreements_store(corpus=corpus), args.runs),
    )
    Disagreement.objects.filter(corpus=corpus).delete()
    GoldLabel.objects.filter(sentence__article__corpus=corpus).delete()
    first = timed(lambda: corpus_workflow_refresh(corpus_id=corpus.pk), 1)
    created = GoldLabel.objects.filter(sentence__article__corpus=corpus).count()
    describe(f"first refresh, creating {created:,} unanimous gold", first)
    describe(
        "background refresh (gold, assignments, agreement)",
        timed(lambda: corpus_workflow_refresh(corpus_id=corpus.pk), args.runs),
    )
    report = corpus.agreement
    report.refresh_from_db()
    data = report.data
    print(
        f"  alpha {data['alpha']}, percent agreement {data['percent_agreement']}, "
        f"{len(data['pairs'])} pairs, {len(report.articles)} articles, stored in "
        f"{report.duration_ms} ms of compute"
    )

    client = Client(HTTP_HOST="localhost")
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="bench-owner"))
    dashboard = f"/corpora/{corpus.slug}/dashboard/"
    queue = f"/corpora/{corpus.slug}/adjudication/"
    for url in (dashboard, queue):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    describe("dashboard page (full request)", timed(lambda: client.get(dashboard), args.runs * 4))
    worst = report.data["worst_articles"][0]["id"]
    drill = f"/corpora/{corpus.slug}/agreement/articles/{worst}/"
    assert client.get(drill).status_code == 200
    describe("article agreement drill-down (full request)", timed(lambda: client.get(drill), 10))
    describe("adjudication queue, first page", timed(lambda: client.get(queue), args.runs * 4))
    from review.selectors.adjudication import disagreement_queue_page

    cursor = disagreement_queue_page(corpus=corpus, limit=10 * 500).next_cursor
    deep = f"{queue}?after={cursor}&from=5001"
    assert client.get(deep).status_code == 200
    describe(
        "adjudication queue, page 501 by cursor", timed(lambda: client.get(deep), args.runs * 4)
    )
    api_queue = f"/api/corpora/{corpus.slug}/adjudication/"
    assert client.get(api_queue).status_code == 200
    describe(
        "API adjudication queue, first 20", timed(lambda: client.get(api_queue), args.runs * 4)
    )


if __name__ == "__main__":
    main()
