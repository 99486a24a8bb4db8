#!/usr/bin/env python3
"""Bulk import benchmark: N generated articles (~9 KB each) imported from one JSONL
file by real Celery workers, timed until every article is segmented.

    python bench/import_bulk.py [--articles 1000] [--size 9000] [--workers 2]

Uses PostgreSQL and Redis (DATABASE_URL / CELERY_BROKER_URL, defaulting to the
local services with a database of its own, created and migrated on first use),
or with ``--embedded`` SQLite and the filesystem broker under ANNOTATOR_DATA_DIR;
starts the workers itself (``--concurrency`` processes each) and stops them at
the end. Prints the time until the import job finished and until the last
article was segmented. Target (issue 5): 1,000 articles in under 60 s with two
workers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/annotator_bench_imports"

SENTENCES = [
    "The minister said on {day} that the plan would cost {n} million dollars, according to "
    "figures published by the finance ministry.",
    "Critics argue that the policy will likely fail within {n} months.",
    "It is possible that the coalition may collapse before the summer recess.",
    "Officials in {city} confirmed the meeting, Reuters reported.",
    "This is, quite simply, the worst decision the government has made in {n} years.",
    "If the talks stall, prices could rise by as much as {n} percent next year.",
    "According to the census bureau, {n} thousand households moved last year.",
    "Nobody seriously believes the numbers add up.",
    "The report, released on {day}, found that {n} of the {m} schools missed their targets.",
    "Perhaps the opposition will find its voice; perhaps it will not.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
CITIES = ["Washington", "Brussels", "Berlin", "Nairobi", "Jakarta", "Lima"]


def article_text(rng: random.Random, size: int, serial: int) -> str:
    paragraphs, current, length = [], [], 0
    while length < size:
        sentence = rng.choice(SENTENCES).format(
            day=rng.choice(DAYS),
            city=rng.choice(CITIES),
            n=rng.randint(2, 999),
            m=rng.randint(1000, 5000),
        )
        current.append(sentence)
        length += len(sentence) + 1
        if len(current) >= rng.randint(3, 6):
            paragraphs.append(" ".join(current))
            current = []
    paragraphs.append(f"Article {serial} ends here." if not current else " ".join(current))
    return "\n\n".join(paragraphs)


def ensure_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def start_worker(
    env: dict, log: Path, concurrency: int, *, app: str = "annotator", name: str = ""
) -> subprocess.Popen:
    """A Celery worker of ``app`` in its own session; ``name`` is its node name."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            app,
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={concurrency}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname={name or 'bench-' + uuid.uuid4().hex[:6]}@%h",
        ],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--size", type=int, default=9000, help="characters per article")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=1, help="processes per worker")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument(
        "--embedded",
        action="store_true",
        help="the embedded defaults: SQLite and the filesystem broker under\n"
        "ANNOTATOR_DATA_DIR (DATABASE_URL / CELERY_BROKER_URL are ignored)",
    )
    args = ap.parse_args()

    if args.embedded:
        os.environ.pop("DATABASE_URL", None)
        os.environ.pop("CELERY_BROKER_URL", None)
    else:
        os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
        os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/3")
    os.environ.setdefault("CELERY_QUEUE", "bench_imports")
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    sys.path.insert(0, str(REPO))
    if not args.embedded:
        ensure_database(os.environ["DATABASE_URL"])
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, check=True
    )

    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from annotator.celery import app
    from articles.models import Article
    from corpora.services.corpora import corpus_create
    from imports.models import ImportJob
    from imports.services import import_file_create
    from ops.selectors import workers_alive

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(os.environ["CELERY_QUEUE"])

    rng = random.Random(42)
    run = uuid.uuid4().hex[:8]
    lines = [
        json.dumps({"text": article_text(rng, args.size, i), "title": f"Bench {run} #{i}"})
        for i in range(args.articles)
    ]
    payload = "\n".join(lines).encode()
    owner, _ = get_user_model().objects.get_or_create(username="bench-owner")
    corpus = corpus_create(name=f"Import bench {run}", owner=owner)

    logs = Path(os.environ.get("BENCH_LOG_DIR", tempfile.gettempdir()))
    workers = [
        start_worker(dict(os.environ), logs / f"bench-import-worker-{i}.log", args.concurrency)
        for i in range(args.workers)
    ]
    try:
        deadline = time.monotonic() + 60
        while not workers_alive():
            if time.monotonic() > deadline:
                sys.exit("the workers did not start; see /tmp/bench-import-worker-*.log")
            time.sleep(0.2)
        time.sleep(1)  # let the second worker come up too

        start = time.monotonic()
        job = import_file_create(corpus=corpus, user=owner, filename="bench.jsonl", data=payload)
        imported_at = None
        deadline = start + args.timeout
        while True:
            job.refresh_from_db(fields=["status", "done", "failed", "duplicates", "error"])
            if imported_at is None and job.status in ("done", "failed"):
                imported_at = time.monotonic() - start
                if job.status == "failed":
                    sys.exit(f"the import failed: {job.error}")
            ready = Article.objects.filter(corpus=corpus, status=Article.Status.READY).count()
            failed = Article.objects.filter(corpus=corpus, status=Article.Status.FAILED).count()
            if imported_at is not None and ready + failed >= job.done:
                break
            if time.monotonic() > deadline:
                sys.exit(f"timed out: {ready} of {args.articles} segmented")
            time.sleep(0.1)
        total = time.monotonic() - start
    finally:
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.wait(timeout=30)

    size_mb = len(payload) / 1e6
    print(f"articles: {args.articles} x ~{args.size:,} chars ({size_mb:.1f} MB JSONL)")
    print(f"workers: {args.workers} x concurrency {args.concurrency}")
    print(f"import job finished: {imported_at:.1f} s ({job.done} imported, {job.failed} failed)")
    print(f"all segmented:       {total:.1f} s ({ready} ready, {failed} failed)")
    print(f"throughput:          {args.articles / total:.1f} articles/s")
    ImportJob.objects.filter(corpus=corpus).delete()
    corpus.delete()


if __name__ == "__main__":
    main()
