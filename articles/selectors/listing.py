"""The corpus's article list: search, filters and sort, read a page at a time.

One query builds the filtered, sorted list (``articles_listing``); the page's
own rows get the caller's progress in a second query (``articles_page_rows``),
so the counts are computed for 50 articles, never for the whole corpus.

Search looks for the words in the title, author, outlet and body. On
PostgreSQL it uses the indexes made by migration ``articles.0003``: trigram
GIN indexes for the substring match in the three short fields, and a
full-text GIN index over the generated column ``text_search``
(``to_tsvector('simple', text)``) for the body (every
word of the query must occur in the body, whole words, no stemming); a
search shorter than three characters matches whole words of the body only,
as no index finds it inside a field. SQLite
has neither and matches the query as a substring of each field instead.

Two filters need data that belongs to a feature app above this one: who an
article is assigned to and its stored agreement (both in ``review``). The core
never imports a feature app, so the feature registers a filter here by name
when it starts (``article_filter_register``, called from ``review/apps.py``),
as it connects to ``articles.signals.labels_changed``: the registry is filled
once at start-up, the same in every process, and holds no request state. A
filter nobody registered is refused with a message (docs/architecture.md,
"The article list").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import OrderBy
from django.utils.functional import cached_property

from articles.models import Article, ArticleLabelCount
from articles.selectors.progress import articles_with_progress
from corpora.models import Corpus

# sort name -> ORDER BY; every order ends with the id so pages never overlap, and
# articles without a date come last either way (as on both databases).
SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "created": ("pk",),
    "-created": ("-pk",),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "published_on": (F("published_on").asc(nulls_last=True), "pk"),
    "-published_on": (F("published_on").desc(nulls_last=True), "-pk"),
}
SORT_LABELS = {
    "created": "Oldest first",
    "-created": "Newest first",
    "title": "Title, A to Z",
    "-title": "Title, Z to A",
    "published_on": "Published, oldest first",
    "-published_on": "Published, newest first",
}
DEFAULT_SORT = "created"
# The shortest search matched anywhere in title, author and outlet on PostgreSQL;
# a shorter one matches whole words of the text only.
TRIGRAM = 3
# A search's matches are counted up to this many; past it the list says "more
# than" (counting every article a common word matches reads every article).
SEARCH_COUNT_CAP = 10_000
# "Labeled by me" reads the caller's fully labeled articles once as a list of ids
# when there are at most this many (see _labeled_by).
LABELED_IDS_INLINE = 10_000

# Filters a feature app provides: name -> (articles, corpus, value) -> articles.
ArticleFilter = Callable[[QuerySet[Article], Corpus, Any], QuerySet[Article]]
FEATURE_FILTERS = ("assigned_to", "agreement_below")
_registered: dict[str, ArticleFilter] = {}


def article_filter_register(name: str, apply: ArticleFilter) -> None:
    """A feature app provides the list's filter ``name`` (one of ``FEATURE_FILTERS``)."""
    if name not in FEATURE_FILTERS:
        raise ValueError(f"No article list filter is called {name!r}.")
    _registered[name] = apply


def article_filter_available(name: str) -> bool:
    return name in _registered


@dataclass(frozen=True)
class ArticleQuery:
    """What the caller asked the list for; empty values filter nothing."""

    search: str = ""
    status: str = ""
    labeled_by_me: bool | None = None
    archived: bool = False
    sort: str = DEFAULT_SORT
    # Feature filters (see FEATURE_FILTERS): a member's user id or "none"; 0 to 1.
    assigned_to: int | str | None = None
    agreement_below: float | None = None

    def feature_filters(self) -> dict[str, Any]:
        return {
            name: getattr(self, name)
            for name in FEATURE_FILTERS
            if getattr(self, name) not in (None, "")
        }


