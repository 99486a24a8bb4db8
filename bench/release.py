"""Benchmark: build a dataset release of 1,000,000 labeled sentences (time, peak memory).

Fills a bench database like ``bench/api_export.py`` (100 sentences per article,
one annotation each from one of three annotators, written with COPY) and gives
every third sentence a gold label, then requests a release holding gold and
every annotator's labels and runs the build service
(``releases.services.build.release_build``, what the Celery task calls) in a
process of its own, as a worker would, printing its wall time, rows per second
and the process's peak resident memory (VmHWM), and the size of the files.
It prints the process's CPU time too, and that of the PostgreSQL backends that
served it (read from /proc while it runs: the rows are built in the database), as
on a shared, loaded machine the wall time says more about the neighbours than
about the build. ``--python-rows`` builds the rows in Python, as on SQLite (the
path before the rows were built in PostgreSQL). Run it at two
sizes to see that memory does not grow with the corpus (``--reuse`` builds
again from the last run's database).

Usage (from the repository root, with the project's virtualenv):
    python bench/release.py [--db-url postgres://.../annotator_bench_release]
        [--sentences 1000000] [--chunk 10000] [--reuse] [--python-rows]
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


class BackendCpu:
    """CPU time of the PostgreSQL backends that serve the build (every connection to the
    bench database but the sampler's own), read from /proc every 0.2 s until stopped."""

    def __init__(self, db_url: str) -> None:
        import threading

        import psycopg

        self.conn = psycopg.connect(db_url, autocommit=True)
        self.own = self.conn.info.backend_pid
        self.name = self.conn.info.dbname
        self.ticks: dict[int, int] = {}
        self.hz = os.sysconf("SC_CLK_TCK")
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def sample(self) -> None:
        pids = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
            [self.name, self.own],
        ).fetchall()
        for (pid,) in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.ticks[pid] = max(self.ticks.get(pid, 0), int(fields[11]) + int(fields[12]))

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.sample()

    def __enter__(self) -> BackendCpu:
        self.before = {}
        self.sample()
        self.before = dict(self.ticks)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()
        self.conn.close()

    def seconds(self) -> float:
        return sum(t - self.before.get(pid, 0) for pid, t in self.ticks.items()) / self.hz


def build_in_child(release_id: int, chunk: int, in_sql: bool) -> dict:
    code = (
        "import json, resource, sys, time, django\n"
        "django.setup()\n"
        "from releases.services.build import release_build\n"
        "t = time.perf_counter()\n"
        "status = release_build(release_id=int(sys.argv[1]), chunk_size=int(sys.argv[2]),\n"
        "    rows_in_sql=sys.argv[3] == 'sql')\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "ru = resource.getrusage(resource.RUSAGE_SELF)\n"
        "print(json.dumps({'status': status, 'seconds': time.perf_counter() - t,\n"
        "    'cpu_seconds': ru.ru_utime + ru.ru_stime,\n"
        "    'peak_rss_mb': int(hwm.split()[1]) / 1024}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(release_id), str(chunk), "sql" if in_sql else "python"],
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
    parser.add_argument("--chunk", type=int, default=10000)
    parser.add_argument(
        "--python-rows",
        action="store_true",
        help="build the rows in Python (the SQLite path) rather than in PostgreSQL",
    )
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
    connection.close()  # the parent's backend idles: it is left out of the count by closing it
    with BackendCpu(args.db_url) as backends:
        result = build_in_child(release.pk, args.chunk, not args.python_rows)
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
    print(f"  CPU time of its PostgreSQL backends: {backends.seconds():.1f} s")
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
