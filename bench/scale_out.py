#!/usr/bin/env python3
"""Scale-out: gunicorn nodes and Celery workers sharing one PostgreSQL and one broker.

For each broker (Redis, then RabbitMQ) the benchmark runs twice on one fresh
database: one node + one worker, then two nodes + two workers. Each run has
its own corpus, owner and 8 annotators with API tokens (made through the
services). Eight clients, spread round-robin over the nodes, import the
articles through the API (one text import job per article, each client posting
its share with the owner's token), the clock runs until every article is
segmented; then each client writes labels as its own annotator (one PUT per
label: new labels, then changes of some). It checks that no work was lost or
done twice and prints the throughput of one node against two.

Usage (from the repository root, with the project's virtualenv):
    python bench/scale_out.py [--quick] [--brokers redis,amqp] [--articles 1000]
        [--labels 500] [--db-url postgres://.../annotator_bench_scale]
        [--redis-url redis://127.0.0.1:6379/5] [--amqp-url amqp://guest:guest@127.0.0.1:5672//]
        [--queue bench_scale] [--keep]

Every process it starts (gunicorn, celery) runs in its own session and is
stopped on exit, Ctrl-C included; the database is dropped unless --keep.
Exit status 1 when a check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

from api_labels import client_run, database_backends, machine_cpu, process_cpu
from api_server import ROOT, Gunicorn, percentile, prepare, server_env
from import_bulk import article_text, start_worker

BENCH = Path(__file__).resolve().parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/annotator_bench_scale"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
DEFAULT_AMQP = "amqp://guest:guest@127.0.0.1:5672//"
LABELS = ["claim", "speculation", "sourced_fact"]


# ---------------------------------------------------------------- processes


class Workers:
    """``count`` Celery workers (task_record's app), stopped by process group on exit."""

    def __init__(self, env: dict[str, str], *, count: int, concurrency: int, name: str, logs: Path):
        self.env = env
        self.count = count
        self.concurrency = concurrency
        self.names = [f"{name}-{i}" for i in range(count)]
        self.logs = logs
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> Workers:
        try:
            for node in self.names:
                log = self.logs / f"{node}.log"
                self.procs.append(
                    start_worker(self.env, log, self.concurrency, app="task_record", name=node)
                )
        except BaseException:  # Ctrl-C between two starts: stop the first
            self.__exit__()
            raise
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        """Until every worker has written its heartbeat row."""
        from ops.models import WorkerHeartbeat

        deadline = time.monotonic() + timeout
        while True:
            seen = {
                host.split("@")[0]
                for host in WorkerHeartbeat.objects.values_list("hostname", flat=True)
            }
            if all(node in seen for node in self.names):
                return
            for proc, node in zip(self.procs, self.names, strict=True):
                if proc.poll() is not None:
                    raise RuntimeError(f"worker {node} exited; see {self.logs / node}.log")
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers not ready within {timeout:.0f} s; see {self.logs}")
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # warm shutdown: finish the task in hand
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


class CpuMeter:
    """CPU seconds spent by the nodes, the workers, PostgreSQL and this client, and the machine.

    ``groups`` maps a name to process group ids (each server and worker runs in
    its own session, so its children share its group); PostgreSQL is every
    backend connected to the bench database; "brokers" are the processes
    listening on ``broker_ports`` (the broker and the Redis cache), which other
    users of the machine may share. Whatever the machine was busy with beyond
    these was someone else's work.
    """

    def __init__(self, db_url: str, groups: dict[str, list[int]], broker_ports: list[int]):
        self.db_url = db_url
        self.groups = groups
        self.brokers = {pid for port in broker_ports if (pid := listener_pid(port))}

    def snapshot(self) -> dict:
        wanted = {pgid: name for name, pgids in self.groups.items() for pgid in pgids}
        per_pid: dict[str, dict[int, float]] = {name: {} for name in (*self.groups, "brokers")}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    tail = stat.read().rsplit(")", 1)[1]
            except OSError:
                continue  # ended meanwhile
            fields = tail.split()
            name = "brokers" if int(entry) in self.brokers else wanted.get(int(fields[2]))
            if name:
                per_pid[name][int(entry)] = (int(fields[11]) + int(fields[12])) / os.sysconf(
                    "SC_CLK_TCK"
                )
        backends = {}
        for pid in database_backends(self.db_url):
            with contextlib.suppress(OSError):
                backends[pid] = process_cpu(pid)
        per_pid["PostgreSQL"] = backends
        return {"pids": per_pid, "client": time.process_time(), "machine": machine_cpu()}

    def spent(self, before: dict) -> dict[str, float]:
        """CPU seconds per name since ``before``; "busy"/"others" from the machine's counters."""
        after = self.snapshot()
        spent = {
            name: sum(cpu - before["pids"].get(name, {}).get(pid, 0.0) for pid, cpu in pids.items())
            for name, pids in after["pids"].items()
        }
        spent["client"] = after["client"] - before["client"]
        busy, total = (a - b for b, a in zip(before["machine"], after["machine"], strict=True))
        tick = os.sysconf("SC_CLK_TCK")
        spent["busy"] = busy / tick
        spent["idle"] = (total - busy) / tick
        spent["others"] = max(
            0.0, spent["busy"] - sum(spent[n] for n in (*after["pids"], "client"))
        )
        return spent


def listener_pid(port: int) -> int | None:
    """The process listening on this local TCP port, if this user may see it."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{entry}/fd"):
                    if os.readlink(f"/proc/{entry}/fd/{fd}") in inodes:
                        return int(entry)
    return None


def broker_queue(url: str, queue: str, *, delete: bool = False) -> None:
    """Empty the bench queue (or delete it), so a run starts with no message left."""
    from kombu import Connection

    with Connection(url, connect_timeout=5) as conn:
        channel = conn.channel()
        try:
            if delete:
                channel.queue_delete(queue)
            else:
                channel.queue_purge(queue)
        except conn.channel_errors:
            pass  # AMQP answers NOT_FOUND for a queue never declared: nothing to empty


def drop_database(db_url: str) -> None:
    import psycopg

    parsed = urlparse(db_url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


# ---------------------------------------------------------------- one run


def run_data(*, run: str, clients: int) -> tuple[object, str, list[object], list[str]]:
    """Corpus, owner token, annotators and their tokens, made through the services."""
    from django.contrib.auth import get_user_model

    from accounts.services import token_create
    from corpora.models import Role
    from corpora.services.corpora import corpus_create, membership_set

    users = get_user_model().objects
    owner = users.create_user(f"{run}-owner", password=secrets.token_urlsafe(16))
    corpus = corpus_create(name=f"Scale-out {run}", owner=owner)
    annotators, tokens = [], []
    for i in range(clients):
        user = users.create_user(f"{run}-annotator{i}", password=secrets.token_urlsafe(16))
        membership_set(corpus=corpus, user=user, role=Role.ANNOTATOR)
        annotators.append(user)
        tokens.append(token_create(user=user, name="scale-out bench", expires_in_days=1)[1])
    owner_token = token_create(user=owner, name="scale-out bench", expires_in_days=1)[1]
    return corpus, owner_token, annotators, tokens


def articles_to_import(count: int, *, run: str, size: int, seed: int) -> list[dict[str, str]]:
    """Distinct opinion-article bodies of a few paragraphs, with their metadata."""
    rng = random.Random(seed)
    seen: set[str] = set()
    bodies = []
    while len(bodies) < count:
        text = article_text(rng, size, len(bodies))
        if text not in seen:
            seen.add(text)
            bodies.append(text)
    return [
        {
            "kind": "text",
            "text": text,
            "title": f"{run} op-ed {i}",
            "author": f"Columnist {i % 37}",
            "outlet": ["The Ledger", "Daily Argument", "The Observer Desk"][i % 3],
        }
        for i, text in enumerate(bodies)
    ]


def import_client(
    port: int, token: str, slug: str, items: list[dict], out: list, errors: list
) -> None:
    """POST each item as a text import job; record (title, job id) and the latency."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    for item in items:
        body = json.dumps(item)
        started = time.perf_counter()
        try:
            conn.request("POST", f"/api/corpora/{slug}/imports/", body, headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"import {item['title']}: {exc!r}")
            conn.close()
            continue
        elapsed = time.perf_counter() - started
        if response.status != 202:
            errors.append(f"import {item['title']}: {response.status} {payload[:200]!r}")
            continue
        out.append((item["title"], json.loads(payload)["id"], elapsed))
    conn.close()


def warm_up(ports: list[int], token: str, slug: str, requests: int = 20) -> None:
    """A few reads on every node, so each gunicorn worker has its connections open."""
    for port in ports:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(requests):
            conn.request(
                "GET",
                f"/api/corpora/{slug}/articles/?page_size=1",
                headers={"Authorization": f"Token {token}"},
            )
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"warm-up on port {port}: {response.status}")
        conn.close()


