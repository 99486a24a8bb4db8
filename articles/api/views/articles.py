"""Articles: a corpus's list (with the caller's progress), import from JSON, detail."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from annotator.api.conflicts import StateConflict, state_conflict_response
from annotator.api.pagination import ArticlePagination
from annotator.api.schema import errors
from annotator.api.serializers import validated
from articles.access import article_for
from articles.api.serializers import (
    ArticleCreateSerializer,
    ArticleDetailSerializer,
    ArticleListQuerySerializer,
    ArticleMetadataSerializer,
    ArticlePageSerializer,
    ArticleSerializer,
)
from articles.selectors.articles import article_detail
from articles.selectors.listing import (
    ArticleQuery,
    articles_listing,
    articles_page_rows,
    articles_paginator_class,
)
from articles.services.articles import article_create, article_retry, article_update
from corpora.api.access import CorpusScopedView, CorpusSlugView
from corpora.permissions import Right


class CorpusArticlesView(CorpusSlugView):
    rights = {"GET": Right.VIEW, "POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_articles_list",
        summary="The corpus's articles, searched, filtered and sorted, a page at a time, "
        "with your labeled/total sentence counts",
        parameters=[ArticleListQuerySerializer],
        responses={200: ArticlePageSerializer, **errors(400, 404)},
    )
    def get(self, request, slug: str):
        query = validated(ArticleListQuerySerializer, request.query_params)
        for name in ("page", "page_size"):  # read by the paginator
            query.pop(name, None)
        wanted = ArticleQuery(**query)
        articles = articles_listing(corpus=self.corpus, user=request.user, query=wanted)
        paginator = ArticlePagination(articles_paginator_class(wanted))
        page = paginator.paginate_queryset(articles, request, view=self) or []
        rows = articles_page_rows(corpus=self.corpus, ids=[a.pk for a in page], user=request.user)
        return paginator.get_paginated_response(ArticleSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="corpora_articles_create",
        summary="Import an article from its text and metadata; it is segmented in the background",
        request=ArticleCreateSerializer,
        responses={
            201: ArticleDetailSerializer,
            409: state_conflict_response("The corpus already holds this text (a duplicate)."),
            **errors(400, 403, 404, 413),
        },
    )
    def post(self, request, slug: str):
        data = validated(ArticleCreateSerializer, request.data)
        try:
            article = article_create(corpus=self.corpus, **data)
        except ValidationError as exc:
            texts = getattr(exc, "error_dict", {}).get("text", [])
            duplicate = [e for e in texts if e.code == "duplicate"]
            if duplicate:  # the request is fine; the corpus already holds the text
                raise StateConflict(duplicate[0].message) from None
            raise
        body = article_detail(article=article, user=request.user)
        return Response(ArticleDetailSerializer(body).data, status=status.HTTP_201_CREATED)


class ArticleDetailView(CorpusScopedView):
    rights = {"GET": Right.VIEW, "PATCH": Right.MANAGE}

    def resolve(self, request, right) -> None:
        self.article, self.role = article_for(request.user, self.kwargs["pk"], right=right)

    @extend_schema(
        operation_id="articles_retrieve",
        summary="An article with its sentences and your label on each",
        responses={200: ArticleDetailSerializer, **errors(404)},
    )
    def get(self, request, pk: int):
        body = article_detail(article=self.article, user=request.user)
        return Response(ArticleDetailSerializer(body).data)

    @extend_schema(
        operation_id="articles_update",
        summary="Change an article's metadata, or archive it (owners)",
        description="Changes only the fields sent: title, author, outlet, source_url, "
        "published_on, and archived (an archived article leaves the article list, "
        "assignment, next article and every export; its sentences and labels are kept). "
        "The text cannot change.",
        request=ArticleMetadataSerializer,
        responses={200: ArticleDetailSerializer, **errors(400, 403, 404, 413)},
    )
    def patch(self, request, pk: int):
        data = validated(ArticleMetadataSerializer, request.data)
        article_update(article=self.article, **data)
        self.article.refresh_from_db()
        body = article_detail(article=self.article, user=request.user)
        return Response(ArticleDetailSerializer(body).data)


class ArticleRetryView(CorpusScopedView):
    rights = {"POST": Right.MANAGE}

    def resolve(self, request, right) -> None:
        self.article, self.role = article_for(request.user, self.kwargs["pk"], right=right)

    @extend_schema(
        operation_id="articles_retry",
        summary="Segment a failed article again (owners)",
        description="For an article whose segmentation failed (its `failure_reason` says why, "
        "e.g. a time limit or a worker lost too many times): queues it again with a fresh "
        "attempt count. Answers 202; poll GET /api/articles/{id}/.",
        request=None,
        responses={
            202: ArticleDetailSerializer,
            409: state_conflict_response(
                "The article has not failed (it is pending, segmenting or ready)."
            ),
            **errors(403, 404),
        },
    )
    def post(self, request, pk: int):
        if not article_retry(article=self.article):
            self.article.refresh_from_db(fields=["status"])
            raise StateConflict(
                f"Only a failed article can be tried again; this one is {self.article.status}."
            )
        self.article.refresh_from_db()
        body = article_detail(article=self.article, user=request.user)
        return Response(ArticleDetailSerializer(body).data, status=status.HTTP_202_ACCEPTED)
