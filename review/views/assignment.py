"""Assignment pages: the owner's table of who labels what, and an annotator's list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from articles.models import Article
from corpora.permissions import Right, corpus_for
from review.selectors.assignments import (
    article_in_corpus,
    assignable_articles,
    assignees_by_article,
    assignment_get,
    assignments_of,
    labelers_of,
    member_in_corpus,
)
from review.services.assignment import article_next_for, assignment_create, assignment_delete

PAGE_SIZE = 50


@require_GET
@login_required
def corpus_assignments(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    articles = assignable_articles(corpus=corpus)
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    holders = assignees_by_article(corpus=corpus)
    rows = [{"article": a, "holders": holders.get(a.pk, [])} for a in page]
    return render(
        request,
        "workflow/assignments.html",
        {"corpus": corpus, "rows": rows, "page": page, "people": list(labelers_of(corpus=corpus))},
    )


def _article_in(corpus, article_id: int) -> Article:
    article = article_in_corpus(corpus=corpus, article_id=article_id)
    if article is None:
        raise Http404("No such article in this corpus.")
    return article


def _back(corpus, request) -> str:
    url = reverse("corpus_assignments", kwargs={"slug": corpus.slug})
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isdigit() else url


@require_POST
@login_required
def assignment_add(request: HttpRequest, slug: str, article_id: int) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    article = _article_in(corpus, article_id)
    annotator = request.POST.get("annotator") or ""
    member = (
        member_in_corpus(corpus=corpus, user_id=int(annotator)) if annotator.isdecimal() else None
    )
    if member is None:
        messages.error(request, "Choose a member of this corpus to assign the article to.")
        return redirect(_back(corpus, request))
    try:
        _, created = assignment_create(
            article=article, annotator=member.user, assigned_by=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_back(corpus, request))
    messages.success(
        request,
        f"{member.user} now labels “{article}”."
        if created
        else f"{member.user} already had “{article}”.",
    )
    return redirect(_back(corpus, request))


@require_POST
@login_required
def assignment_remove(
    request: HttpRequest, slug: str, article_id: int, user_id: int
) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    article = _article_in(corpus, article_id)
    assignment = assignment_get(article=article, annotator_id=user_id)
    if assignment is None or not assignment_delete(article=article, annotator=assignment.annotator):
        messages.error(request, "That person was not assigned this article.")
    else:
        messages.success(
            request, f"“{article}” is no longer assigned to {assignment.annotator}; labels stay."
        )
    return redirect(_back(corpus, request))


@require_GET
@login_required
def my_assignments(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.LABEL)
    rows = list(assignments_of(corpus=corpus, user=request.user))
    return render(
        request,
        "workflow/my_assignments.html",
        {
            "corpus": corpus,
            "unfinished": [r for r in rows if not r.finished],
            "finished": [r for r in rows if r.finished],
        },
    )


@require_POST
@login_required
def next_article(request: HttpRequest, slug: str) -> HttpResponse:
    """Take the user to their next unfinished article (POST: it may claim a seat)."""
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.LABEL)
    try:
        after = int(request.POST["after"]) if request.POST.get("after") else None
    except ValueError:
        after = None
    article = article_next_for(corpus=corpus, user=request.user, after=after)
    if article is None:
        messages.success(request, "Nothing left for you to label in this corpus for now.")
        return redirect("corpus_detail", slug=corpus.slug)
    return redirect("label_article", pk=article.pk)