def in_threads(target, argsets: list[tuple]) -> float:
    """Run ``target`` once per argument tuple, each in its own thread; seconds taken."""
    threads = [threading.Thread(target=target, args=a, daemon=True) for a in argsets]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def wait_segmented(corpus, expected: int, timeout: float) -> tuple[bool, dict]:
    """Until every article is ready and every import job has ended (or the timeout)."""
    from articles.models import Article
    from imports.models import ImportJob

    deadline = time.monotonic() + timeout
    while True:
        articles = Counter(
            Article.objects.filter(corpus=corpus).values_list("status", flat=True).iterator()
        )
        jobs = Counter(
            ImportJob.objects.filter(corpus=corpus).values_list("status", flat=True).iterator()
        )
        settled = articles["ready"] + articles["failed"] >= expected
        jobs_ended = jobs["queued"] + jobs["running"] == 0 and sum(jobs.values()) >= expected
        if settled and jobs_ended:
            return True, {"articles": dict(articles), "jobs": dict(jobs)}
        if time.monotonic() > deadline:
            return False, {"articles": dict(articles), "jobs": dict(jobs)}
        time.sleep(0.2)


def label_plan(sentence_ids: list[int], client: int, clients: int, writes: int) -> list:
    """New labels (version 0) on this client's own sentences, then 30 % of them changed."""
    new = int(writes * 0.7)
    mine = sentence_ids[client::clients][:new]
    if len(mine) < new:
        raise RuntimeError(f"only {len(mine)} sentences for client {client}; import more")
    plan = [(sid, LABELS[(client + n) % 2], 0) for n, sid in enumerate(mine)]
    plan += [(sid, LABELS[2], 1) for sid in mine[: writes - new]]
    return plan


