"""Training a corpus's suggestion model on 10,000 labels, end to end, in the background.

What issue #13 asks ("training on 10,000 labels finishes within 30 s in the background"), timed
as the product does it: a corpus in PostgreSQL whose articles are the source texts (one article
per document, its sentences the document's spans), 10,000 of its sentences labeled by an
annotator (labels from the cue baseline with 30 % noise, as ``bench/suggestions.py --speed``
draws them), the training requested with ``suggestions.services.training_request`` (as the
"Train again now" button does), and a real Celery worker (``celery -A annotator worker``, one
process) that takes the message and runs ``train_suggestion_model``: it reads the labels,
cross-validates by article, fits, and stores one suggestion per labelable sentence. The clock
runs from the request until the model is ``done``; the model's own ``duration_ms`` (claimed to
done, inside the worker) and the worker's CPU time are printed beside it.

Usage (from the repository root, with the project's virtualenv):
    python bench/suggestion_training.py [--db-url postgres://.../annotator_bench_training]
        [--labels 10000] [--source ../shared/data/segmentation]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from api_server import ROOT, prepare, server_env

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/annotator_bench_training"


def source_sentences(source: Path) -> dict[str, list[str]]:
    """Each document's sentences (its spans), by document id; a text seen before is left out
    (a corpus holds a text once)."""
    docs: dict[str, list[str]] = {}
    seen: set[str] = set()
    for path in sorted(source.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                spans = [doc["text"][a:b].replace("\n", " ") for a, b in doc.get("spans", [])]
                spans = [s for s in spans if s.strip()]
                if spans and " ".join(spans) not in seen:
                    seen.add(" ".join(spans))
                    docs[doc["id"]] = spans
    return docs


def build_corpus(docs: dict[str, list[str]], n_labels: int, seed: int):
    """The corpus, its articles and sentences, and n_labels labels; returns (corpus, sentences)."""
    from django.contrib.auth import get_user_model

    from articles.models import Annotation, Article, Sentence
    from articles.services.articles import content_hash
    from corpora.models import Label, Role
    from corpora.services.corpora import corpus_create, membership_set
    from suggestions.cues import cue_suggest

    users = get_user_model()
    owner = users.objects.create_user("bench-owner", password="x")
    annotator = users.objects.create_user("bench-annotator", password="x")
    corpus = corpus_create(name="Training bench", owner=owner)
    membership_set(corpus=corpus, user=annotator, role=Role.ANNOTATOR)
    articles, spans = [], []
    for doc_id, sentences in docs.items():
        text = " ".join(sentences)
        articles.append(
            Article(
                corpus=corpus,
                title=doc_id,
                text=text,
                content_hash=content_hash(text),
                status=Article.Status.READY,
            )
        )
        spans.append(sentences)
    Article.objects.bulk_create(articles, batch_size=500)
    rows = []
    for article, sentences in zip(articles, spans, strict=True):
        pos = 0
        for i, text in enumerate(sentences):
            rows.append(
                Sentence(
                    article=article,
                    index=i,
                    start=pos,
                    end=pos + len(text),
                    paragraph=0,
                    text=text,
                )
            )
            pos += len(text) + 1
    Sentence.objects.bulk_create(rows, batch_size=2000)
    rng = random.Random(seed)
    labels = {label.key: label for label in Label.objects.filter(corpus=corpus)}
    keys = sorted(labels)
    chosen = rng.sample(rows, min(n_labels, len(rows)))
    annotations = []
    for sentence in chosen:
        cue = cue_suggest(sentence.text, set(keys))
        key = rng.choice(keys) if rng.random() < 0.3 or cue is None else cue.label
        annotations.append(
            Annotation(
                sentence=sentence,
                annotator=annotator,
                label=labels[key],
                guideline_version=corpus.guidelines_version,
            )
        )
    Annotation.objects.bulk_create(annotations, batch_size=2000)
    return corpus, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db-url", default=DEFAULT_DB)
    parser.add_argument("--labels", type=int, default=10_000)
    parser.add_argument("--source", type=Path, default=ROOT / ".." / "shared/data/segmentation")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="annotator-training-bench-")
    extra = {"ANNOTATOR_DATA_DIR": data_dir, "CELERY_QUEUE": "training-bench"}
    prepare(args.db_url, **extra)
    from suggestions.models import Suggestion, SuggestionModel
    from suggestions.services import training_request

    docs = source_sentences(args.source)
    corpus, sentences = build_corpus(docs, args.labels, args.seed)
    print(f"corpus: {len(docs)} articles, {len(sentences)} sentences, {args.labels} labels")

    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "annotator", "worker"),
            *("--concurrency", "1", "--loglevel", "WARNING"),
            *("--without-heartbeat", "--without-mingle"),
        ],
        cwd=ROOT,
        env=server_env(args.db_url, **extra),
        start_new_session=True,
    )
    try:
        time.sleep(8)  # the worker is up before the clock starts
        load = os.getloadavg()[0]
        started = time.perf_counter()
        model, _ = training_request(corpus=corpus, requested_by="bench")
        while True:
            model.refresh_from_db()
            if model.status in (SuggestionModel.Status.DONE, SuggestionModel.Status.FAILED):
                break
            if time.perf_counter() - started > 900:
                raise SystemExit("no result within 15 minutes")
            time.sleep(0.1)
        wall = time.perf_counter() - started
        worker_cpu = _cpu_seconds(worker.pid)
    finally:
        worker.terminate()
        worker.wait(30)
    if model.status != SuggestionModel.Status.DONE:
        raise SystemExit(f"training failed: {model.error}")
    print(
        json.dumps(
            {
                "training_size": model.training_size,
                "suggestions_stored": Suggestion.objects.filter(model=model).count(),
                "macro_f1_cross_validated": model.metrics.get("macro_f1"),
                "request_to_done_s": round(wall, 2),
                "model_duration_s": round(model.duration_ms / 1000, 2),
                "worker_cpu_s_including_start": worker_cpu,
                "load_average_1min_at_start": round(load, 2),
                "load_average_1min_at_end": round(os.getloadavg()[0], 2),
            },
            indent=2,
        )
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children so far, from /proc (Linux)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    pids += [int(p) for p in children.stdout.split()]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return round(total, 2)


if __name__ == "__main__":
    main()
