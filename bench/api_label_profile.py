"""Cost of one label write in-process: CPU per PUT, SQL per PUT, and a profile.

Calls the WSGI application directly (no HTTP server, no client threads), so the
figures are the server's own Python CPU and queries for
``PUT /api/sentences/{id}/annotation/`` with a personal token, as the
gunicorn benchmark (bench/api_labels.py) sends it, or with ``--session`` over
a signed-in session (cookie + X-CSRFToken, as the browser and the side-by-side
harness send it): new labels (version 0) and changes (version 1 -> 2).

Usage (from the repository root, with the project's virtualenv):
    python bench/api_label_profile.py [--db-url postgres://.../annotator_bench]
        [--puts 600] [--session] [--profile] [--sql]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import time

from api_server import DEFAULT_DB, make_corpus_with_articles, prepare


def session_headers(user) -> dict[str, str]:
    """WSGI headers of a browser signed in as ``user``: session and CSRF cookies, CSRF header."""
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    session = client.cookies["sessionid"].value
    return {"HTTP_COOKIE": f"sessionid={session}; csrftoken={csrf}", "HTTP_X_CSRFTOKEN": csrf}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=DEFAULT_DB)
    parser.add_argument("--puts", type=int, default=600, help="new labels; as many changes")
    parser.add_argument(
        "--session", action="store_true", help="authenticate by session cookie + CSRF header"
    )
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one new label")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="PostgreSQL: planning and execution time of each statement of a new label",
    )
    args = parser.parse_args()

    prepare(args.db_url)
    from django.contrib.auth import get_user_model
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.services import token_create
    from articles.models import Sentence

    application = get_wsgi_application()
    user = get_user_model().objects.create_user("profiler", password="x")
    warmup = 50
    corpus = make_corpus_with_articles(
        articles=(args.puts + warmup + 99) // 100 + 1, sentences_per_article=100, annotators=[user]
    )
    ids = list(
        Sentence.objects.filter(article__corpus=corpus).order_by("pk").values_list("pk", flat=True)
    )
    token = token_create(user=user, name="profile")[1]
    if args.session:
        credentials = session_headers(user)
    else:
        credentials = {"HTTP_AUTHORIZATION": f"Token {token}"}

    def put(sentence_id: int, label: str, version: int) -> None:
        body = json.dumps({"label": label, "note": "", "source": "", "version": version}).encode()
        environ = {
            "REQUEST_METHOD": "PUT",
            "PATH_INFO": f"/api/sentences/{sentence_id}/annotation/",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000",
            **credentials,
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": io.StringIO(),
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        statuses: list[str] = []
        chunks = application(environ, lambda status, headers, exc=None: statuses.append(status))
        b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        if not statuses[0].startswith(("200", "201")):
            raise RuntimeError(f"PUT {sentence_id}: {statuses[0]}")

    for sid in ids[-warmup:]:
        put(sid, "claim", 0)
    mine = ids[: args.puts]

    with CaptureQueriesContext(connection) as new_queries:
        put(mine[0], "claim", 0)
    with CaptureQueriesContext(connection) as change_queries:
        put(mine[0], "speculation", 1)
    print(
        f"queries per PUT: new label {len(new_queries.captured_queries)}, "
        f"change {len(change_queries.captured_queries)}"
    )
    if args.sql:
        for name, captured in (("new", new_queries), ("change", change_queries)):
            print(f"-- {name}")
            for q in captured.captured_queries:
                print("  ", q["sql"][:300])

    if args.explain:
        explain(connection, put, ids[args.puts : args.puts + 20])

    profiles: list[cProfile.Profile] = []
    phases = (
        ("new (version 0)", [(sid, "claim", 0) for sid in mine[1:]]),
        ("change (1 -> 2)", [(sid, "speculation", 1) for sid in mine[1:]]),
    )
    for name, plan in phases:
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        if profiler:
            profiles.append(profiler)
            profiler.enable()
        # CPU per PUT in batches of 25: on a shared machine the quietest batch
        # (min) is the steadiest figure; the median is given too.
        batches: list[float] = []
        backend = backend_cpu(connection)
        wall = time.perf_counter()
        for start in range(0, len(plan), 25):
            batch = plan[start : start + 25]
            cpu = time.process_time()
            for sid, label, version in batch:
                put(sid, label, version)
            batches.append((time.process_time() - cpu) / len(batch))
        wall = time.perf_counter() - wall
        backend = (backend_cpu(connection) - backend) / len(plan) if backend is not None else None
        if profiler:
            profiler.disable()
        batches.sort()
        if profiler:
            calls = pstats.Stats(profiler).total_calls
            print(f"  {name}: {calls / len(plan):,.0f} Python function calls per PUT")
        print(
            f"  {name}: CPU per PUT min {batches[0] * 1000:.2f} ms, "
            f"median {batches[len(batches) // 2] * 1000:.2f} ms; "
            f"{wall / len(plan) * 1000:.2f} ms wall ({len(plan)} PUTs)"
            + (f"; its PostgreSQL backend {backend * 1000:.2f} ms" if backend is not None else "")
        )
    print(f"  load average (1 min): {os.getloadavg()[0]:.1f}")
    if profiles:
        out = io.StringIO()
        stats = pstats.Stats(*profiles, stream=out)
        stats.sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(60)
        if os.environ.get("PROFILE_DUMP"):
            stats.dump_stats(os.environ["PROFILE_DUMP"])
        if os.environ.get("PROFILE_CALLEES"):
            stats.print_callees(os.environ["PROFILE_CALLEES"])
        print(out.getvalue())


def backend_cpu(connection) -> float | None:
    """CPU seconds so far of the PostgreSQL backend serving ``connection`` (a server on
    this machine), or None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    from api_labels import process_cpu

    return process_cpu(connection.connection.info.backend_pid)