def run_once(args, *, broker: str, broker_url: str, nodes: int, env: dict, logs: Path) -> dict:
    from articles.models import Sentence

    run = f"scale-{broker}-{nodes}x-{secrets.token_hex(3)}"
    corpus, owner_token, annotators, tokens = run_data(run=run, clients=args.clients)
    items = articles_to_import(args.articles, run=run, size=args.size, seed=len(run) + nodes)
    record = logs / f"{run}-tasks.jsonl"
    env = dict(env, CELERY_BROKER_URL=broker_url, BENCH_TASK_RECORD=str(record))
    broker_queue(broker_url, args.queue)
    result: dict = {"broker": broker, "nodes": nodes, "run": run, "errors": []}
    print(f"\n== {broker}: {nodes} node(s) + {nodes} worker(s), corpus {corpus.slug}", flush=True)

    with contextlib.ExitStack() as stack:
        workers = stack.enter_context(
            Workers(env, count=nodes, concurrency=args.concurrency, name=run, logs=logs)
        )
        servers = [
            stack.enter_context(
                Gunicorn(args.db_url, workers=args.gunicorn_workers, threads=args.threads, env=env)
            )
            for _ in range(nodes)
        ]
        workers.wait_ready()
        ports = [server.port for server in servers]
        warm_up(ports, owner_token, corpus.slug)
        meter = CpuMeter(
            args.db_url,
            {
                "web": [server.proc.pid for server in servers],
                "workers": [proc.pid for proc in workers.procs],
            },
            broker_ports=sorted(
                {urlparse(broker_url).port or 5672, urlparse(env["CACHE_URL"]).port or 6379}
            ),
        )

        # Imports: client i posts items i, i+8, ... to node i % nodes.
        posted: list = []
        cpu = meter.snapshot()
        started = time.perf_counter()
        posting = in_threads(
            import_client,
            [
                (
                    ports[i % nodes],
                    owner_token,
                    corpus.slug,
                    items[i :: args.clients],
                    posted,
                    result["errors"],
                )
                for i in range(args.clients)
            ],
        )
        settled, counts = wait_segmented(corpus, len(items), args.timeout)
        elapsed = time.perf_counter() - started
        result["import"] = {
            "seconds": elapsed,
            "posting_seconds": posting,
            "rate": len(items) / elapsed,
            "latencies": [latency for _, _, latency in posted],
            "settled": settled,
            "counts": counts,
            "cpu": meter.spent(cpu),
            "posted": posted,
        }
        print(
            f"  imports: {len(posted)} posted in {posting:.1f} s, all segmented after "
            f"{elapsed:.1f} s ({len(items) / elapsed:.1f} articles/s)"
            + ("" if settled else " TIMEOUT"),
            flush=True,
        )

        # Label writes: client i is annotator i, on node i % nodes.
        sentence_ids = list(
            Sentence.objects.filter(article__corpus=corpus)
            .order_by("article_id", "index")
            .values_list("pk", flat=True)
        )
        plans = [
            label_plan(sentence_ids, i, args.clients, args.labels) for i in range(args.clients)
        ]
        latencies: list[float] = []
        acks: list[list] = [[] for _ in range(args.clients)]

        def label_client(i: int) -> None:
            try:
                client_run(ports[i % nodes], tokens[i], plans[i], latencies, acks=acks[i])
            except Exception as exc:  # noqa: BLE001 - reported as a failed check below
                result["errors"].append(f"labels, client {i}: {exc!r}")

        cpu = meter.snapshot()
        elapsed = in_threads(label_client, [(i,) for i in range(args.clients)])
        result["labels"] = {
            "seconds": elapsed,
            "rate": len(latencies) / elapsed,
            "latencies": latencies,
            "cpu": meter.spent(cpu),
            "planned": sum(len(p) for p in plans),
        }
        print(
            f"  labels: {len(latencies)} writes in {elapsed:.1f} s "
            f"({len(latencies) / elapsed:.0f}/s)",
            flush=True,
        )
        # Let the workers finish what the label writes queued (the review refresh).
        time.sleep(2)
    # Workers and servers have stopped: whatever is in the database now is final.
    result["checks"] = run_checks(
        corpus=corpus,
        items=items,
        posted=posted,
        annotators=annotators,
        acks=acks,
        record=record,
        expected_workers=workers.names,
        errors=result["errors"],
    )
    return result


