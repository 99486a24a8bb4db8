"""Reads of releases: listings, one release, which articles a release may hold, splits."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from articles.models import Article
from corpora.models import Corpus
from releases.models import ArticleSplit, Release


def releases_of(*, corpus: Corpus, with_withdrawn: bool) -> QuerySet[Release]:
    """The corpus's releases, newest first; withdrawn ones only for owners."""
    releases = Release.objects.filter(corpus=corpus)
    if not with_withdrawn:
        releases = releases.filter(withdrawn_at__isnull=True)
    return releases.order_by("-created_at", "-id")


def release_get(*, corpus: Corpus, version: str) -> Release | None:
    return Release.objects.filter(corpus=corpus, version=version).first()


def release_article_filter(*, corpus: Corpus) -> Q:
    """Articles that may go in a release: ready ones, archived articles excluded.

    Filters on ``Article.archived`` when the model has that flag (an article an
    owner archived never goes in a release); until then every ready article may.
    """
    q = Q(corpus=corpus, status=Article.Status.READY)
    if any(field.name == "archived" for field in Article._meta.get_fields()):
        q &= Q(archived=False)
    return q


def releasable_articles(*, corpus: Corpus, article_ids: list[int] | None) -> QuerySet[Article]:
    articles = Article.objects.filter(release_article_filter(corpus=corpus))
    if article_ids is not None:
        articles = articles.filter(pk__in=article_ids)
    return articles


def article_splits(*, corpus: Corpus) -> dict[int, str]:
    """Every article's kept split in the corpus (article id -> split)."""
    return dict(ArticleSplit.objects.filter(corpus=corpus).values_list("article_id", "split"))


def release_progress(*, release: Release) -> dict:
    """What the release page polls while the build runs."""
    finished = release.status in (Release.Status.DONE, Release.Status.FAILED)
    total = max(release.total, 0)
    processed = min(release.processed, total) if total else release.processed
    percent = 100 if release.status == Release.Status.DONE else (
        int(processed * 100 / total) if total else 0
    )
    messages = {
        Release.Status.QUEUED: "Waiting for a worker to start building the release…",
        Release.Status.RUNNING: f"Building: {processed:,} of {total:,} sentences read.",
        Release.Status.DONE: "Published. Its files are listed below and will never change.",
        Release.Status.FAILED: f"The build failed: {release.error}",
    }
    return {
        "status": release.status,
        "finished": finished,
        "processed": processed,
        "total": total,
        "percent": percent,
        "message": messages[Release.Status(release.status)],
        "error": release.error,
    }
