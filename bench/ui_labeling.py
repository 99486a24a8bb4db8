"""Labeling screen in real Chromium against a real server (gunicorn + PostgreSQL).

Measures, on a 300-sentence article:
  1. navigation -> screen interactive (handlers attached, focus on a sentence);
  2. keypress -> the sentence showing its new label (event timestamp to the DOM
     mutation, and to the next animation frame), p50 / p95 / max;
  3. 100 sentences labeled in a row while saves are in flight: input delay of
     every keydown (Event Timing API), long tasks, and time until all are saved.

Usage (from the repository root, with the project's virtualenv):
    python bench/ui_labeling.py [--db-url postgres://postgres@127.0.0.1:5432/annotator_ui_bench]
        [--port 8765] [--workers 3] [--keys 100] [--interval-ms 60]
It creates the bench database afresh, fills it, starts gunicorn on it, runs
Chromium (/usr/bin/chromium) and prints the figures.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WORDS = (
    "government policy officials said analysts argue the decision could reshape regional "
    "talks while critics warn that voters may reject the plan before elections next year "
    "according to reports from several ministries and independent observers"
).split()


def article_text(n_sentences: int = 300, per_paragraph: int = 10) -> str:
    paragraphs, sentence = [], 0
    while sentence < n_sentences:
        body = []
        for _ in range(min(per_paragraph, n_sentences - sentence)):
            words = [WORDS[(sentence * 7 + k * 3) % len(WORDS)] for k in range(12 + sentence % 9)]
            body.append(f"Sentence {sentence + 1} says " + " ".join(words) + ".")
            sentence += 1
        paragraphs.append(" ".join(body))
    return "\n\n".join(paragraphs) + "\n"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def fresh_database(db_url: str) -> None:
    import psycopg

    parsed = urlparse(db_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def fill(env: dict[str, str]) -> tuple[int, str, str]:
    """Migrate, then one corpus with one 300-sentence article and one annotator."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from articles.models import Sentence
    from articles.services.articles import article_create
    from articles.services.segmentation import article_segment
    from corpora.services.corpora import corpus_create

    user = get_user_model().objects.create_user("bench", password="bench-pw-123")
    corpus = corpus_create(name="Bench corpus", owner=user)
    article = article_create(corpus=corpus, text=article_text(), title="Three hundred sentences")
    article_segment(article_id=article.pk, task_id="bench")
    n = Sentence.objects.filter(article=article, kind="sentence").count()
    print(f"article {article.pk}: {n} labelable sentences")
    return article.pk, "bench", "bench-pw-123"


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "annotator.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}; is port {port} free?")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


MEASURE_JS = """
() => {
  const out = { keys: [], frames: [], events: [], longtasks: [] };
  window.__bench = out;
  window.addEventListener("keydown", (e) => { out.pending = e.timeStamp; }, true);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.attributeName === "data-label" && out.pending !== undefined) {
        const t0 = out.pending;
        out.pending = undefined;
        out.keys.push(performance.now() - t0);
        requestAnimationFrame(() => out.frames.push(performance.now() - t0));
        break;
      }
    }
  }).observe(document.getElementById("article-text"),
             { subtree: true, attributes: true, attributeFilter: ["data-label"] });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name === "keydown") out.events.push({ delay: e.processingStart - e.startTime,
                                                 duration: e.duration });
    }
  }).observe({ type: "event", durationThreshold: 16, buffered: false });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) out.longtasks.push(e.duration);
    }).observe({ type: "longtask" });
  } catch (e) {}
  // Input delay for every keydown, not only those over the 16 ms threshold.
  out.allDelays = [];
  window.addEventListener("keydown", (e) => {
    out.allDelays.push(performance.now() - e.timeStamp);
  }, true);
}
"""


