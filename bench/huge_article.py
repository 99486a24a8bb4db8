"""A huge article's pages: first-response size and time of the labeling, reading and corpus pages.

Builds one corpus holding an article of N one-line sentences (20,000 by default, ten per
paragraph; sentences written with bulk_create at exact offsets, not by the segmenter), an
annotator who labeled the first tenth of it, then against gunicorn on PostgreSQL measures:
  - the first response of /articles/<id>/label/, /articles/<id>/read/ and
    /corpora/<slug>/: bytes and time to the last byte (median of --loads);
  - in Chromium: navigation to the labeling screen being interactive (the
    ``labeling-ready`` mark) and to the reading page's load event.

Usage (from the repository root, with the project's virtualenv):
    python bench/huge_article.py [--db-url postgres://postgres@127.0.0.1:5432/annotator_huge_bench]
        [--sentences 20000] [--loads 5] [--no-browser] [--analyze]
By default the pages are measured right after the rows are written, before
PostgreSQL has statistics on them (as just after a bulk import); --analyze runs
ANALYZE first (as once autovacuum has been by).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_server import Gunicorn, prepare

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PASSWORD = "bench-pw-123"


def fill(n_sentences: int) -> tuple[int, str]:
    """One corpus, one annotator, one article of n sentences; the first tenth labeled."""
    from django.contrib.auth import get_user_model

    from articles.models import Annotation, Article, Sentence
    from corpora.models import Label, Role
    from corpora.services.corpora import corpus_create, membership_set

    owner = get_user_model().objects.create_user("owner", password=PASSWORD)
    analyst = get_user_model().objects.create_user("analyst", password=PASSWORD)
    corpus = corpus_create(name="Huge", owner=owner)
    membership_set(corpus=corpus, user=analyst, role=Role.ANNOTATOR)
    lines, spans, pos = [], [], 0
    for i in range(n_sentences):
        line = f"Line {i + 1} says something short."
        spans.append((pos, pos + len(line), i // 10))
        lines.append(line)
        pos += len(line) + (2 if i % 10 == 9 else 1)
    text = "".join(line + ("\n\n" if i % 10 == 9 else "\n") for i, line in enumerate(lines)).rstrip(
        "\n"
    )
    article = Article.objects.create(
        corpus=corpus, title="A very long list", text=text, status=Article.Status.READY
    )
    fields = {f.name for f in Sentence._meta.fields}
    rows = []
    for i, (start, end, paragraph) in enumerate(spans):
        extra = {"start_utf16": start, "end_utf16": end} if "start_utf16" in fields else {}
        rows.append(
            Sentence(
                article=article, index=i, start=start, end=end, paragraph=paragraph,
                kind=Sentence.Kind.SENTENCE, text=text[start:end], **extra,
            )
        )  # fmt: skip
    Sentence.objects.bulk_create(rows, batch_size=5000)
    claim = Label.objects.get(corpus=corpus, key="claim")
    sentences = Sentence.objects.filter(article=article).order_by("index")[: n_sentences // 10]
    Annotation.objects.bulk_create(
        [
            Annotation(sentence=s, annotator=analyst, label=claim, guideline_version=1)
            for s in sentences
        ]
    )
    return article.pk, corpus.slug


def signed_in_opener(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/").read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    body = urllib.parse.urlencode(
        {"username": "analyst", "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    # base is the http:// address of the server this script started.
    request = urllib.request.Request(  # noqa: S310
        f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
    )
    opener.open(request).read()
    return opener


def measure_http(opener, url: str, loads: int) -> tuple[int, float]:
    sizes, times = [], []
    for _ in range(loads):
        started = time.perf_counter()
        body = opener.open(url, timeout=300).read()
        times.append(time.perf_counter() - started)
        sizes.append(len(body))
    return max(sizes), statistics.median(times)


def measure_browser(base: str, article_id: int, loads: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {"label": [], "read": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(300_000)
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill("analyst")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        for _ in range(loads):
            page.goto(f"{base}/articles/{article_id}/label/")
            page.wait_for_selector("html[data-labeling-ready='true']")
            out["label"].append(
                page.evaluate("performance.getEntriesByName('labeling-ready')[0].startTime")
            )
            page.goto(f"{base}/articles/{article_id}/read/")
            out["read"].append(
                page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            )
        browser.close()
    return {name: statistics.median(values) for name, values in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db-url", default="postgres://postgres@127.0.0.1:5432/annotator_huge_bench"
    )
    parser.add_argument("--sentences", type=int, default=20_000)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--analyze", action="store_true")
    args = parser.parse_args()

    prepare(args.db_url)
    started = time.perf_counter()
    article_id, slug = fill(args.sentences)
    print(f"article {article_id}: {args.sentences} sentences, built in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    if args.analyze:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    with Gunicorn(args.db_url, workers=2, timeout=600) as server:
        opener = signed_in_opener(server.base)
        for name, path in (
            ("labeling page", f"/articles/{article_id}/label/"),
            ("reading page", f"/articles/{article_id}/read/"),
            ("corpus page", f"/corpora/{slug}/"),
        ):
            size, seconds = measure_http(opener, server.base + path, args.loads)
            print(f"{name:14} first response {size / 1000:10.1f} kB  {seconds * 1000:9.1f} ms")
        if not args.no_browser:
            timings = measure_browser(server.base, article_id, args.loads)
            print(f"chromium: labeling screen interactive {timings['label']:.0f} ms, "
                  f"reading page loaded {timings['read']:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
