"""The article list's search, filter and sort form, shared by the pages that list articles.

The corpus page and the owner's assignment page both read their query string
through ``ArticleListForm`` and hand the resulting ``ArticleQuery`` to
``articles.selectors.listing.articles_listing``; the JSON API reads the same
filters through ``articles.api.serializers.ArticleListQuerySerializer``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import HttpRequest

from annotator.validation import CheckedForm
from articles.models import Article
from articles.selectors.listing import (
    DEFAULT_SORT,
    SORT_LABELS,
    ArticleQuery,
    article_filter_available,
    articles_listing,
    articles_page_rows,
    articles_paginator_class,
)
from corpora.permissions import Right, has_right
from corpora.selectors import corpus_members

PAGE_SIZE = 50


class ArticleListForm(CheckedForm):
    q = forms.CharField(required=False, max_length=200, label="Search")
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Article.Status.choices], label="Status"
    )
    assigned_to = forms.ChoiceField(required=False, label="Assigned to")
    labeled_by_me = forms.ChoiceField(
        required=False,
        label="My labels",
        choices=[("", "Any"), ("yes", "All labeled by me"), ("no", "Not all labeled by me")],
    )
    agreement_below = forms.IntegerField(
        required=False, min_value=0, max_value=100, label="Agreement below (%)"
    )
    archived = forms.BooleanField(required=False, label="Archived articles only")
    sort = forms.ChoiceField(
        required=False, choices=list(SORT_LABELS.items()), label="Sort", initial=DEFAULT_SORT
    )

    def __init__(self, data, *, people=(), me=None, see_all: bool, manage: bool) -> None:
        """``people``: (user id, name) of the members an owner may filter by;
        ``see_all``: the role sees everyone's work (assignment and agreement
        filters); ``manage``: the role may see archived articles."""
        super().__init__(data)
        if see_all:
            choices = [("", "Anyone or nobody"), ("none", "Nobody")]
            choices += [(str(pk), name) for pk, name in people]
        else:
            choices = [("", "Anyone or nobody")] + ([(str(me.pk), "Me")] if me else [])
        self.fields["assigned_to"].choices = choices
        if not article_filter_available("assigned_to"):
            del self.fields["assigned_to"]
        if not see_all or not article_filter_available("agreement_below"):
            del self.fields["agreement_below"]
        if me is None:
            del self.fields["labeled_by_me"]
        if not manage:
            del self.fields["archived"]

    def query(self) -> ArticleQuery:
        """The query the valid form describes (call after ``is_valid()``)."""
        data = self.cleaned_data
        labeled = {"yes": True, "no": False}.get(data.get("labeled_by_me") or "")
        below = data.get("agreement_below")
        return ArticleQuery(
            search=data.get("q") or "",
            status=data.get("status") or "",
            labeled_by_me=labeled,
            archived=bool(data.get("archived")),
            sort=data.get("sort") or DEFAULT_SORT,
            assigned_to=data.get("assigned_to") or None,
            agreement_below=None if below is None else below / 100,
        )

    def active(self) -> bool:
        """Whether any filter or search narrows the list."""
        return any(
            self.cleaned_data.get(name) not in (None, "", False)
            for name in self.fields
            if name != "sort"
        )

    def querystring(self, **overrides) -> str:
        """The form's valid values (and ``overrides``) as a query string, for page links."""
        values = {
            name: self.data.get(name, "")
            for name in self.fields
            if self.data.get(name) not in (None, "")
        }
        values.update({k: v for k, v in overrides.items() if v not in (None, "")})
        return urlencode(values)


def article_list_form(data, *, corpus, role: str, user) -> ArticleListForm:
    """The list's search and filters from ``data`` (a query string's QueryDict), for
    ``user`` with ``role`` in ``corpus``."""
    see_all = has_right(role, Right.SEE_ALL_LABELS)
    people = (
        [(m.user_id, m.user.get_username()) for m in corpus_members(corpus=corpus)]
        if see_all
        else []
    )
    return ArticleListForm(
        data,
        people=people,
        me=user if has_right(role, Right.LABEL) else None,
        see_all=see_all,
        manage=has_right(role, Right.MANAGE),
    )


def article_list_page(
    request: HttpRequest, corpus, form: ArticleListForm
) -> tuple[Page, list[Article], list[str]]:
    """(page, rows, errors): the page of the list the valid form asks for, with the
    caller's progress on each row; an invalid form shows the unfiltered list."""
    errors: list[str] = []
    query = ArticleQuery()
    if form.is_valid():
        query = form.query()
    else:
        errors = form.named_errors()
    try:
        listing = articles_listing(corpus=corpus, user=request.user, query=query)
    except ValidationError as exc:
        errors += exc.messages
        query = ArticleQuery()
        listing = articles_listing(corpus=corpus, user=request.user, query=query)
    page = articles_paginator_class(query)(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = articles_page_rows(corpus=corpus, ids=[a.pk for a in page], user=request.user)
    return page, rows, errors
