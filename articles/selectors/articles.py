"""Reads behind the API's article endpoints."""

from __future__ import annotations

from django.db import connection
from django.db.models import FilteredRelation, Q, QuerySet

from articles.models import Annotation, Article, Sentence
from articles.offsets import ASTRAL_PATTERN, utf16_offsets
from articles.sql import astral_article_texts

# The most sentences one page of GET /api/articles/{id}/sentences/ holds.
SENTENCE_PAGE_MAX = 1000


def _sentence_rows(
    sentences: QuerySet[Sentence], user, *, article_text: str, limit: int | None = None
) -> list[dict]:
    """Sentences in index order with the caller's label on each: one query for all.

    Each also carries its offsets into ``article_text`` in UTF-16 code
    units, for JavaScript clients (``articles.offsets``).
    """
    rows = (
        sentences.annotate(
            mine=FilteredRelation("annotations", condition=Q(annotations__annotator=user))
        )
        .order_by("index")
        .values_list(
            "pk",
            "index",
            "start",
            "end",
            "paragraph",
            "kind",
            "text",
            "mine__label__key",
            "mine__note",
            "mine__source",
            "mine__version",
            "mine__updated_at",
            "mine__needs_review",
            "mine__review_reason",
            "mine__review_from",
        )
    )
    if limit is not None:
        rows = rows[:limit]
    fetched = list(rows)
    utf16 = iter(utf16_offsets(article_text, (offset for row in fetched for offset in row[2:4])))
    return [
        {
            "id": pk,
            "index": index,
            "start": start,
            "end": end,
            "start_utf16": next(utf16),
            "end_utf16": next(utf16),
            "paragraph": paragraph,
            "kind": kind,
            "text": text,
            "my_annotation": None
            if label is None
            else {
                "label": label,
                "note": note,
                "source": source,
                "version": version,
                "updated_at": updated_at,
                "needs_review": bool(needs_review),
                "review_reason": review_reason,
                "review_from": review_from or [],
            },
        }
        for (
            pk, index, start, end, paragraph, kind, text,
            label, note, source, version, updated_at, needs_review, review_reason, review_from,
        ) in fetched
    ]  # fmt: skip


def article_sentences_page(
    *, article: Article, user, offset: int, limit: int, unlabeled: bool = False
) -> dict:
    """Up to ``limit`` of the article's sentences from index ``offset`` on, with the
    caller's label on each; ``count`` is the number of sentences in the article.

    Sentence indexes run from 0 without gaps, so ``offset`` pages like a position;
    ``unlabeled`` keeps only labelable sentences the caller has not labeled (the
    labeling screen asks for the next one beyond what it holds). Two queries.
    """
    sentences = Sentence.objects.filter(article=article, index__gte=offset)
    if unlabeled:
        # NOT IN, hashed once, as in labeling_window (a plan that does not
        # depend on the tables having been analysed since a bulk import).
        mine = Annotation.objects.filter(annotator=user, sentence__article=article)
        sentences = sentences.filter(kind=Sentence.Kind.SENTENCE).exclude(
            pk__in=mine.values("sentence_id")
        )
    return {
        "count": Sentence.objects.filter(article=article).count(),
        "offset": offset,
        "results": _sentence_rows(sentences, user, article_text=article.text, limit=limit),
    }


def article_sentences_by_id(*, article: Article, user, ids: list[int]) -> list[dict]:
    """These sentences of the article (index order) with the caller's label on each."""
    return _sentence_rows(
        Sentence.objects.filter(article=article, pk__in=ids), user, article_text=article.text
    )


def article_detail(*, article: Article, user) -> dict:
    """The article with its sentences and the caller's label on each: one query for all."""
    sentences = _sentence_rows(
        Sentence.objects.filter(article=article), user, article_text=article.text
    )
    return {
        "id": article.pk,
        "corpus": article.corpus.slug,
        "title": article.title,
        "author": article.author,
        "outlet": article.outlet,
        "source_url": article.source_url,
        "published_on": article.published_on,
        "status": article.status,
        "failure_reason": article.failure_reason,
        "attempts": article.attempts,
        "segmenter_version": article.segmenter_version,
        "archived": article.archived,
        "created_at": article.created_at,
        "content_hash": article.content_hash,
        "text": article.text,
        "sentences": sentences,
    }


def astral_articles(*, article_ids) -> dict[int, str]:
    """The texts of those of these articles that hold a character outside the Basic
    Multilingual Plane (where UTF-16 offsets differ from code point offsets), by id."""
    ids = list(set(article_ids))
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        return dict(astral_article_texts(article_ids=ids, pattern=ASTRAL_PATTERN))
    return dict(
        Article.objects.filter(pk__in=ids, text__regex=ASTRAL_PATTERN).values_list("pk", "text")
    )
