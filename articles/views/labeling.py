"""The labeling screen.

The screen is rendered with a window of the article (``labeling_window``:
a bounded number of sentences around where the user left off) and the user's
labels in it; static/js/labeling.js fetches the sentences before and after as
the user moves, and writes every change through the REST API.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from articles.access import article_for
from articles.models import Article
from articles.selectors.labeling import (
    LabelingWindow,
    corpus_labels,
    labeling_window,
    labels_under_older_guidelines,
    split_headline,
)
from corpora.guidelines import IN_PAGE, guidelines_html
from corpora.models import Label
from corpora.permissions import Right, can_edit_segmentation, has_right
from corpora.services.guidelines import guidelines_notice_take


def _page_config(
    article: Article, user, labels: list[Label], window: LabelingWindow | None, role: str
) -> dict:
    corpus = article.corpus
    return {
        "articleId": article.pk,
        # Splitting, merging and heading marks (static/js/labeling/boundaries.js).
        "canEditSegmentation": can_edit_segmentation(role, corpus),
        # What the page holds of the article, and the whole article's counts.
        "window": None
        if window is None
        else {
            "start": window.start,
            "stop": min(window.stop, window.sentence_count),
            "sentenceCount": window.sentence_count,
            "total": window.total,
            "labeled": window.labeled,
            "before": window.before,
            # The sentence to open on when the address named one (?at=).
            "focus": window.focus,
        },
        "userId": user.pk,
        "apiRoot": "/api/",
        "nextUrl": reverse("next_article", kwargs={"slug": corpus.slug}),
        "corpusUrl": reverse("corpus_detail", kwargs={"slug": corpus.slug}),
        "labels": [
            {
                "key": label.key,
                "name": label.name,
                "color": label.color,
                "shortcut": label.shortcut.lower(),
                "takesSource": label.takes_source,
                "description": label.description,
                "archived": label.archived,
            }
            for label in labels
        ],
    }


@require_GET
@login_required
@ensure_csrf_cookie
def label_article(request: HttpRequest, pk: int) -> HttpResponse:
    article, role = article_for(request.user, pk, right=Right.LABEL)
    ready = article.status == Article.Status.READY
    at = _sentence_index(request.GET.get("at"))
    window = labeling_window(article=article, user=request.user, at=at) if ready else None
    notice = guidelines_notice_take(corpus=article.corpus, user=request.user)
    headline, paragraphs = split_headline(article, window.paragraphs if window else [])
    labels = corpus_labels(corpus=article.corpus)
    return render(
        request,
        "articles/label.html",
        {
            "article": article,
            "corpus": article.corpus,
            "labels": labels,
            "paragraphs": paragraphs,
            "headline": headline,
            "can_see_all": has_right(role, Right.SEE_ALL_LABELS),
            "can_retry": has_right(role, Right.MANAGE),
            "can_correct_text": has_right(role, Right.MANAGE),
            "ready": ready,
            "total": window.total if window else 0,
            "labeled": window.labeled if window else 0,
            "guidelines_html": guidelines_html(article.corpus.guidelines, top_heading=IN_PAGE),
            "can_edit_segmentation": can_edit_segmentation(role, article.corpus),
            "config": _page_config(article, request.user, labels, window, role),
            "notice": notice,
            "older_count": (
                labels_under_older_guidelines(corpus=article.corpus, user=request.user).count()
                if notice
                else 0
            ),
        },
    )


def _sentence_index(raw: str | None) -> int | None:
    """``?at=`` as a sentence index; anything else opens where the user left off."""
    if raw is None or not raw.isdigit() or len(raw) > 9:
        return None
    return int(raw)
