"""Benchmark: the corpus's article list on 100,000 articles, through the real HTTP API and page.

Builds a bench database with one corpus of ARTICLES articles (about 2,500
characters of text each, in 10 sentences; titles, authors and outlets drawn
from realistic pools; dates over ten years), two assignments per article among
8 annotators, labels by the owner on 2,000 articles, and stored agreement
figures for a third of the articles, all with PostgreSQL COPY, then VACUUM
ANALYZE (as autovacuum would). Then starts gunicorn (2 sync workers) and times
a set of realistic queries, each QUERY_RUNS times, through
``GET /api/corpora/<slug>/articles/`` (token) and the corpus page
``/corpora/<slug>/`` (session): the default page, a deep page, search in
title, author, outlet and body text (rare and common words), every filter
(status, assigned to, nobody assigned, labeled by me, agreement below) and
sort, and combinations. Prints p50/p95/p99 per query and over all of them.

``--explain`` prints, for each query of the set, what the database itself spends
on it, which the machine's load disturbs much less than the times over HTTP:
the SQL queries the API view and the page run (Django's query log, through
the test client in this process), each run again under EXPLAIN (ANALYZE,
BUFFERS, TIMING OFF), and the sum of their execution and planning times
(median of 3), with the slowest one, and the CPU time this process spends on
the request outside the database (median of 5); ``--plans`` adds the plan of
each shape's slowest query.

Usage:
    .venv/bin/python bench/article_list.py [--articles 100000] [--runs 20]
        [--db-url postgres://postgres@127.0.0.1:5432/annotator_bench_list]
        [--reuse] [--explain [--plans]]

The database is dropped and recreated on every run.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import importlib
import itertools
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_server import Gunicorn, percentile, prepare

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/annotator_bench_list"
SENTENCES = 10
WORDS_PER_SENTENCE = 40
ANNOTATORS = 8
TARGET_MS = 150

SYLLABLES = [
    "ka", "lo", "mi", "ra", "te", "su", "no", "vi", "de", "pa", "ri", "to", "ba", "ne", "sha",
    "qu", "el", "an", "or", "is", "un", "ex", "pro", "con", "ment", "tion", "ly", "er",
]  # fmt: skip
REAL_WORDS = [
    "government", "minister", "election", "policy", "budget", "climate", "housing", "school",
    "hospital", "tax", "inflation", "court", "police", "transport", "energy", "trade", "union",
    "parliament", "mayor", "council", "war", "peace", "treaty", "refugees", "farmers", "drought",
    "tram", "museum", "otters", "silos", "negotiations", "ceasefire", "pension", "wages",
]  # fmt: skip
OUTLETS = [f"The {w.capitalize()} {k}" for w in REAL_WORDS[:25] for k in ("Times", "Post")]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words = set(REAL_WORDS)
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


def build(n_articles: int, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from accounts.services import token_create
    from corpora.models import Label, Role
    from corpora.services.corpora import corpus_create, membership_set

    user_model = get_user_model()
    owner = user_model.objects.create_user("owner", password="bench-pass-1")
    people = [user_model.objects.create_user(f"annotator{i}") for i in range(ANNOTATORS)]
    corpus = corpus_create(name="Bench list", owner=owner)
    corpus.overlap = 3
    corpus.save(update_fields=["overlap"])
    for person in people:
        membership_set(corpus=corpus, user=person, role=Role.ANNOTATOR)
    label_id = Label.objects.filter(corpus=corpus).values_list("pk", flat=True).first()

    words = vocabulary(rng)
    # Zipf-like: a few words are very common, most are rare.
    cum_weights = list(itertools.accumulate(1 / (i + 1) for i in range(len(words))))
    authors = [
        f"{rng.choice(['Ana', 'Ben', 'Chloé', 'Dmitri', 'Eun-ji', 'Femi', 'Greta', 'Hugo'])} "
        f"{''.join(rng.choices(SYLLABLES, k=3)).capitalize()}"
        for _ in range(3000)
    ]
    # A pool of sentences the articles draw from: generating 100,000 distinct
    # bodies word by word would take longer than the benchmark itself.
    pool = [
        " ".join(rng.choices(words, cum_weights=cum_weights, k=WORDS_PER_SENTENCE)).capitalize()
        + "."
        for _ in range(50_000)
    ]
    now = datetime.now(UTC)
    started = time.perf_counter()
    # As for any bulk load: the search indexes are built once after the data is in
    # (kept up to date row by row, they made the COPY crawl).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'articles_article' "
            "AND indexname LIKE ANY (ARRAY['%%_trgm', '%%_fts'])"
        )
        search_indexes = cursor.fetchall()
        for name, _definition in search_indexes:
            cursor.execute(f"DROP INDEX {name}")
    with connection.cursor() as cursor:
        raw = cursor.cursor
        first_id = None
        with raw.copy(
            "COPY articles_article (corpus_id, title, author, outlet, source_url, published_on, "
            "text, content_hash, status, failure_reason, segmenter_version, "
            "segmentation_task_id, attempts, archived, status_changed_at, created_at, "
            "updated_at) FROM STDIN"
        ) as copy:
            spans_of: list[list[tuple[int, int, str]]] = []
            for a in range(n_articles):
                # Ten sentences from the pool; the first names the article, so every
                # text is unique (the corpus refuses duplicates).
                sentences = [f"Report {a} from the desk.", *rng.sample(pool, SENTENCES - 1)]
                spans, pos = [], 0
                for s in sentences:
                    spans.append((pos, pos + len(s), s))
                    pos += len(s) + 1
                text = " ".join(sentences)
                spans_of.append(spans)
                title = " ".join(
                    rng.choices(words, cum_weights=cum_weights, k=rng.randint(4, 9))
                ).capitalize()
                status = "failed" if a % 500 == 7 else "ready"
                copy.write_row(
                    (
                        corpus.pk, title, rng.choice(authors), rng.choice(OUTLETS),
                        f"https://news.example/{a}",
                        date(2016, 1, 1) + timedelta(rng.randint(0, 3650)),
                        text, hashlib.sha256(text.encode()).hexdigest(), status,
                        "Segmenter error" if status == "failed" else "", "bench", "", 0, False,
                        now, now, now,
                    )
                )  # fmt: skip
        cursor.execute(
            "SELECT min(id), max(id) FROM articles_article WHERE corpus_id = %s", [corpus.pk]
        )
        first_id, last_id = cursor.fetchone()
        print(f"articles copied in {time.perf_counter() - started:.0f} s", flush=True)
        with raw.copy(
            'COPY articles_sentence (article_id, index, start, "end", paragraph, kind, text) '
            "FROM STDIN"
        ) as copy:
            for offset, spans in enumerate(spans_of):
                for i, (start, end, s) in enumerate(spans):
                    copy.write_row((first_id + offset, i, start, end, 0, "sentence", s))
        del spans_of
        print(f"sentences copied at {time.perf_counter() - started:.0f} s", flush=True)
        with raw.copy(
            "COPY review_assignment (article_id, annotator_id, assigned_by_id, assigned_at, "
            "finished_at) FROM STDIN"
        ) as copy:
            for article_id in range(first_id, last_id + 1):
                if article_id % 10 == 0:
                    continue  # a tenth assigned to nobody
                for person in rng.sample(people, 2):
                    copy.write_row((article_id, person.pk, owner.pk, now, None))
        # The owner labeled every sentence of 2,000 articles.
        labeled = rng.sample(range(first_id, last_id + 1), min(2000, n_articles))
        cursor.execute("SELECT id FROM articles_sentence WHERE article_id = ANY(%s)", [labeled])
        sentence_ids = [row[0] for row in cursor.fetchall()]
        with raw.copy(
            "COPY articles_annotation (sentence_id, annotator_id, label_id, note, source, "
            "guideline_version, version, created_at, updated_at, suggested_by) FROM STDIN"
        ) as copy:
            for sentence_id in sentence_ids:
                copy.write_row((sentence_id, owner.pk, label_id, "", "", 1, 1, now, now, ""))
        with raw.copy(
            "COPY review_articleagreement (article_id, corpus_id, alpha, percent_agreement) "
            "FROM STDIN"
        ) as copy:
            for article_id in range(first_id, last_id + 1, 3):
                value = rng.random()
                copy.write_row((article_id, corpus.pk, value * 2 - 1, value))
    # Loaded around the services, so the list's derived counts are counted as a
    # restore counts them.
    from articles.services.label_counts import label_counts_rebuild
    from review.services.assignment import assignment_counts_rebuild

    label_counts_rebuild(corpus_id=corpus.pk)
    assignment_counts_rebuild(corpus_id=corpus.pk)
    print(f"data built in {time.perf_counter() - started:.0f} s", flush=True)
    # The migration's statistics targets belong to the indexes just dropped.
    search_statistics = importlib.import_module(
        "articles.migrations.0009_list_sort_indexes"
    ).SEARCH_STATISTICS
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _name, definition in search_indexes:
            cursor.execute(definition)
        for statement in search_statistics:
            cursor.execute(statement)
    print(f"search indexes built at {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    _, secret = token_create(user=owner, name="bench")
    return {
        "corpus": corpus,
        "secret": secret,
        "owner": owner,
        "people": people,
        "words": words,
        "authors": authors,
        "pages": -(-n_articles // 50),
    }


def reuse(db_url: str, rng: random.Random) -> dict:
    """The data of a database an earlier run built (migrations applied again)."""
    import tempfile

    import django

    os.environ.update(
        DATABASE_URL=db_url,
        ANNOTATOR_DATA_DIR=tempfile.mkdtemp(prefix="annotator-bench-"),
        DJANGO_SETTINGS_MODULE="annotator.settings",
        API_THROTTLE_RATE="10000000/min",
        LOG_LEVEL="WARNING",
    )
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from accounts.services import token_create
    from corpora.models import Corpus

    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    owner = users.get(username="owner")
    corpus = Corpus.objects.get(slug="bench-list")
    words = vocabulary(rng)
    authors = list(corpus.articles.values_list("author", flat=True).distinct()[:100])
    _, secret = token_create(user=owner, name=f"bench {time.time_ns()}")
    return {
        "corpus": corpus,
        "secret": secret,
        "owner": owner,
        "people": list(users.filter(username__startswith="annotator").order_by("username")),
        "words": words,
        "authors": authors,
        "pages": -(-corpus.articles.count() // 50),
    }


def session_cookie(owner) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(owner.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = owner.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def queries(data: dict, rng: random.Random) -> list[tuple[str, dict]]:
    words = data["words"]
    rare = [w for w in words[3000:] if w not in REAL_WORDS]
    person = data["people"][0].pk
    return [
        ("default page", {}),
        ("a middle page", {"page": max(1, data["pages"] // 2)}),
        ("search title/author/outlet word", {"search": "minister"}),
        ("search author name", {"search": data["authors"][5].split()[1]}),
        ("search outlet", {"search": OUTLETS[3]}),
        ("search rare body word", {"search": rng.choice(rare)}),
        ("search two rare words", {"search": f"{rng.choice(rare)} {rng.choice(rare)}"}),
        ("search common body word", {"search": words[0]}),
        ("status failed", {"status": "failed"}),
        ("assigned to a member", {"assigned_to": person}),
        ("assigned to nobody", {"assigned_to": "none"}),
        ("labeled by me", {"labeled_by_me": "true"}),
        ("not labeled by me", {"labeled_by_me": "false"}),
        ("agreement below 0.3", {"agreement_below": 0.3}),
        ("sort title", {"sort": "title"}),
        ("sort published, newest", {"sort": "-published_on"}),
        ("archived only", {"archived": "true"}),
        (
            "search + assigned + sort",
            {"search": "energy", "assigned_to": person, "sort": "-published_on"},
        ),
        ("agreement + assigned", {"agreement_below": 0.5, "assigned_to": person}),
        ("search rare + status ready", {"search": rng.choice(rare), "status": "ready"}),
    ]


PAGE_PARAMS = {"search": "q", "labeled_by_me": "labeled_by_me"}


def page_params(params: dict) -> dict:
    out = {}
    for key, value in params.items():
        if key == "search":
            out["q"] = value
        elif key == "labeled_by_me":
            out[key] = "yes" if value == "true" else "no"
        elif key == "agreement_below":
            out[key] = int(value * 100)
        elif key == "archived":
            out[key] = "on"
        else:
            out[key] = value
    return out


def timed_get(conn: http.client.HTTPConnection, path: str, headers: dict) -> tuple[float, int]:
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return (time.perf_counter() - started) * 1000, response.status


def explained(sql: str, with_plan: bool) -> tuple[float, str]:
    """(execution + planning ms, plan text) of ``sql`` under EXPLAIN (ANALYZE, BUFFERS).

    Timed with TIMING OFF: reading the clock for every row of every node more than
    doubles the time of a nested loop; the plan text, when asked for, is timed per node.
    """
    from django.db import connection

    text = ""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0][0]
        if with_plan:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            text = "\n".join(row[0] for row in cursor.fetchall())
    return plan["Execution Time"] + plan["Planning Time"], text


def explain(data: dict, plan: list[tuple[str, dict]], show_plans: bool) -> None:
    """The database's own time for each query of ``plan``, API and page."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    slug = data["corpus"].slug
    api = Client(HTTP_AUTHORIZATION=f"Token {data['secret']}", SERVER_NAME="localhost")
    page = Client(SERVER_NAME="localhost")
    page.force_login(data["owner"])
    print(f"\n{'query':36} {'API: queries':>12} {'db ms':>7} {'slowest':>7} {'cpu ms':>6} | "
          f"{'page: queries':>13} {'db ms':>7} {'slowest':>7} {'cpu ms':>6}")  # fmt: skip
    totals: dict[str, list[float]] = {"API": [], "page": []}
    cpu_ms: dict[str, list[float]] = {"API": [], "page": []}
    for name, params in plan:
        cells = []
        for what, client, path in (
            ("API", api, f"/api/corpora/{slug}/articles/?{urlencode(params)}"),
            ("page", page, f"/corpora/{slug}/?{urlencode(page_params(params))}"),
        ):
            with CaptureQueriesContext(connection) as log:
                response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            count = len(log.captured_queries)
            selects = [q["sql"] for q in log.captured_queries if q["sql"].startswith("SELECT")]
            # This process's CPU time for the request (the view, the ORM, the
            # template or serializer; waiting on the database is not counted).
            cpu = []
            for _ in range(5):
                started = time.process_time()
                client.get(path)
                cpu.append((time.process_time() - started) * 1000)
            cpu_ms[what].append(sorted(cpu)[2])
            runs = []
            for _ in range(3):
                runs.append([explained(sql, show_plans) for sql in selects])
            per_query = [sorted(r[i][0] for r in runs)[1] for i in range(len(selects))]
            slowest = max(range(len(selects)), key=per_query.__getitem__)
            totals[what].append(sum(per_query))
            cells.append(
                f"{count:>{12 if what == 'API' else 13}} "
                f"{sum(per_query):7.1f} {per_query[slowest]:7.1f} {cpu_ms[what][-1]:6.1f}"
            )
            if show_plans:
                print(f"--- {name}, {what}: slowest query ({per_query[slowest]:.1f} ms)")
                print(selects[slowest][:2000])
                print(runs[-1][slowest][1])
        print(f"{name:36} {cells[0]} | {cells[1]}", flush=True)
    for what, values in totals.items():
        both = [db + cpu for db, cpu in zip(values, cpu_ms[what], strict=True)]
        print(
            f"\n{what}: database time per request, median {percentile(values, 50):.1f} ms, "
            f"max {max(values):.1f} ms; with the web process's CPU time, median "
            f"{percentile(both, 50):.1f} ms, max {max(both):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", default=DEFAULT_DB)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--reuse", action="store_true", help="time the database a previous run built"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the database's own time for each query (EXPLAIN ANALYZE), not HTTP times",
    )
    parser.add_argument("--plans", action="store_true", help="with --explain: the slowest plans")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="time only the query shapes whose name contains NAME (repeatable)",
    )
    args = parser.parse_args()
    rng = random.Random(11)
    if args.reuse:
        data = reuse(args.db_url, rng)
    else:
        prepare(args.db_url)
        data = build(args.articles, rng)
    plan = queries(data, rng)
    if args.only:
        plan = [(name, params) for name, params in plan if any(o in name for o in args.only)]
    if args.explain:
        explain(data, plan, args.plans)
        return
    slug = data["corpus"].slug
    cookie = session_cookie(data["owner"])
    all_api: list[float] = []
    all_page: list[float] = []
    # (ms, shape, API or page, seconds into the run) of every request: the slowest are
    # printed at the end, to tell a slow shape from a pause of the machine.
    timeline: list[tuple[float, str, str, float]] = []
    started = time.perf_counter()
    # The server shares this process's data folder, hence its secret key and sessions.
    server_env = {"ANNOTATOR_DATA_DIR": os.environ["ANNOTATOR_DATA_DIR"]}
    with Gunicorn(args.db_url, workers=2, env=server_env) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        api_headers = {"Authorization": f"Token {data['secret']}"}
        page_headers = {"Cookie": cookie}
        # Warm up: each worker's connections and caches.
        for _ in range(4):
            timed_get(conn, f"/api/corpora/{slug}/articles/", api_headers)
            timed_get(conn, f"/corpora/{slug}/", page_headers)
        print(f"\n{'query':36} {'API p50':>8} {'p95':>7} {'p99':>7} | {'page p50':>8} {'p95':>7} "
              f"{'p99':>7}  matches")  # fmt: skip
        for name, params in plan:
            api_ms, page_ms = [], []
            api_path = f"/api/corpora/{slug}/articles/?{urlencode(params)}"
            page_path = f"/corpora/{slug}/?{urlencode(page_params(params))}"
            for _ in range(args.runs):
                ms, status = timed_get(conn, api_path, api_headers)
                assert status == 200, (api_path, status)
                api_ms.append(ms)
                timeline.append((ms, name, "API", time.perf_counter() - started))
                ms, status = timed_get(conn, page_path, page_headers)
                assert status == 200, (page_path, status)
                page_ms.append(ms)
                timeline.append((ms, name, "page", time.perf_counter() - started))
            conn.request("GET", api_path, headers=api_headers)
            count = json.loads(conn.getresponse().read())["count"]
            all_api += api_ms
            all_page += page_ms
            print(
                f"{name:36} {percentile(api_ms, 50):8.1f} {percentile(api_ms, 95):7.1f} "
                f"{percentile(api_ms, 99):7.1f} | {percentile(page_ms, 50):8.1f} "
                f"{percentile(page_ms, 95):7.1f} {percentile(page_ms, 99):7.1f}  {count}",
                flush=True,
            )
    for what, values in (("API", all_api), ("page", all_page)):
        p99 = percentile(values, 99)
        print(
            f"\nall {what} requests ({len(values)}): p50 {percentile(values, 50):.1f} ms, "
            f"p95 {percentile(values, 95):.1f} ms, p99 {p99:.1f} ms "
            f"({'within' if p99 <= TARGET_MS else 'OVER'} the {TARGET_MS} ms target)"
        )
    print("\nslowest requests: ms, shape, kind, seconds into the run")
    for ms, name, kind, at in sorted(timeline, reverse=True)[:10]:
        print(f"  {ms:8.1f}  {name:36} {kind:5} {at:7.1f}")


if __name__ == "__main__":
    main()