# ---------------------------------------------------------------- checks


def run_checks(*, corpus, items, posted, annotators, acks, record, expected_workers, errors):
    """Each check: (name, passed, detail). Reads the database and the workers' task record."""
    from django.db import connection

    from articles.models import Annotation, AnnotationEvent, Article
    from imports.models import ImportJob

    checks = []

    def check(name: str, passed: bool, detail: str = "") -> None:
        checks.append((name, bool(passed), detail))

    check("every request answered 2xx", not errors, "; ".join(errors[:5]))

    # Articles: exactly the ones posted, each once, each ready.
    titles = Counter(Article.objects.filter(corpus=corpus).values_list("title", flat=True))
    expected_titles = {item["title"] for item in items}
    doubled = [t for t, n in titles.items() if n > 1]
    check(
        f"exactly {len(items)} articles, one per posted text",
        sum(titles.values()) == len(items) and set(titles) == expected_titles and not doubled,
        f"{sum(titles.values())} stored, {len(expected_titles - set(titles))} missing, "
        f"{len(doubled)} doubled",
    )
    statuses = Counter(Article.objects.filter(corpus=corpus).values_list("status", flat=True))
    check("every article ready", statuses == {"ready": len(items)}, str(dict(statuses)))

    # Sentences: one set per article, indexes 0..n-1 without a gap or a repeat,
    # each the exact slice of its article's text (invariant 1).
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE n = 0),
                   count(*) FILTER (WHERE n > 0 AND (n <> distinct_n OR lo <> 0 OR hi <> n - 1)),
                   coalesce(sum(n), 0), coalesce(sum(wrong_text), 0)
            FROM (
                SELECT a.id, count(s.id) AS n, count(DISTINCT s.index) AS distinct_n,
                       min(s.index) AS lo, max(s.index) AS hi,
                       count(*) FILTER (
                           WHERE s.id IS NOT NULL
                           AND substr(a.text, s.start + 1, s."end" - s.start) <> s.text
                       ) AS wrong_text
                FROM articles_article a
                LEFT JOIN articles_sentence s ON s.article_id = a.id
                WHERE a.corpus_id = %s
                GROUP BY a.id
            ) per_article
            """,
            [corpus.pk],
        )
        empty, bad_indexes, sentences, wrong_text = cursor.fetchone()
    check(
        "one set of sentences per article (indexes 0..n-1, no duplicate, text = slice)",
        empty == 0 and bad_indexes == 0 and wrong_text == 0,
        f"{sentences} sentences; {empty} articles without, {bad_indexes} with bad indexes, "
        f"{wrong_text} wrong slices",
    )

    # Import jobs: one per POST, each done once with its one article.
    jobs = ImportJob.objects.filter(corpus=corpus)
    job_status = Counter(jobs.values_list("status", flat=True))
    check(
        "no import job left queued or running; all done",
        job_status == {"done": len(items)},
        str(dict(job_status)),
    )
    tallies = Counter(
        (done, failed, duplicates, article is not None)
        for done, failed, duplicates, article in jobs.values_list(
            "done", "failed", "duplicates", "article_id"
        )
    )
    job_articles = Counter(jobs.values_list("article_id", flat=True))
    check(
        "each job created exactly one article, a different one",
        tallies == {(1, 0, 0, True): len(items)} and max(job_articles.values(), default=0) == 1,
        str(dict(Counter({str(k): v for k, v in tallies.items()}))),
    )
    posted_jobs = {job_id for _, job_id, _ in posted}
    check(
        "every acknowledged import (202) has its job",
        posted_jobs == set(jobs.values_list("pk", flat=True)),
        f"{len(posted_jobs)} acknowledged",
    )

    # The workers' own record: each article segmented ("done") by exactly one
    # task run, each job run to "done" by exactly one; other runs were skips.
    lines = record.read_text().splitlines() if record.exists() else []
    runs = [json.loads(line) for line in lines if line]
    article_ids = set(Article.objects.filter(corpus=corpus).values_list("pk", flat=True))
    segmented = Counter(
        r["args"][0]
        for r in runs
        if r["task"].endswith("segment_article") and r["result"] == "done"
    )
    imported = Counter(
        r["args"][0] for r in runs if r["task"].endswith("run_import_job") and r["result"] == "done"
    )
    others = Counter(
        (r["task"].rsplit(".", 1)[-1], r["result"])
        for r in runs
        if r["result"] != "done" and r["task"].endswith(("segment_article", "run_import_job"))
    )
    check(
        "each article segmented by exactly one task run",
        set(segmented) == article_ids and set(segmented.values()) == {1},
        f"{sum(segmented.values())} segmenting runs for {len(article_ids)} articles; "
        f"other outcomes: {dict(others) or 'none'}",
    )
    check(
        "each import job run to the end by exactly one task run",
        set(imported) == posted_jobs and set(imported.values()) == {1},
        f"{sum(imported.values())} runs for {len(posted_jobs)} jobs",
    )
    per_worker = Counter(r["worker"].split("@")[0] for r in runs if r["worker"])
    check(
        "every worker took work",
        all(per_worker.get(name, 0) > 0 for name in expected_workers),
        ", ".join(f"{name}: {per_worker.get(name, 0)} tasks" for name in expected_workers),
    )

    # Labels: every acknowledged write stored once, with its history.
    last: dict[tuple[int, int], tuple[str, int]] = {}
    acked = 0
    for user, client_acks in zip(annotators, acks, strict=True):
        for sentence_id, label, version in client_acks:
            last[(sentence_id, user.pk)] = (label, version)
            acked += 1
    stored = {
        (sentence_id, annotator_id): (label, version)
        for sentence_id, annotator_id, label, version in Annotation.objects.filter(
            sentence__article__corpus=corpus
        ).values_list("sentence_id", "annotator_id", "label__key", "version")
    }
    check(
        "every acknowledged label stored, once, as last acknowledged",
        stored == last,
        f"{acked} writes acknowledged on {len(last)} sentence-annotator pairs; "
        f"{len(stored)} stored, {sum(1 for k, v in last.items() if stored.get(k) != v)} differ",
    )
    events: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for sentence_id, annotator_id, version, new_label in AnnotationEvent.objects.filter(
        sentence__article__corpus=corpus
    ).values_list("sentence_id", "annotator_id", "version", "new_label"):
        events[(sentence_id, annotator_id)].append((version, new_label))
    bad_history = [
        key
        for key, (label, version) in last.items()
        if sorted(v for v, _ in events.get(key, [])) != list(range(1, version + 1))
        or max(events.get(key, [(0, "")]))[1] != label
    ]
    check(
        "one history event per acknowledged write, versions 1..n, last = stored label",
        not bad_history
        and sum(len(v) for v in events.values()) == acked
        and set(events) == set(last),
        f"{sum(len(v) for v in events.values())} events for {acked} writes; "
        f"{len(bad_history)} pairs with a wrong history",
    )
    return checks


# ---------------------------------------------------------------- report


def summary(results: list[dict]) -> None:
    def ms(values: list[float], p: float) -> str:
        return f"{percentile(values, p) * 1000:.0f}" if values else "-"

    done = [r for r in results if r.get("import") and r.get("labels")]
    print("\n== Throughput (wall clock)")
    print(
        "| broker | nodes + workers | imports/s until segmented | import POST p50 / p99 ms "
        "| label writes/s | label PUT p50 / p99 ms |"
    )
    print("|---|---|---|---|---|---|")
    for r in done:
        imp, lab = r["import"], r["labels"]
        print(
            f"| {r['broker']} | {r['nodes']} + {r['nodes']} | {imp['rate']:.1f} "
            f"({imp['seconds']:.1f} s) | {ms(imp['latencies'], 50)} / {ms(imp['latencies'], 99)} "
            f"| {lab['rate']:.0f} ({len(lab['latencies'])} in {lab['seconds']:.1f} s) "
            f"| {ms(lab['latencies'], 50)} / {ms(lab['latencies'], 99)} |"
        )
    print("\n== Where the CPU went (CPU seconds during the phase; 'others' = not this benchmark)")
    print(
        "| broker | nodes | phase | web nodes | Celery workers | PostgreSQL | clients "
        "| broker servers | others | idle | ours per item |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in done:
        for phase, items in (("imports", len(r["import"]["latencies"])), ("labels", None)):
            cpu = r["import" if phase == "imports" else "labels"]["cpu"]
            items = items or len(r["labels"]["latencies"])
            ours = sum(cpu[name] for name in ("web", "workers", "PostgreSQL", "client", "brokers"))
            print(
                f"| {r['broker']} | {r['nodes']} | {phase} | {cpu['web']:.1f} | "
                f"{cpu['workers']:.1f} | {cpu['PostgreSQL']:.1f} | {cpu['client']:.1f} | "
                f"{cpu['brokers']:.1f} | {cpu['others']:.1f} | {cpu['idle']:.1f} | "
                f"{ours / max(items, 1) * 1000:.1f} ms |"
            )
    by_broker: dict[str, dict[int, dict]] = defaultdict(dict)
    for r in done:
        by_broker[r["broker"]][r["nodes"]] = r
    for broker, runs in by_broker.items():
        if 1 in runs and 2 in runs:
            one, two = runs[1], runs[2]
            print(
                f"{broker}: two nodes / one node = imports x"
                f"{two['import']['rate'] / one['import']['rate']:.2f}, label writes x"
                f"{two['labels']['rate'] / one['labels']['rate']:.2f}"
            )


def interrupted(signum, frame) -> None:
    # A second Ctrl-C must not cut the clean-up short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="100 articles, 100 labels a client")
    parser.add_argument("--brokers", default="redis,amqp", help="comma-separated: redis, amqp")
    parser.add_argument("--nodes", default="1,2", help="node counts to run, e.g. 1,2")
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--size", type=int, default=2500, help="characters per article")
    parser.add_argument("--labels", type=int, default=500, help="label writes per client")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="per node")
    parser.add_argument("--threads", type=int, default=4, help="per gunicorn worker")
    parser.add_argument("--concurrency", type=int, default=1, help="processes per Celery worker")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for imports")
    parser.add_argument("--db-url", default=os.environ.get("BENCH_SCALE_DB", DEFAULT_DB))
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--amqp-url", default=DEFAULT_AMQP)
    parser.add_argument("--cache-url", default="", help="defaults to --redis-url")
    parser.add_argument("--queue", default="bench_scale", help="Celery queue of the run")
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    args = parser.parse_args()
    if args.quick:
        args.articles, args.labels = 100, 100
    brokers = {"redis": args.redis_url, "amqp": args.amqp_url}
    chosen = [b.strip() for b in args.brokers.split(",") if b.strip()]
    unknown = [b for b in chosen if b not in brokers]
    if unknown:
        parser.error(f"--brokers: unknown {', '.join(unknown)}; use redis and/or amqp")
    node_counts = [int(n) for n in args.nodes.split(",")]

    # Ctrl-C and SIGTERM end the run the same way: every `finally` and context
    # exit runs (SIGINT explicitly, as a shell starts background jobs ignoring it).
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    logs = Path(tempfile.mkdtemp(prefix="annotator-scale-"))
    static_root = logs / "static"
    results: list[dict] = []
    failed = False
    load_before = os.getloadavg()
    try:
        # A fresh database, migrated; Django set up in this process.
        prepare(args.db_url, ANNOTATOR_DATA_DIR=str(logs / "bench-data"))
        env = server_env(
            args.db_url,
            ANNOTATOR_MODE="production",
            SECRET_KEY=secrets.token_urlsafe(50),
            ANNOTATOR_DATA_DIR=str(logs / "data"),
            STATIC_ROOT=str(static_root),
            CACHE_URL=args.cache_url or args.redis_url,
            CELERY_QUEUE=args.queue,
            # TLS ends at the proxy in front; the nodes serve plain HTTP on loopback.
            SECURE_SSL_REDIRECT="false",
            PYTHONPATH=os.pathsep.join([str(BENCH), str(ROOT)]),
        )
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        for broker in chosen:
            for nodes in node_counts:
                results.append(
                    run_once(
                        args,
                        broker=broker,
                        broker_url=brokers[broker],
                        nodes=nodes,
                        env=env,
                        logs=logs,
                    )
                )
                for name, passed, detail in results[-1]["checks"]:
                    failed |= not passed
                    print(f"  {'ok  ' if passed else 'FAIL'} {name}: {detail}")
            broker_queue(brokers[broker], args.queue, delete=True)
        summary(results)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping servers and workers, dropping the database", flush=True)
        failed = True
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(args.db_url)
            shutil.rmtree(logs, ignore_errors=True)
        else:
            print(f"kept: database {args.db_url}, logs in {logs}")
    print(
        f"\nload average (1 min) before / after: {load_before[0]:.1f} / {os.getloadavg()[0]:.1f};"
        f" {os.cpu_count()} CPUs"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
