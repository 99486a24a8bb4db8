"""Assignment pages: the owner's distribution page, bulk assignment, queues.

The owner's page lists the corpus's articles through the core's list (the same
search and filters as the corpus page, ``articles.list_filters``) with each
article's holders; owners assign, unassign and reassign one article at a time,
or pick articles (a selection, or every article the filters match) and share
them among members in bulk after a preview. Each member's queue has a page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from annotator.validation import CheckedForm
from articles.list_filters import ArticleListForm, article_list_form, article_list_page
from articles.models import Article
from articles.selectors.listing import articles_listing
from corpora.permissions import Right, corpus_for
from review.exceptions import OverlapFull
from review.selectors.assignments import (
    article_in_corpus,
    assignees_by_article,
    assignment_get,
    assignments_of,
    labelers_of,
    member_in_corpus,
    member_loads,
)
from review.services.assignment import (
    BULK_MAX_ARTICLES,
    BulkPlan,
    article_next_for,
    assignment_create,
    assignment_delete,
    assignment_reassign,
    assignments_bulk_create,
    assignments_bulk_preview,
    assignments_of_member_reassign,
    corpus_overlap_set,
)
from suggestions.selectors import next_sentence_ranked


@require_GET
@login_required
def corpus_assignments(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    form = article_list_form(request.GET, corpus=corpus, role=role, user=request.user)
    page, articles, errors = article_list_page(request, corpus, form)
    holders = assignees_by_article(corpus=corpus, article_ids=[a.pk for a in articles])
    rows = [{"article": a, "holders": holders.get(a.pk, [])} for a in articles]
    return render(
        request,
        "workflow/assignments.html",
        {
            "corpus": corpus,
            "rows": rows,
            "page": page,
            "form": form,
            "form_querystring": form.querystring(),
            "filtered": form.is_valid() and form.active(),
            "errors": errors,
            "people": list(labelers_of(corpus=corpus)),
            "loads": member_loads(corpus=corpus),
            "bulk_max": BULK_MAX_ARTICLES,
        },
    )


def _article_in(corpus, article_id: int) -> Article:
    article = article_in_corpus(corpus=corpus, article_id=article_id)
    if article is None:
        raise Http404("No such article in this corpus.")
    return article


def _back(corpus, request) -> str:
    """The owner's page as it was: the list's query string travels in ``back``."""
    url = reverse("corpus_assignments", kwargs={"slug": corpus.slug})
    back = request.POST.get("back", "")
    # Only a query string of our own page; anything else goes back to the first page.
    return f"{url}?{back}" if back and "/" not in back and ":" not in back else url


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
    except OverlapFull as exc:
        messages.error(request, str(exc))
        return redirect(_back(corpus, request))
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
    """Take the user to their next unfinished article (POST: it may claim a seat), or, when
    the corpus's policy ranks sentences (least confident, disagreement), to the sentence it
    ranks first: its article, opened on that sentence."""
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.LABEL)
    ranked = next_sentence_ranked(corpus=corpus, user=request.user)
    if ranked is not None:
        url = reverse("label_article", kwargs={"pk": ranked["article"]})
        return redirect(f"{url}?at={ranked['index']}")
    try:
        after = int(request.POST["after"]) if request.POST.get("after") else None
    except ValueError:
        after = None
    article = article_next_for(corpus=corpus, user=request.user, after=after)
    if article is None:
        messages.success(request, "Nothing left for you to label in this corpus for now.")
        return redirect("corpus_detail", slug=corpus.slug)
    return redirect("label_article", pk=article.pk)


def _ids(values: list[str]) -> list[int] | None:
    """Ids posted by checkboxes and selects, or None when one is not an id."""
    if not all(v.isascii() and v.isdigit() and len(v) <= 18 for v in values):
        return None
    return [int(v) for v in values]


@require_POST
@login_required
def assignment_reassign_view(
    request: HttpRequest, slug: str, article_id: int, user_id: int
) -> HttpResponse:
    """Move one article from one member to another; labels already made stay."""
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    article = _article_in(corpus, article_id)
    assignment = assignment_get(article=article, annotator_id=user_id)
    to = request.POST.get("to") or ""
    member = member_in_corpus(corpus=corpus, user_id=int(to)) if to.isdecimal() else None
    if assignment is None:
        messages.error(request, "That person was not assigned this article.")
    elif member is None:
        messages.error(request, "Choose a member of this corpus to give the article to.")
    else:
        try:
            assignment_reassign(
                article=article,
                annotator=assignment.annotator,
                to=member.user,
                assigned_by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"“{article}” moved from {assignment.annotator} to {member.user}; "
                f"{assignment.annotator}'s labels stay.",
            )
    return redirect(_back(corpus, request))


class BulkForm(CheckedForm):
    scope = forms.ChoiceField(
        choices=[("selected", "The articles selected"), ("matching", "Every matching article")],
        label="Articles",
    )
    per_article = forms.IntegerField(min_value=1, max_value=100, label="Annotators per article")
    back = forms.CharField(required=False, max_length=2000)


def _bulk_request(request: HttpRequest, corpus, role: str):
    """(form, article ids, annotator ids, errors) from a posted bulk form.

    "matching" runs the list's filters (carried in ``back``) again, so the
    articles are those the filters match now.
    """
    form = BulkForm(request.POST)
    errors: list[str] = []
    if not form.is_valid():
        return form, [], [], form.named_errors()
    annotator_ids = _ids(request.POST.getlist("annotators"))
    if annotator_ids is None:
        errors.append("Choose members from the list.")
        annotator_ids = []
    if form.cleaned_data["scope"] == "selected":
        article_ids = _ids(request.POST.getlist("articles"))
        if article_ids is None:
            errors.append("Select articles from the list.")
            article_ids = []
        return form, article_ids, annotator_ids, errors
    filters: ArticleListForm = article_list_form(
        QueryDict(form.cleaned_data["back"]), corpus=corpus, role=role, user=request.user
    )
    if not filters.is_valid():
        return form, [], annotator_ids, errors + filters.named_errors()
    try:
        listing = articles_listing(corpus=corpus, user=request.user, query=filters.query())
    except ValidationError as exc:
        return form, [], annotator_ids, errors + exc.messages
    # One more than the limit, so the service can say the selection is too large.
    article_ids = list(listing.values_list("pk", flat=True)[: BULK_MAX_ARTICLES + 1])
    return form, article_ids, annotator_ids, errors


def _plan_rows(plan: BulkPlan, people) -> list[dict]:
    return [
        {
            "user": p,
            "before": plan.load_before.get(p.pk, 0),
            "new": plan.per_member.get(p.pk, 0),
            "after": plan.load_before.get(p.pk, 0) + plan.per_member.get(p.pk, 0),
        }
        for p in people
        if p.pk in plan.load_before
    ]


@require_POST
@login_required
def assignments_bulk(request: HttpRequest, slug: str) -> HttpResponse:
    """Preview (``confirm`` absent) or make (``confirm=1``) a bulk assignment."""
    corpus, role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    form, article_ids, annotator_ids, errors = _bulk_request(request, corpus, role)
    if errors:
        for message in errors:
            messages.error(request, message)
        return redirect(_back(corpus, request))
    args = {
        "corpus": corpus,
        "article_ids": article_ids,
        "per_article": form.cleaned_data["per_article"],
        "annotator_ids": annotator_ids,
    }
    try:
        if request.POST.get("confirm") == "1":
            plan = assignments_bulk_create(**args, assigned_by=request.user)
        else:
            plan = assignments_bulk_preview(**args)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_back(corpus, request))
    if request.POST.get("confirm") == "1":
        messages.success(
            request,
            f"Made {len(plan.created)} assignments over {plan.articles} articles"
            + (f"; {len(plan.short)} could not get {plan.per_article}" if plan.short else "")
            + ".",
        )
        return redirect(_back(corpus, request))
    return render(
        request,
        "workflow/assign_bulk.html",
        {
            "corpus": corpus,
            "plan": plan,
            "rows": _plan_rows(plan, labelers_of(corpus=corpus)),
            "scope": form.cleaned_data["scope"],
            "back": form.cleaned_data["back"],
            "article_ids": article_ids,
            "annotator_ids": annotator_ids,
        },
    )


@require_GET
@login_required
def member_queue(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """One member's queue as the owner sees it: their articles in order, with progress."""
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    member = member_in_corpus(corpus=corpus, user_id=user_id)
    if member is None:
        raise Http404("No such member in this corpus.")
    rows = list(assignments_of(corpus=corpus, user=member.user))
    return render(
        request,
        "workflow/member_queue.html",
        {
            "corpus": corpus,
            "member": member.user,
            "unfinished": [r for r in rows if not r.finished],
            "finished": [r for r in rows if r.finished],
            "people": [p for p in labelers_of(corpus=corpus) if p.pk != member.user.pk],
        },
    )


@require_POST
@login_required
def member_queue_reassign(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    """Move every unfinished article of a member to another member."""
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    member = member_in_corpus(corpus=corpus, user_id=user_id)
    if member is None:
        raise Http404("No such member in this corpus.")
    to = request.POST.get("to") or ""
    target = member_in_corpus(corpus=corpus, user_id=int(to)) if to.isdecimal() else None
    if target is None:
        messages.error(request, "Choose a member of this corpus to give the articles to.")
    else:
        try:
            moved = assignments_of_member_reassign(
                corpus=corpus, annotator=member.user, to=target.user, assigned_by=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"Moved {moved} unfinished article{'s' if moved != 1 else ''} from "
                f"{member.user} to {target.user}; labels stay with whoever made them.",
            )
    return redirect("member_queue", slug=corpus.slug, user_id=member.user.pk)


@require_POST
@login_required
def overlap_set_view(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, _role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    raw = request.POST.get("overlap", "")
    try:
        corpus_overlap_set(corpus=corpus, overlap=int(raw) if raw.isdecimal() else 0)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"Each article is now labeled by {corpus.overlap}.")
    return redirect(_back(corpus, request))
