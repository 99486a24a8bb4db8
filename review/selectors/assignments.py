"""Reads about assignments: an annotator's list, and who holds each article."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)

from articles.models import Annotation, Article, Sentence
from articles.selectors.counts import count_subquery
from corpora.models import Corpus
from review.models import Assignment


def articles_with_workload(corpus: Corpus, user) -> QuerySet[Article]:
    """Ready articles with ``total`` labelable sentences, the user's ``mine`` and ``assignees``."""
    return (
        Article.objects.filter(corpus=corpus, status=Article.Status.READY)
        .annotate(
            total=count_subquery(
                Sentence.objects.filter(article=OuterRef("pk"), kind=Sentence.Kind.SENTENCE),
                "article",
            ),
            mine=count_subquery(
                Annotation.objects.filter(
                    sentence__article=OuterRef("pk"),
                    sentence__kind=Sentence.Kind.SENTENCE,
                    annotator=user,
                ),
                "sentence__article",
            ),
            assignees=count_subquery(Assignment.objects.filter(article=OuterRef("pk")), "article"),
            assigned_to_me=Exists(
                Assignment.objects.filter(article=OuterRef("pk"), annotator=user)
            ),
        )
        .filter(total__gt=0)
    )


def assignments_of(*, corpus: Corpus, user) -> QuerySet[Article]:
    """The user's assigned articles, with ``total``, ``mine``, ``finished`` and ``assigned_at``.

    Unfinished first (oldest assignment first), then finished ones.
    """
    mine = Assignment.objects.filter(article=OuterRef("pk"), annotator=user)
    return (
        articles_with_workload(corpus, user)
        .filter(assigned_to_me=True)
        .annotate(
            assigned_at=Subquery(mine.values("assigned_at")[:1]),
            finished_at=Subquery(mine.values("finished_at")[:1]),
        )
        .annotate(
            finished=Case(
                When(mine__gte=F("total"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("finished", "assigned_at", "pk")
    )


def assignees_by_article(*, corpus: Corpus) -> dict[int, list[dict]]:
    """article id -> [{user_id, username, assigned_by, finished_at}] for the owner's page."""
    holders: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Assignment.objects.filter(article__corpus=corpus)
        .order_by("assigned_at", "id")
        .values(
            "article_id",
            "annotator_id",
            "annotator__username",
            "assigned_by__username",
            "finished_at",
        )
    ):
        holders[row["article_id"]].append(row)
    return holders
