"""The history pages: every label change and gold decision, per sentence (from the
labeling screen) and per corpus (owners), newest first, filtered and paged."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from annotator.validation import CheckedForm
from articles.access import sentence_for
from articles.selectors.history import (
    HISTORY_ACTIONS,
    HistoryFilter,
    history_people,
    history_row,
    history_rows,
)
from corpora.permissions import Right, corpus_for, has_right

HISTORY_PAGE_SIZE = 50


class HistoryFilterForm(CheckedForm):
    annotator = forms.CharField(required=False, max_length=150, label="Person")
    action = forms.ChoiceField(
        required=False, choices=[("", "Any change"), *HISTORY_ACTIONS.items()], label="Change"
    )
    since = forms.DateField(required=False, label="From", widget=forms.DateInput({"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

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
    return page, [history_row(values) for values in page.object_list], query.urlencode()


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
    form = HistoryFilterForm(request.GET or None)
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
