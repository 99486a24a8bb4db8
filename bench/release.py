"""Benchmark: build a dataset release of 1,000,000 labeled sentences (time, peak memory).

Fills a bench database like ``bench/api_export.py`` (100 sentences per article,
one annotation each from one of three annotators, written with COPY) and gives
every third sentence a gold label, then requests a release holding gold and
every annotator's labels and runs the build service
(``releases.services.build.release_build``, what the Celery task calls) in a
process of its own, as a worker would, printing its wall time, rows per second
and the process's peak resident memory (VmHWM), and the size of the files.
It prints the process's CPU time too: on a shared, loaded machine the
wall time says more about the neighbours than about the build. Run it at two
sizes to see that memory does not grow with the corpus (``--reuse`` builds
again from the last run's database).

Usage (from the repository root, with the project's virtualenv):
    python bench/release.py [--db-url postgres://.../annotator_bench_release]
        [--sentences 1000000] [--chunk 2000]
Target (issue 14): 1,000,000 labeled sentences built within 60 s, in constant memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from api_server import prepare  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/annotator_bench_release"


def build_in_child(release_id: int, chunk: int) -> dict:
    code = (
        "import json, resource, sys, time, django\n"
        "django.setup()\n"
        "from releases.services.build import release_build\n"
        "t = time.perf_counter()\n"
        "status = release_build(release_id=int(sys.argv[1]), chunk_size=int(sys.argv[2]))\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "ru = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(json.dumps({'status': status, 'seconds': time.perf_counter() - t,\n"
        "    'cpu_seconds': ru.ru_utime + ru.ru_stime,\n"
        "    'peak_rss_mb': int(hwm.split()[1]) / 1024}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(release_id), str(chunk)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise SystemExit(result.stderr[-4000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=DEFAULT_DB)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench database of the last run"
    )
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    data_dir = tempfile.mkdtemp(prefix="bench-release-")
    os.environ["ANNOTATOR_DATA_DIR"] = data_dir
    if args.reuse:
        from api_server import server_env

        os.environ.update(server_env(args.db_url, ANNOTATOR_DATA_DIR=data_dir))
        import django

        django.setup()
    else:
        prepare(args.db_url, ANNOTATOR_DATA_DIR=data_dir)
    from django.db import connection

    from corpora.models import Corpus
    from releases.models import ArticleSplit, Release
    from releases.services.releases import release_create

    if args.reuse:
        corpus = Corpus.objects.get()
        Release.objects.all().delete()
        ArticleSplit.objects.all().delete()
    else:
        from api_export import fill

        corpus, _secret = fill(args.sentences, interleave=3)
        add_gold(corpus, connection)
    release = release_create(
        corpus=corpus, user=None, name="Bench", version="1.0", licence="CC-BY-4.0", contents="all"
    )
    result = build_in_child(release.pk, args.chunk)
    release = Release.objects.get(pk=release.pk)
    assert result["status"] == "done", release.error
    size = sum(entry["bytes"] for entry in release.manifest["files"].values())
    rows = release.counts["rows"]
    print(f"release of {release.total:,} sentences ({rows:,} rows, gold and all labels)")
    print(
        f"  build: {result['seconds']:.1f} s, {rows / result['seconds']:,.0f} rows/s; "
        f"peak RSS {result['peak_rss_mb']:.0f} MB"
    )
    print(f"  CPU time of the building process: {result['cpu_seconds']:.1f} s")
    print(f"  files: {len(release.manifest['files'])}, {size / 1e6:.0f} MB")
    print(f"  load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")


def add_gold(corpus, connection) -> None:
    """Every third sentence's label becomes its gold label (adjudicated by its annotator)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO articles_goldlabel
                (sentence_id, label_id, origin, decided_by_id, note, source, created_at, updated_at)
            SELECT an.sentence_id, an.label_id, 'adjudicated', an.annotator_id, '', '', now(), now()
            FROM articles_annotation an JOIN articles_sentence s ON s.id = an.sentence_id
            JOIN articles_article a ON a.id = s.article_id
            WHERE a.corpus_id = %s AND s.id %% 3 = 0
            """,
            [corpus.pk],
        )
        cursor.execute("ANALYZE")
    print(f"gold labels added in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
