"""A corpus labeled as a team labels it, and helpers to read a release back."""

from __future__ import annotations

import json

import pytest

from articles.models import Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label
from releases.models import Release
from releases.storage import release_storage
from review.services.adjudication import gold_label_decide

ARTICLES = 6
KEYS = ("claim", "speculation", "sourced_fact")


def article_text(n: int) -> str:
    return " ".join(
        f"Article {n} says thing {i} about the talks, and it matters." for i in range(5)
    )


def label(annotator, sentence, key, *, note: str = "", source: str = "") -> None:
    lab = Label.objects.get(corpus=sentence.article.corpus, key=key)
    if lab.takes_source and not source:
        source = "https://example.org/report"
    annotation_set(sentence=sentence, annotator=annotator, label=lab, note=note, source=source)


@pytest.fixture
def labeled_corpus(corpus, make_article, annotator, reviewer, owner):
    """Six articles of five sentences; two annotators label most, a reviewer settles gold."""
    keys = [k for k in KEYS if Label.objects.filter(corpus=corpus, key=k).exists()]
    assert len(keys) >= 2, keys
    for n in range(ARTICLES):
        article = make_article(corpus, article_text(n), title=f"Article {n}", outlet="Daily")
        sentences = list(Sentence.objects.filter(article=article).order_by("index"))
        for i, sentence in enumerate(sentences[:4]):
            key = keys[(n + i) % len(keys)]
            label(annotator, sentence, key, note="=SUM(A1)" if i == 0 else "")
            other = key if i % 2 == 0 else keys[(n + i + 1) % len(keys)]
            label(reviewer, sentence, other)
            if i < 2:
                gold_label_decide(
                    sentence=sentence,
                    label=Label.objects.get(corpus=corpus, key=key),
                    reviewer=reviewer,
                    source="https://example.org/report" if key == "sourced_fact" else "",
                )
    return corpus


def read_release_file(release: Release, name: str) -> bytes:
    with release_storage().open(f"{release.storage_prefix}/{name}", "rb") as fh:
        return fh.read()


def jsonl_rows(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode().splitlines() if line]
