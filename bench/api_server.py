"""Shared by the API benchmarks: a fresh bench database, its data, and a gunicorn on it.

Not a benchmark itself. Each bench/api_*.py script calls ``prepare`` (drop and
recreate the database, migrate, set up Django in this process so data can be
bulk-created through the ORM or COPY) and ``Gunicorn`` (start on loopback,
wait until it answers, stop by process id).
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/annotator_bench"


def server_env(db_url: str, **extra: str) -> dict[str, str]:
    data_dir = extra.get("ANNOTATOR_DATA_DIR") or tempfile.mkdtemp(prefix="annotator-bench-")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        ANNOTATOR_DATA_DIR=data_dir,
        DJANGO_SETTINGS_MODULE="annotator.settings",
        # The benchmark measures the server, not the token throttle.
        API_THROTTLE_RATE="10000000/min",
        DB_CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL=env.get("BENCH_BROKER_URL", "filesystem://"),
    )
    env.update(extra)
    return env


def prepare(db_url: str, **extra: str) -> None:
    """Recreate the bench database (PostgreSQL, or a SQLite file for a ``sqlite:///``
    URL), migrate it, and set Django up in this process.

    ``extra`` environment variables go to this process's settings (see ``server_env``).
    """
    parsed = urlparse(db_url)
    if parsed.scheme == "sqlite":  # sqlite:////absolute/path: a fresh file
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.path + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        name = parsed.path.lstrip("/")
        admin = parsed._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    attach(db_url, **extra)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def attach(db_url: str, **extra: str) -> None:
    """Set Django up in this process on the bench database as it is (no migration)."""
    os.environ.update(server_env(db_url, **extra))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    def __init__(
        self,
        db_url: str,
        *,
        workers: int,
        threads: int = 1,
        timeout: int = 120,
        env: dict[str, str] | None = None,
    ):
        self.port = free_port()
        self.args = [
            sys.executable,
            "-m",
            "gunicorn",
            "annotator.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread" if threads > 1 else "sync",
            "--timeout",
            str(timeout),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ]
        self.env = server_env(db_url, **(env or {}))
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:  # not started, or Ctrl-C while waiting: stop it
            self.__exit__()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.proc.returncode}")
            try:
                # self.base is the http:// address of the server started above.
                urllib.request.urlopen(self.base + "/api/corpora/", timeout=2)  # noqa: S310
            except urllib.error.HTTPError:
                return  # 401: it answers
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start within 60 s")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True
        ).stdout
        return [int(pid) for pid in out.split()]

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def make_corpus_with_articles(
    *,
    articles: int,
    sentences_per_article: int,
    annotators: list,
    copy: bool = False,
    interleave: int = 1,
):
    """A corpus owned by the first user, ready articles with sentences, all via bulk writes.

    Article texts are built from their sentences so every offset holds
    (docs/architecture.md, invariant 1). With ``interleave`` > 1, each group of
    that many articles gets its sentences in turn, so their ids interleave as
    when articles are segmented at the same time. Returns the corpus.
    """
    from articles.models import Article, Sentence
    from articles.services.articles import content_hash
    from corpora.models import Corpus, Role
    from corpora.services.corpora import corpus_create, membership_set

    corpus = corpus_create(name=f"Bench {time.time_ns()}", owner=annotators[0])
    for user in annotators[1:]:
        membership_set(corpus=corpus, user=user, role=Role.ANNOTATOR)
    batch_articles: list[Article] = []
    texts: list[list[tuple[int, int, str]]] = []
    for a in range(articles):
        spans, parts, pos = [], [], 0
        for i in range(sentences_per_article):
            text = (
                f"Sentence {i} of article {a} says that the minister may have known more "
                f"than she said, according to officials."
            )
            spans.append((pos, pos + len(text), text))
            parts.append(text)
            pos += len(text) + 1
        body = " ".join(parts)
        batch_articles.append(
            Article(
                corpus=corpus,
                title=f"Article {a}",
                author="Bench Author",
                outlet="The Bench",
                source_url=f"https://example.org/{a}",
                text=body,
                content_hash=content_hash(body),
                status=Article.Status.READY,
                segmenter_version="bench",
            )
        )
        texts.append(spans)
    created = Article.objects.bulk_create(batch_articles, batch_size=1000)
    runs = [
        [
            (article.pk, i, start, end, i // 5, "sentence", text)
            for i, (start, end, text) in enumerate(spans)
        ]
        for article, spans in zip(created, texts, strict=True)
    ]
    rows = (
        row
        for g in range(0, len(runs), interleave)
        for turn in itertools.zip_longest(*runs[g : g + interleave])
        for row in turn
        if row is not None
    )
    if copy:
        _copy_sentences(rows)
    else:
        Sentence.objects.bulk_create(
            (
                Sentence(article_id=a, index=i, start=s, end=e, paragraph=p, kind=k, text=t)
                for a, i, s, e, p, k, t in rows
            ),
            batch_size=2000,
        )
    return Corpus.objects.get(pk=corpus.pk)


def _copy_sentences(rows) -> None:
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.copy(
            'COPY articles_sentence (article_id, index, start, "end", paragraph, kind, text) '
            "FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)