class BodyMatches(Func):
    """``text_search @@ plainto_tsquery('simple', query)``: the body's words, a
    generated column PostgreSQL keeps (``to_tsvector('simple', text)``) with its
    GIN index ``article_text_fts`` (migration articles.0003).

    The model cannot declare the column (SQLite has no tsvector), so the
    expression is given the ``text`` column, which Django qualifies with
    whatever alias the query uses for the table, and names its sibling.
    """

    output_field = BooleanField()

    def as_sql(
        self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context
    ):
        text_sql, text_params = compiler.compile(self.source_expressions[0])
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        quoted_text = connection.ops.quote_name("text")
        if not text_sql.endswith(quoted_text):
            raise ValueError(f"BodyMatches needs the article's text column, not {text_sql}")
        column = text_sql[: -len(quoted_text)] + connection.ops.quote_name("text_search")
        return (
            f"{column} @@ plainto_tsquery('simple'::regconfig, {query_sql})",
            (*text_params, *query_params),
        )


class IdAmong(Func):
    """``id = ANY(%s)``: the article's id among ``ids``, sent as one array
    (``id <> ALL(%s)`` with ``among=False``: PostgreSQL hashes the array for
    both, where ``NOT (id = ANY(...))`` compared each row with every id).

    ``pk__in`` writes one placeholder per id: for the 2,000 ids of "labeled by
    me" Django compiled and quoted each of them twice a request (the count and
    the page), some 15 ms of the web process's CPU time, and PostgreSQL planned
    two 2,000-item lists (bench/article_list.py). PostgreSQL only; elsewhere the
    list's filters use ``pk__in``.
    """

    output_field = BooleanField()

    def __init__(self, column: str, ids: list[int], *, among: bool = True) -> None:
        super().__init__(F(column))
        self.ids = ids
        self.among = among

    def as_sql(
        self, compiler, connection, function=None, template=None, arg_joiner=None, **extra_context
    ):
        column = self.source_expressions[0]
        column_sql, column_params = compiler.compile(column)
        test = "= ANY" if self.among else "<> ALL"
        # The array in the column's own type: PostgreSQL hashes the ids only when
        # both sides have one type (an integer[] against bigint ids was compared
        # id by id, a second for "not labeled by me").
        array = f"%s::{column.output_field.db_type(connection)}[]"
        return f"{column_sql} {test}({array})", (*column_params, self.ids)


def _among(ids: QuerySet | list[int], *, among: bool = True) -> Q:
    """The articles whose id is (``among``) or is not in ``ids`` (a list of ids or a
    subquery)."""
    if isinstance(ids, list) and connection.vendor == "postgresql":
        return Q(IdAmong("pk", ids, among=among))
    return Q(pk__in=ids) if among else ~Q(pk__in=ids)


def _search(articles: QuerySet[Article], words: str) -> QuerySet[Article]:
    """Articles with ``words`` in their title, author, outlet or body.

    One OR over the fields: for a rare word PostgreSQL ORs the four indexes,
    for a common one it walks the list in order and stops at the page's end.
    The body's words are a stored column, so rechecking a candidate costs no
    new tsvector (an expression index had each one computed again: over a
    minute for a common word on 100,000 articles, bench/article_list.py).
    """
    if connection.vendor != "postgresql":
        return articles.filter(
            Q(title__icontains=words)
            | Q(author__icontains=words)
            | Q(outlet__icontains=words)
            | Q(text__icontains=words)
        )
    body = Q(BodyMatches("text", Value(words)))
    if len(words) < TRIGRAM:
        # A trigram index cannot find fewer than three characters anywhere in a
        # field; scanning every title instead took seconds on 100,000 articles.
        return articles.filter(body)
    return articles.filter(
        Q(title__icontains=words) | Q(author__icontains=words) | Q(outlet__icontains=words) | body
    )


