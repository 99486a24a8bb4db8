"""The read-only reading view of an article.

For members without the right to label (viewers) it is the way to read an
article; for those who see all labels (viewers, reviewers, owners) it shows
every annotator's label and the gold label per sentence. Nothing here writes.

A long article is read a part at a time: ``?start=`` is the index of the part's
first sentence; each part links to the next and the previous one, and
static/js/reading.js appends the next part as the reader scrolls to its end.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from articles.access import article_for
from articles.models import Article
from articles.selectors.labeling import corpus_labels, split_headline
from articles.selectors.reading import READING_PART, article_reading
from corpora.guidelines import IN_PAGE, guidelines_html
from corpora.permissions import Right, has_right


@require_GET
@login_required
def read_article(request: HttpRequest, pk: int) -> HttpResponse:
    article, role = article_for(request.user, pk, right=Right.VIEW)
    raw_start = request.GET.get("start", "0")
    if not (raw_start.isascii() and raw_start.isdigit() and len(raw_start) <= 9):
        return HttpResponseBadRequest(
            "start must be the index of a sentence: a whole number from 0.",
            content_type="text/plain; charset=utf-8",
        )
    start = int(raw_start)
    all_labels = has_right(role, Right.SEE_ALL_LABELS)
    ready = article.status == Article.Status.READY
    reading = (
        article_reading(article, user=request.user, all_labels=all_labels, start=start)
        if ready
        else None
    )
    headline, paragraphs = split_headline(
        article, reading.paragraphs if reading and start == 0 else []
    )
    if reading and start:
        paragraphs = reading.paragraphs
    return render(
        request,
        "articles/read.html",
        {
            "article": article,
            "corpus": article.corpus,
            "labels": corpus_labels(corpus=article.corpus),
            "ready": ready,
            "reading": reading,
            "paragraphs": paragraphs,
            "headline": headline,
            "all_labels": all_labels,
            "can_label": has_right(role, Right.LABEL),
            "can_retry": has_right(role, Right.MANAGE),
            "can_correct_text": has_right(role, Right.MANAGE),
            "guidelines_html": guidelines_html(article.corpus.guidelines, top_heading=IN_PAGE),
            "previous_start": max(0, start - READING_PART) if reading and start else None,
            "next_start": reading.stop
            if reading and reading.stop < reading.sentence_count
            else None,
        },
    )
