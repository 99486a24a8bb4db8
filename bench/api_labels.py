"""Label writes through the API from concurrent clients, against gunicorn + PostgreSQL
(or SQLite, with a ``sqlite:////path`` URL).

Each client is its own annotator with a personal token (or, with
``--session``, a signed-in session: cookie + X-CSRFToken, as the browser and
the side-by-side harness send it) and keeps one keep-alive connection; it sets
labels on sentences one after another (PUT /api/sentences/{id}/annotation/
with version 0: a new label), then changes a share of them (version 1 -> 2),
as a labeling session does. Prints labels/s
over the whole run and latency percentiles per request.

Usage (from the repository root, with the project's virtualenv):
    python bench/api_labels.py [--db-url postgres://.../annotator_bench] [--clients 8]
        [--labels 1000] [--workers 2] [--threads 4] [--session] [--close]
Target (issue 3): at least 400 labels/s with 8 clients, p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import threading
import time

from api_server import DEFAULT_DB, Gunicorn, make_corpus_with_articles, percentile, prepare


def client_run(
    base_port: int,
    token: str,
    plan: list[tuple[int, str, int]],
    out: list,
    bulk: int = 0,
    *,
    acks: list | None = None,
    auth: dict[str, str] | None = None,
    close: bool = False,
) -> None:
    """Send the plan's label writes in order, appending each latency to ``out``.

    With ``acks``, each acknowledged PUT also appends (sentence id, label, the
    version the server answered), so a caller can check what was stored.
    ``auth`` replaces the token's header (a session's Cookie and X-CSRFToken).
    With ``close``, every PUT opens its own connection and asks the server to close
    it ("Connection: close"), as the side-by-side harness's clients do.
    """
    conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
    headers = {"Content-Type": "application/json", **(auth or {"Authorization": f"Token {token}"})}
    if close:
        headers["Connection"] = "close"
    if bulk:
        for start in range(0, len(plan), bulk):
            items = [
                {"sentence": sid, "label": label, "version": version}
                for sid, label, version in plan[start : start + bulk]
            ]
            started = time.perf_counter()
            conn.request(
                "POST", "/api/annotations/bulk/", json.dumps({"annotations": items}), headers
            )
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"bulk: {response.status}")
            out.extend([(time.perf_counter() - started)] * len(items))
        return
    for sentence_id, label, version in plan:
        body = json.dumps({"label": label, "note": "", "source": "", "version": version})
        started = time.perf_counter()
        if close:
            conn = http.client.HTTPConnection("127.0.0.1", base_port, timeout=30)
        conn.request("PUT", f"/api/sentences/{sentence_id}/annotation/", body, headers)
        response = conn.getresponse()
        payload = response.read()
        elapsed = time.perf_counter() - started
        if close:
            conn.close()
        if response.status not in (200, 201):
            raise RuntimeError(f"PUT {sentence_id}: {response.status} {payload[:200]!r}")
        out.append(elapsed)
        if acks is not None:
            acks.append((sentence_id, label, json.loads(payload)["version"]))
    conn.close()


def session_headers(user) -> dict[str, str]:
    """HTTP headers of a browser signed in as ``user``: session and CSRF cookies, CSRF header."""
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_backends(db_url: str) -> list[int]:
    """Process ids of the PostgreSQL backends connected to the bench database (the server's);
    none for SQLite, which runs inside the server's processes."""
    if db_url.startswith("sqlite:"):
        return []
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def machine_cpu() -> list[float]:
    """Busy and total CPU ticks of the whole machine so far (/proc/stat)."""
    with open("/proc/stat") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]
    return [sum(ticks) - idle, sum(ticks)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=DEFAULT_DB)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--labels", type=int, default=1000, help="per client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--bulk", type=int, default=0, help="send N labels per POST /api/annotations/bulk/"
    )
    parser.add_argument(
        "--session", action="store_true", help="authenticate by session cookie + CSRF header"
    )
    parser.add_argument(
        "--close",
        action="store_true",
        help="a new connection per PUT (Connection: close), as the side-by-side harness sends",
    )
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    prepare(args.db_url)
    from django.contrib.auth import get_user_model

    from accounts.services import token_create
    from articles.models import Sentence

    User = get_user_model()
    users = [User.objects.create_user(f"bench{i}", password="x") for i in range(args.clients)]
    creates = int(args.labels * 0.7)
    warmup = 50
    sentences_needed = creates + warmup
    corpus = make_corpus_with_articles(
        articles=(sentences_needed + 99) // 100, sentences_per_article=100, annotators=users
    )
    ids = list(
        Sentence.objects.filter(article__corpus=corpus).order_by("pk").values_list("pk", flat=True)
    )
    tokens = [token_create(user=u, name="bench")[1] for u in users]
    auths = [session_headers(u) if args.session else None for u in users]
    labels = ["claim", "speculation"]

    def plan_for(i: int, phase: str) -> list[tuple[int, str, int]]:
        if phase == "warmup":
            return [(sid, "claim", 0) for sid in ids[creates : creates + warmup]]
        mine = ids[:creates]
        new = [(sid, labels[(i + n) % 2], 0) for n, sid in enumerate(mine)]
        changes = [
            (sid, labels[(i + n + 1) % 2], 1) for n, sid in enumerate(mine[: args.labels - creates])
        ]
        return new + changes

    # The same data folder, so the same SECRET_KEY: the sessions made here are the server's.
    shared = {"ANNOTATOR_DATA_DIR": os.environ["ANNOTATOR_DATA_DIR"]}
    with Gunicorn(args.db_url, workers=args.workers, threads=args.threads, env=shared) as server:
        for phase in ("warmup", "run"):
            latencies: list[float] = []
            threads = [
                threading.Thread(
                    target=client_run,
                    args=(server.port, tokens[i], plan_for(i, phase), latencies, args.bulk),
                    kwargs={"auth": auths[i], "close": args.close},
                )
                for i in range(args.clients)
            ]
            server_cpu = sum(process_cpu(pid) for pid in server.worker_pids())
            backends = database_backends(args.db_url)
            database_cpu = sum(process_cpu(pid) for pid in backends)
            client_cpu, machine = time.process_time(), machine_cpu()
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
            client_cpu = time.process_time() - client_cpu
            server_cpu = sum(process_cpu(pid) for pid in server.worker_pids()) - server_cpu
            database_cpu = sum(process_cpu(pid) for pid in backends) - database_cpu
            machine = [after - before for before, after in zip(machine, machine_cpu(), strict=True)]
        total = len(latencies)
        print(
            f"label writes: {args.clients} clients x {args.labels} labels "
            f"({creates} new, {args.labels - creates} changed)"
            + (f" in bulk calls of {args.bulk}" if args.bulk else " one PUT each")
            + (" by session" if args.session else " by token")
            + " against gunicorn "
            f"{args.workers} workers x {args.threads} threads"
        )
        print(f"  throughput: {total / elapsed:.0f} labels/s ({total} in {elapsed:.2f} s)")
        busy, total_cpu = machine
        print(
            f"  CPU per label: gunicorn workers {server_cpu / total * 1000:.2f} ms, "
            f"their PostgreSQL backends {database_cpu / total * 1000:.2f} ms, "
            f"this client {client_cpu / total * 1000:.2f} ms; machine busy "
            f"{busy / total_cpu * 100:.0f} % of both cores during the run"
        )
        print(
            ("  latency ms (of the bulk call): " if args.bulk else "  latency ms: ")
            + ", ".join(f"p{p} {percentile(latencies, p) * 1000:.1f}" for p in (50, 90, 95, 99))
            + f", max {max(latencies) * 1000:.1f}"
        )

    print(f"  load average (1 min) before / after: {load_before:.1f} / {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
