"""Reads about assignments: an annotator's list, and who holds each article."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import BooleanField, Case, F, OuterRef, QuerySet, Subquery, Value, When

from articles.models import Article, Assignment, Corpus
from articles.services.assignment import articles_with_workload


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
