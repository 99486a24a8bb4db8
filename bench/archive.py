"""Benchmark: back up a large corpus to an archive and restore it (time, size, peak memory).

Builds the agreement bench's corpus (``bench/agreement.py``: SENTENCES
sentences, each labeled by 5 annotators, one history event per label), then
runs ``manage.py corpus_export_archive`` and ``corpus_import_archive`` (under a
new slug) each in a process of its own, and prints for each the wall time,
rows per second and the process's peak resident memory. The restored copy is
deleted at the end.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench_archive \\
        .venv/bin/python bench/archive.py [--sentences 100000] [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_bench_archive")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

COPY_SLUG = "bench-archive-copy"


def run_step(args: list[str]) -> dict:
    """Run one manage.py command in a child process; its time and peak memory.

    The peak is the process's VmHWM: getrusage's ru_maxrss survives exec, so a
    child would report its parent's peak when that is higher.
    """
    code = (
        "import json, sys, time, django\n"
        "django.setup()\n"
        "from django.core.management import call_command\n"
        "t = time.perf_counter()\n"
        "call_command(*sys.argv[1:], verbosity=0)\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(json.dumps({'seconds': time.perf_counter() - t,\n"
        "    'peak_rss_mb': int(hwm.split()[1]) / 1024}))\n"
    )
    # Fixed arguments: our own interpreter and command names.
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT / "bench"))
    import agreement  # the agreement bench's corpus builder

    agreement.ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from articles.models import Annotation, AnnotationEvent, Article, Sentence
    from corpora.models import Corpus

    call_command("migrate", verbosity=0)
    corpus = Corpus.objects.filter(slug=agreement.CORPUS_SLUG).first()
    have = Sentence.objects.filter(article__corpus=corpus).count() if corpus else 0
    if args.rebuild or have != args.sentences:
        # Articles first: a labeled corpus cannot be deleted in one go (its labels
        # are PROTECTed by the annotations and gold that use them).
        Article.objects.filter(corpus__slug=agreement.CORPUS_SLUG).delete()
        agreement.build(args.sentences)
        corpus = Corpus.objects.get(slug=agreement.CORPUS_SLUG)
    Article.objects.filter(corpus__slug=COPY_SLUG).delete()
    Corpus.objects.filter(slug=COPY_SLUG).delete()

    rows = (
        Sentence.objects.filter(article__corpus=corpus).count()
        + Annotation.objects.filter(sentence__article__corpus=corpus).count()
        + AnnotationEvent.objects.filter(sentence__article__corpus=corpus).count()
        + Article.objects.filter(corpus=corpus).count()
    )
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.zip")
        export = run_step(["corpus_export_archive", agreement.CORPUS_SLUG, path])
        size = os.path.getsize(path)
        restore = run_step(["corpus_import_archive", path, "--slug", COPY_SLUG])
    copy = Sentence.objects.filter(article__corpus__slug=COPY_SLUG).count()
    assert copy == args.sentences, (copy, args.sentences)
    start = time.perf_counter()
    Article.objects.filter(corpus__slug=COPY_SLUG).delete()
    Corpus.objects.filter(slug=COPY_SLUG).delete()
    cleanup = time.perf_counter() - start

    print(
        f"corpus: {args.sentences:,} sentences, {rows:,} rows in all; archive {size / 1e6:.1f} MB"
    )
    for name, step in [("export", export), ("restore", restore)]:
        print(
            f"{name:8} {step['seconds']:7.1f} s  {rows / step['seconds']:9,.0f} rows/s  "
            f"peak RSS {step['peak_rss_mb']:.0f} MB"
        )
    print(
        f"(deleting the copy took {cleanup:.1f} s; this process peaked at "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )


if __name__ == "__main__":
    main()
