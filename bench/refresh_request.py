"""Micro-benchmark: what the workflow's refresh request adds to every label write.

Each label write asks for a debounced background refresh of its corpus
(``corpus_workflow_refresh_request``), which runs after the write commits.
This script times that part alone: many transactions that each register the
request and commit (no label is written, so nothing else is timed), minus the
same empty transactions without it, and counts the SQL statements the request
sends per write. A thread stands in for the Celery worker: whenever the queued
refresh is due it clears the marker, as the real task does before it reads, so
the run goes through the same claim / wait / claim cycle as a labeling burst.
Tasks go to a Redis queue of their own, purged at the end.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench_workflow \\
        .venv/bin/python bench/refresh_request.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_bench_workflow")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("CELERY_QUEUE", "bench_refresh_request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--rate",
        type=float,
        default=400.0,
        help="label writes per second to emulate (0: as fast as possible)",
    )
    parser.add_argument(
        "--worker-lag",
        type=float,
        default=0.0,
        help="seconds between the stored marker and the task's start (2 for a marker that "
        "holds the time of the request, 0 for one that holds the time the task is due)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from annotator.celery import app
    from corpora.models import Corpus
    from corpora.services.corpora import corpus_create
    from review.models import AgreementReport
    from review.services.workflow import corpus_workflow_refresh_request

    call_command("migrate", verbosity=0)
    owner, _ = get_user_model().objects.get_or_create(username="bench-refresh-owner")
    corpus = Corpus.objects.filter(slug="bench-refresh-request").first() or corpus_create(
        name="Bench refresh request", owner=owner, slug="bench-refresh-request"
    )
    AgreementReport.objects.update_or_create(corpus=corpus, defaults={"refresh_queued_at": None})

    stop = threading.Event()
    lag = timedelta(seconds=args.worker_lag)
    refreshes = [0]

    def worker() -> None:
        # The real task clears the marker once it is due, then reads the labels.
        while not stop.is_set():
            due = (
                AgreementReport.objects.filter(corpus=corpus)
                .values_list("refresh_queued_at", flat=True)
                .first()
            )
            if due is not None and due + lag <= timezone.now():
                AgreementReport.objects.filter(corpus=corpus).update(refresh_queued_at=None)
                refreshes[0] += 1
            time.sleep(0.05)

    statements = [0]

    def count(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    def loop(with_request: bool, seconds: float) -> tuple[int, float, int]:
        """Paced writes for ``seconds``; returns writes, seconds spent in them, statements."""
        n, spent, before = 0, 0.0, statements[0]
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            while (now := time.perf_counter()) - started < seconds:
                if args.rate and now < started + n / args.rate:
                    time.sleep(started + n / args.rate - now)
                t = time.perf_counter()
                with transaction.atomic():
                    if with_request:
                        corpus_workflow_refresh_request(corpus_id=corpus.pk)
                spent += time.perf_counter() - t
                n += 1
        return n, spent, statements[0] - before

    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        loop(True, 0.5)  # warm-up
        base_n, base_s, base_q = loop(False, args.seconds)
        n, seconds, queries = loop(True, args.seconds)
    finally:
        stop.set()
        thread.join()
        with app.connection_for_write() as conn:
            conn.default_channel.queue_purge(app.conf.task_default_queue)
    empty_us = base_s / base_n * 1e6
    total_us = seconds / n * 1e6
    print(
        f"empty transaction:            {empty_us:8.1f} us/write, "
        f"{base_q / base_n:.2f} statements/write"
    )
    print(
        f"with the refresh request:     {total_us:8.1f} us/write, "
        f"{queries / n:.3f} statements/write ({n:,} writes, {refreshes[0]} refreshes)"
    )
    print(
        f"the request alone:            {total_us - empty_us:8.1f} us/write, "
        f"{(queries / n) - (base_q / base_n):.3f} statements/write"
    )
    print(f"paced at {args.rate:g} writes/s (0: unpaced); load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