def _explainable(queries: list[dict]) -> list[str]:
    """The statements among ``queries`` that EXPLAIN takes (not BEGIN, SAVEPOINT...)."""
    kinds = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(kinds)]


def explain(connection, put, sentence_ids: list[int]) -> None:
    """Each statement of a new label, run again under EXPLAIN ANALYZE in a transaction
    that is rolled back: the database's planning and execution time (medians).

    The writes are made without prepared statements (DB_PREPARED_STATEMENTS), so
    that each captured statement holds its values and shows what planning costs.
    """

    from django.test.utils import CaptureQueriesContext, override_settings

    with override_settings(DB_PREPARED_STATEMENTS=False):
        _explain(connection, put, sentence_ids, CaptureQueriesContext)


def _explain(connection, put, sentence_ids: list[int], CaptureQueriesContext) -> None:
    import re

    times: dict[int, list[tuple[float, float]]] = {}
    firsts: dict[int, str] = {}
    for sid in sentence_ids:
        with CaptureQueriesContext(connection) as captured:
            put(sid, "claim", 0)
        for n, statement in enumerate(_explainable(captured.captured_queries)):
            firsts.setdefault(n, " ".join(statement.split())[:70])
    # The same statements once more, on sentences not labeled yet, explained.
    for sid in sentence_ids:
        with CaptureQueriesContext(connection) as captured:
            put(sid, "claim", 0)
        with connection.cursor() as cursor:
            for n, statement in enumerate(_explainable(captured.captured_queries)):
                cursor.execute("BEGIN")
                cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + statement)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                cursor.execute("ROLLBACK")
                found = [
                    float(re.search(rf"{kind} Time: ([\d.]+) ms", plan).group(1))  # type: ignore[union-attr]
                    for kind in ("Planning", "Execution")
                ]
                times.setdefault(n, []).append((found[0], found[1]))
    print("database time per statement of a new label (median of", len(sentence_ids), "):")
    for n, values in times.items():
        plan = sorted(v[0] for v in values)[len(values) // 2]
        run = sorted(v[1] for v in values)[len(values) // 2]
        print(f"  planning {plan:.3f} ms, execution {run:.3f} ms: {firsts[n]}")


if __name__ == "__main__":
    main()
