"""The history pages: every label change, gold decision and boundary change, per sentence
(from the labeling screen; labels and gold only), per article and per corpus (owners),
newest first, filtered and paged; and the Undo of the newest boundary change."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from annotator.validation import CheckedForm
from articles.access import article_for, sentence_for
from articles.exceptions import BoundaryConflict
from articles.models import Article
from articles.selectors.history import (
    BOUNDARY,
    HISTORY_ACTIONS,
    HistoryFilter,
    history_page_rows,
    history_people,
    history_rows,
)
from articles.selectors.segmentation import segmentation_edit_to_undo
from articles.services.boundaries import segmentation_edit_undo
from corpora.permissions import (
    Right,
    can_edit_segmentation,
    corpus_for,
    has_right,
    require_segmentation_right,
)

HISTORY_PAGE_SIZE = 50


class HistoryFilterForm(CheckedForm):
    annotator = forms.CharField(required=False, max_length=150, label="Person")
    action = forms.ChoiceField(
        required=False, choices=[("", "Any change"), *HISTORY_ACTIONS.items()], label="Change"
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def __init__(self, *args, boundary: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not boundary:
            choices = [("", "Any change"), *HISTORY_ACTIONS.items()]
            self.fields["action"] = forms.ChoiceField(
                required=False, choices=[c for c in choices if c[0] != BOUNDARY], label="Change"
            )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end date is before the start date; swap them.")
        return data

    def history_filter(self) -> HistoryFilter:
        """The filter in the reader's time zone: whole days from ``since`` to ``until``."""
        data = self.cleaned_data if self.is_valid() else {}

        def start_of(day: dt.date | None) -> dt.datetime | None:
            if day is None:
                return None
            return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

        until = data.get("until")
        return HistoryFilter(
            annotator=data.get("annotator") or "",
            action=data.get("action") or "",
            since=start_of(data.get("since")),
            until=start_of(until + dt.timedelta(days=1)) if until else None,
        )


def _page(request: HttpRequest, rows, form: HistoryFilterForm):
    paginator = Paginator(rows, HISTORY_PAGE_SIZE)
    number = form.cleaned_data.get("page") if form.is_valid() else None
    page = paginator.get_page(number or 1)
    query = request.GET.copy()
    query.pop("page", None)
    return page, history_page_rows(page.object_list), query.urlencode()


@require_GET
@login_required
def corpus_history_page(request: HttpRequest, slug: str) -> HttpResponse:
    corpus, role = corpus_for(request.user, slug=slug, right=Right.MANAGE)
    form = HistoryFilterForm(request.GET or None)
    rows = history_rows(corpus=corpus, user=request.user, role=role, when=form.history_filter())
    page, entries, query = _page(request, rows, form)
    return render(
        request,
        "articles/history.html",
        {
            "corpus": corpus,
            "form": form,
            "people": history_people(corpus=corpus),
            "page": page,
            "entries": entries,
            "query": query,
            "sentence": None,
        },
    )


@require_GET
@login_required
def sentence_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    sentence, role = sentence_for(request.user, pk, right=Right.VIEW)
    corpus = sentence.article.corpus
    # Boundary changes are the article's, not one sentence's: not a choice here.
    form = HistoryFilterForm(request.GET or None, boundary=False)
    rows = history_rows(sentence=sentence, user=request.user, role=role, when=form.history_filter())
    page, entries, query = _page(request, rows, form)
    sees_all = has_right(role, Right.SEE_ALL_LABELS)
    return render(
        request,
        "articles/history.html",
        {
            "corpus": corpus,
            "form": form,
            "people": history_people(corpus=corpus) if sees_all else [],
            "page": page,
            "entries": entries,
            "query": query,
            "sentence": sentence,
            "sees_all": sees_all,
        },
    )


def _article_history(
    request: HttpRequest, article: Article, role: str, *, refused: str = "", status: int = 200
) -> HttpResponse:
    form = HistoryFilterForm(request.GET or None)
    rows = history_rows(article=article, user=request.user, role=role, when=form.history_filter())
    page, entries, query = _page(request, rows, form)
    sees_all = has_right(role, Right.SEE_ALL_LABELS)
    to_undo = (
        segmentation_edit_to_undo(article=article)
        if can_edit_segmentation(role, article.corpus)
        else None
    )
    return render(
        request,
        "articles/history.html",
        {
            "corpus": article.corpus,
            "article": article,
            "form": form,
            "people": history_people(corpus=article.corpus, article=article) if sees_all else [],
            "page": page,
            "entries": entries,
            "query": query,
            "sentence": None,
            "sees_all": sees_all,
            "undo_id": to_undo.pk if to_undo else None,
            "refused": refused,
        },
        status=status,
    )


@require_GET
@login_required
def article_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Every member who may see the article sees its boundary changes, everyone's (as in
    the API); its label changes as on the sentence pages (annotators: their own)."""
    article, role = article_for(request.user, pk, right=Right.VIEW)
    return _article_history(request, article, role)


@require_POST
@login_required
def segmentation_undo(request: HttpRequest, pk: int, edit_id: int) -> HttpResponse:
    """Undo a boundary change from the article's history (POST /api/.../undo/ for pages)."""
    article, role = article_for(request.user, pk, right=Right.VIEW)
    require_segmentation_right(role, article.corpus)
    try:
        segmentation_edit_undo(article_id=article.pk, edit_id=edit_id, by=request.user)
    except BoundaryConflict as exc:
        return _article_history(request, article, role, refused=str(exc), status=409)
    except ValidationError as exc:
        refused = " ".join(exc.messages)
        return _article_history(request, article, role, refused=refused, status=400)
    messages.success(request, "Boundary change undone; the labels are back as they were.")
    return redirect("article_history", pk=article.pk)