def run(args) -> None:
    from playwright.sync_api import sync_playwright

    db_url = args.db_url
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        CELERY_BROKER_URL=args.broker,
        CELERY_QUEUE="ui-bench",
        DJANGO_SETTINGS_MODULE="annotator.settings",
        DEBUG="false",
    )
    fresh_database(db_url)
    article_id, username, password = fill(env)
    if not args.port:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            args.port = sock.getsockname()[1]
    server = start_server(env, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            url = f"{base}/articles/{article_id}/label/"

            # 1. navigation -> interactive, cold (new context each time) and warm.
            cold, warm, walls = [], [], []
            for i in range(args.loads):
                ctx = context if i else browser.new_context()
                if not i:
                    ctx.add_cookies(context.cookies())
                p = ctx.new_page()
                t = time.perf_counter()
                p.goto(url, wait_until="commit")
                p.wait_for_selector("html[data-labeling-ready='true']", state="attached")
                walls.append((time.perf_counter() - t) * 1000)
                ready = p.evaluate("performance.getEntriesByName('labeling-ready')[0].startTime")
                (warm if i else cold).append(ready)
                n = p.locator("#article-text .sentence").count()
                p.close()
                if not i:
                    ctx.close()
            print(f"sentences on the screen: {n}")
            print(f"navigation -> interactive, cold cache: {cold[0]:.0f} ms")
            print(
                f"navigation -> interactive, warm: p50 {statistics.median(warm):.0f} ms, "
                f"max {max(warm):.0f} ms over {len(warm)} loads "
                f"(wall clock incl. Playwright: max {max(walls):.0f} ms)"
            )

            # 2 + 3. label sentences in a row, saves in flight.
            page.goto(url)
            page.wait_for_selector("html[data-labeling-ready='true']", state="attached")
            page.evaluate(MEASURE_JS)
            keys = ["1", "2", "3"]
            t = time.perf_counter()
            for i in range(args.keys):
                page.keyboard.press(keys[i % 3])
                if args.interval_ms:
                    page.wait_for_timeout(args.interval_ms)
            typed_ms = (time.perf_counter() - t) * 1000
            # Polled from here: wait_for_function's polling would need 'unsafe-eval'.
            deadline = time.monotonic() + 60
            status = "#save-status"
            while page.text_content(status) != "All changes saved":
                if time.monotonic() > deadline:
                    raise SystemExit(f"not saved after 60 s: {page.text_content(status)}")
                time.sleep(0.02)
            saved_ms = (time.perf_counter() - t) * 1000
            page.wait_for_timeout(200)
            data = page.evaluate("window.__bench")
            labeled = page.evaluate(
                "document.querySelectorAll('#article-text .sentence[data-label]').length"
            )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)

    import django  # noqa: F401 - already set up in fill()

    from articles.models import Annotation

    stored = Annotation.objects.filter(sentence__article_id=article_id).count()
    key_ms, frame_ms, delays = data["keys"], data["frames"], data["allDelays"]
    print(
        f"labeled in a row: {args.keys} keys at {args.interval_ms} ms intervals "
        f"in {typed_ms:.0f} ms; all saved {saved_ms:.0f} ms after the first key; "
        f"{labeled} labeled on screen, {stored} stored"
    )
    print(
        f"keypress -> label in DOM: p50 {statistics.median(key_ms):.2f} ms, "
        f"p95 {percentile(key_ms, 95):.2f} ms, max {max(key_ms):.2f} ms (n={len(key_ms)})"
    )
    print(
        f"keypress -> next frame:   p50 {statistics.median(frame_ms):.2f} ms, "
        f"p95 {percentile(frame_ms, 95):.2f} ms, max {max(frame_ms):.2f} ms"
    )
    events = data["events"]
    event_delays = [e["delay"] for e in events] or [0.0]
    event_durations = [e["duration"] for e in events] or [0.0]
    print(
        f"input delay (keydown queued -> handler): p50 {statistics.median(delays):.2f} ms, "
        f"max {max(delays):.2f} ms; Event Timing: max input delay {max(event_delays):.1f} ms, "
        f"max keydown-to-paint {max(event_durations):.0f} ms; "
        f"long tasks (>50 ms): {len(data['longtasks'])}"
        + (f", longest {max(data['longtasks']):.0f} ms" if data["longtasks"] else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432/annotator_ui_bench")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--interval-ms", type=int, default=60)
    parser.add_argument("--loads", type=int, default=6)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