def _labeled_by(user, corpus: Corpus) -> QuerySet | list[int]:
    """Ids of the corpus's articles with labelable sentences, every one of them labeled
    by ``user``.

    Read from the user's own labeled counts (``ArticleLabelCount``, one row per
    article they labeled in), each compared with its article's labelable
    count: its cost follows how many articles they labeled in, not how many
    labels (walking each label to its article and each sentence of those
    articles cost 100-200 ms for 20,000 labels, bench/article_list.py).

    Read once, as a list of ids, when there are up to ``LABELED_IDS_INLINE``:
    as a subquery PostgreSQL computed the set twice for each page (the count
    and the page's rows). Past that many, the subquery.
    """
    labeled = (
        ArticleLabelCount.objects.filter(
            annotator=user,
            article__corpus=corpus,
            labeled__gt=0,
            labeled=F("article__labelable_count"),
        )
        .order_by()
        .values_list("article_id", flat=True)
    )
    ids = list(labeled[: LABELED_IDS_INLINE + 1])
    return ids if len(ids) <= LABELED_IDS_INLINE else labeled


def articles_listing(*, corpus: Corpus, user, query: ArticleQuery) -> QuerySet[Article]:
    """The corpus's articles matching ``query``, in its order: ids only (a page's
    rows come from ``articles_page_rows``).

    Raises ValidationError naming the field for a sort or filter it cannot apply.
    """
    if query.sort not in SORTS:
        raise ValidationError({"sort": f"Sort by one of: {', '.join(SORTS)}."})
    articles: QuerySet[Article] = Article.objects.filter(corpus=corpus, archived=query.archived)
    if query.status:
        articles = articles.filter(status=query.status)
    if query.search.strip():
        articles = _search(articles, query.search.strip())
    if query.labeled_by_me is True:
        articles = articles.filter(_among(_labeled_by(user, corpus)))
    elif query.labeled_by_me is False:
        articles = articles.filter(_among(_labeled_by(user, corpus), among=False))
    for name, value in query.feature_filters().items():
        apply = _registered.get(name)
        if apply is None:
            raise ValidationError({name: "This filter is not available on this server."})
        articles = apply(articles, corpus, value)
    return articles.order_by(*SORTS[query.sort]).only("pk")


def articles_page_rows(*, corpus: Corpus, ids: list[int], user) -> list[Article]:
    """The articles ``ids`` (a page of the list), each with ``sentence_count`` and the
    user's ``labeled_count``, in the order of ``ids``: one query for the page."""
    if not ids:
        return []
    counted = {
        a.pk: a
        for a in articles_with_progress(corpus, user)
        .filter(pk__in=ids)
        .select_related("corpus")
        .defer(None)
        .defer("text")
    }
    return [counted[pk] for pk in ids if pk in counted]


class ListedArticle(NamedTuple):
    """An article of a search's page: its id (the page's rows come from
    ``articles_page_rows``)."""

    pk: int


class CappedCountPaginator(Paginator):
    """Django's paginator for a search: the matches' ids in the list's order, up to
    ``SEARCH_COUNT_CAP`` + 1, read in one query, give the count and every page;
    ``capped`` says there are more than ``SEARCH_COUNT_CAP`` (the pages then end
    after SEARCH_COUNT_CAP + 1 articles: narrow the search to see the rest).

    One query instead of a capped count and a page: the search's candidates were
    found and tested twice a request (a word with a member's assignments and a
    sort: 54 ms each on 100,000 articles, bench/article_list.py). Up to 10,001
    ids cost the web process a few milliseconds.
    """

    @cached_property
    def matching_ids(self) -> list[int]:
        first = self.object_list.values_list("pk", flat=True)[: SEARCH_COUNT_CAP + 1]  # type: ignore[attr-defined]
        return list(first)

    @cached_property
    def count(self) -> int:
        counted = len(self.matching_ids)
        self.capped = counted > SEARCH_COUNT_CAP
        return counted

    capped = False

    def page(self, number) -> Page:
        # Django's bounds; the rows come from the ids already read (the queryset
        # slice Django makes is never run).
        page = super().page(number)
        first = max(page.start_index() - 1, 0)
        page.object_list = [ListedArticle(pk) for pk in self.matching_ids[first : page.end_index()]]
        return page


def articles_paginator_class(query: ArticleQuery) -> type[Paginator]:
    """The paginator for ``query``'s list: a search counts up to a cap."""
    return CappedCountPaginator if query.search.strip() else Paginator
