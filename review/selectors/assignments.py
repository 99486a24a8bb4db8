"""Reads about assignments: an annotator's list, and who holds each article."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Case,
    Count,
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
from corpora.models import Corpus, Membership
from corpora.permissions import ROLE_RIGHTS, Right
from review.models import Assignment

if TYPE_CHECKING:
    # Typing only: django-stubs' helper is not installed where the app runs.
    from django_stubs_ext import WithAnnotations


class Workload(TypedDict):
    """The annotations ``articles_with_workload`` adds to each article."""

    total: int
    mine: int
    assignees: int
    assigned_to_me: bool


def articles_with_workload(
    corpus: Corpus, user
) -> QuerySet[WithAnnotations[Article, Workload], WithAnnotations[Article, Workload]]:
    """Ready articles with ``total`` labelable sentences, the user's ``mine`` and ``assignees``."""
    return (
        Article.objects.filter(corpus=corpus, status=Article.Status.READY, archived=False)
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


class Holder(TypedDict):
    """One assignment as the owner's page lists it."""

    article_id: int
    annotator_id: int
    annotator__username: str
    assigned_by__username: str | None
    finished_at: datetime | None


def assignees_by_article(
    *, corpus: Corpus, article_ids: list[int] | None = None
) -> dict[int, list[Holder]]:
    """article id -> the article's assignments, oldest first, for the owner's page
    (only the articles ``article_ids``, the page shown, when given)."""
    holders: dict[int, list[Holder]] = defaultdict(list)
    rows = Assignment.objects.filter(article__corpus=corpus)
    if article_ids is not None:
        rows = rows.filter(article_id__in=article_ids)
    for row in rows.order_by("assigned_at", "id").values(
        "article_id",
        "annotator_id",
        "annotator__username",
        "assigned_by__username",
        "finished_at",
    ):
        # The stubs type a column reached through a nullable foreign key
        # (assigned_by__username) as never None.
        holders[row["article_id"]].append(row)  # type: ignore[arg-type]
    return holders


def labelers_of(*, corpus: Corpus) -> QuerySet:
    """The corpus's members whose role labels, by user name: who may be assigned articles."""
    roles = [role for role, rights in ROLE_RIGHTS.items() if Right.LABEL in rights]
    return (
        get_user_model()
        .objects.filter(memberships__corpus=corpus, memberships__role__in=roles)
        .order_by("username")
    )


def assignable_articles(*, corpus: Corpus) -> QuerySet[Article]:
    """The corpus's ready articles, with only what the owner's table shows."""
    return Article.objects.filter(corpus=corpus, status=Article.Status.READY, archived=False).only(
        "pk", "title", "author", "outlet"
    )


def article_in_corpus(*, corpus: Corpus, article_id: int) -> Article | None:
    return Article.objects.select_related("corpus").filter(pk=article_id, corpus=corpus).first()


def member_in_corpus(*, corpus: Corpus, user_id: int) -> Membership | None:
    """The membership (with its user) of ``user_id`` in ``corpus``, or None."""
    return Membership.objects.select_related("user").filter(corpus=corpus, user_id=user_id).first()


def assignment_get(*, article: Article, annotator_id: int) -> Assignment | None:
    """The assignment of ``article`` to ``annotator_id`` (with its annotator), or None."""
    return (
        Assignment.objects.select_related("annotator")
        .filter(article=article, annotator_id=annotator_id)
        .first()
    )


class MemberLoad(TypedDict):
    """One labeling member's queue in numbers, for the owner's page."""

    id: int
    username: str
    unfinished: int
    finished: int


def member_loads(*, corpus: Corpus) -> list[MemberLoad]:
    """Every member who labels, with their unfinished and finished assignments (by name)."""
    counts: dict[int, dict[bool, int]] = defaultdict(dict)
    for annotator_id, finished, n in (
        Assignment.objects.filter(article__corpus=corpus, article__archived=False)
        .annotate(
            done=Case(
                When(finished_at__isnull=True, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
        .values_list("annotator_id", "done")
        .annotate(n=Count("pk"))
        .values_list("annotator_id", "done", "n")
    ):
        counts[annotator_id][bool(finished)] = n
    return [
        {
            "id": user.pk,
            "username": user.get_username(),
            "unfinished": counts[user.pk].get(False, 0),
            "finished": counts[user.pk].get(True, 0),
        }
        for user in labelers_of(corpus=corpus)
    ]
