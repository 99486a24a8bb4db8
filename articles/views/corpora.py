"""Home (my corpora with my progress) and the corpus page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from articles.list_filters import article_list_form, article_list_page
from articles.selectors.listing import articles_page_rows
from articles.selectors.progress import corpora_progress
from corpora.permissions import Right, corpus_for, has_right
from corpora.services.corpora import corpus_create_allowed

# The most articles one status poll asks about (a page holds PAGE_SIZE).
STATUS_IDS_MAX = 200

# Sections another part of the app adds to the corpus page: shown once their
# URL name exists and the user's role has the right.
CORPUS_SECTIONS = [
    ("corpus_settings", "Settings", Right.MANAGE),
    ("corpus_import", "Import", Right.MANAGE),
    ("corpus_members", "Members", Right.MANAGE),
    ("corpus_dashboard", "Dashboard", Right.SEE_ALL_LABELS),
    ("adjudication_queue", "Adjudication", Right.REVIEW),
    ("corpus_assignments", "Assignments", Right.MANAGE),
    ("corpus_history", "History", Right.MANAGE),
    ("my_assignments", "My articles", Right.LABEL),
    ("corpus_releases", "Releases", Right.SEE_ALL_LABELS),
    ("corpus_recheck", "Re-check labels", Right.LABEL),
]


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "rows": corpora_progress(request.user),
        "can_create": corpus_create_allowed(request.user),
    }
    return render(request, "articles/home.html", context)


def _sections(corpus, role: str) -> list[dict[str, str]]:
    links = []
    for name, title, right in CORPUS_SECTIONS:
        if not has_right(role, right):
            continue
        try:
            links.append({"url": reverse(name, kwargs={"slug": corpus.slug}), "title": title})
        except NoReverseMatch:
            continue
    return links


def _article_row(article) -> dict:
    return {
        "id": article.pk,
        "status": article.status,
        "status_label": article.get_status_display(),
        "failure_reason": article.failure_reason,
        "sentence_count": article.sentence_count,
        "labeled_count": article.labeled_count,
    }


@require_GET
@login_required
def corpus_detail(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug)
    form = article_list_form(request.GET, corpus=corpus, role=role, user=request.user)
    page, articles, errors = article_list_page(request, corpus, form)
    busy = any(a.status in ("pending", "segmenting") for a in articles)
    return render(
        request,
        "articles/corpus_detail.html",
        {
            "corpus": corpus,
            "role": role,
            "can_label": has_right(role, Right.LABEL),
            "can_see_all": has_right(role, Right.SEE_ALL_LABELS),
            "can_manage": has_right(role, Right.MANAGE),
            "articles": articles,
            "page": page,
            "form": form,
            "form_querystring": form.querystring(),
            "filtered": form.is_valid() and form.active(),
            "errors": errors,
            "busy": busy,
            "sections": _sections(corpus, role),
            "status_url": reverse("corpus_article_status", kwargs={"slug": corpus.slug}),
        },
    )


@require_GET
@login_required
def corpus_article_status(request: HttpRequest, slug: str) -> JsonResponse:
    """Statuses and counts of the articles ``?ids=1,2,…`` (the page being shown), which
    the corpus page polls while segmentation runs."""
    corpus, _role = corpus_for(request.user, slug=slug)
    raw = [part for part in request.GET.get("ids", "").split(",") if part]
    if len(raw) > STATUS_IDS_MAX or not all(p.isascii() and p.isdigit() for p in raw):
        return JsonResponse(
            {"error": f"Give ids as up to {STATUS_IDS_MAX} article ids separated by commas."},
            status=400,
        )
    ids = [int(p) for p in raw if int(p) <= 2**63 - 1]
    rows = articles_page_rows(corpus=corpus, ids=ids, user=request.user)
    return JsonResponse({"articles": [_article_row(a) for a in rows]})
