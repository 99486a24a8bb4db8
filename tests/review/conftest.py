"""Fixtures for the workflow tests: a team of annotators and labeling shortcuts."""

from __future__ import annotations

import pytest
from django.db.models import Count

from articles.models import Article, Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label, Role
from corpora.services.corpora import membership_set
from review.models import Assignment

TEXTS = [
    "Markets fell sharply on Monday. Analysts blamed the central bank. "
    "Rates may rise again in June.\n",
    "The mayor resigned after the vote. Critics say the plan was doomed. "
    "The council will meet on Friday, officials said.\n",
    "Prices rose by four percent last year, the statistics office reported. "
    "That is too much. A recession could follow.\n",
    "Voters are tired of promises. The minister denied the report. "
    "Turnout might fall below half.\n",
]


@pytest.fixture
def team(corpus, make_user):
    """Three more annotators in ``corpus`` (besides the ``annotator`` persona)."""
    users = [make_user(name) for name in ("ben", "cleo", "dan")]
    for user in users:
        membership_set(corpus=corpus, user=user, role=Role.ANNOTATOR)
    return users


@pytest.fixture
def articles(corpus, make_article) -> list[Article]:
    return [make_article(corpus, text, title=f"Article {i}") for i, text in enumerate(TEXTS)]


def labelable(article: Article) -> list[Sentence]:
    return list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))


def label(corpus, key: str) -> Label:
    return Label.objects.get(corpus=corpus, key=key)


def label_sentences(article: Article, user, keys) -> None:
    """Label the article's labelable sentences in order with ``keys`` (a key or a list)."""
    sentences = labelable(article)
    if isinstance(keys, str):
        keys = [keys] * len(sentences)
    for sentence, key in zip(sentences, keys, strict=False):
        if key is not None:
            annotation_set(sentence=sentence, annotator=user, label=label(article.corpus, key))


def assert_holders_right(corpus) -> None:
    """Every article's stored count equals its assignments, counted from scratch."""
    stored = dict(Article.objects.filter(corpus=corpus).values_list("pk", "assignment_count"))
    counted = dict.fromkeys(stored, 0)
    counted.update(
        Assignment.objects.filter(article__corpus=corpus)
        .values_list("article_id")
        .annotate(n=Count("pk"))
        .values_list("article_id", "n")
    )
    assert stored == counted
