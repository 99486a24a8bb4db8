"""An article's sentences a page at a time: how a client holds a huge article.

The labeling screen renders a window of a long article and asks here for the
sentences before and after it as the analyst moves.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from annotator.api.schema import errors
from annotator.api.serializers import validated
from articles.access import article_for
from articles.api.serializers import SentenceSerializer
from articles.selectors.articles import SENTENCE_PAGE_MAX, article_sentences_page
from corpora.api.access import CorpusScopedView
from corpora.permissions import Right

# Sentence indexes are below the article's character limit; anything larger
# matches nothing, so it is refused as a mistake rather than answered empty.
MAX_OFFSET = 2_147_483_647
DEFAULT_LIMIT = 200


class SentencePageQuerySerializer(serializers.Serializer):
    offset = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=MAX_OFFSET,
        help_text="Index of the first sentence to return (indexes run from 0 without gaps).",
    )
    limit = serializers.IntegerField(
        required=False,
        default=DEFAULT_LIMIT,
        min_value=1,
        max_value=SENTENCE_PAGE_MAX,
        help_text=f"Up to {SENTENCE_PAGE_MAX}; {DEFAULT_LIMIT} by default.",
    )
    unlabeled = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only labelable sentences (not headings) you have not labeled.",
    )


class SentencePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Sentences in the article (headings included).")
    offset = serializers.IntegerField()
    results = SentenceSerializer(many=True)


class ArticleSentencesView(CorpusScopedView):
    rights = {"GET": Right.VIEW}

    def resolve(self, request, right) -> None:
        self.article, self.role = article_for(request.user, self.kwargs["pk"], right=right)

    @extend_schema(
        operation_id="articles_sentences_list",
        summary="A page of an article's sentences, from an index on, with your label on each",
        description="For articles too long to take whole from GET /api/articles/{id}/: "
        "`offset` is the index of the first sentence returned (indexes run from 0 without "
        "gaps, so the next page starts at the last index + 1) and `count` the number of "
        "sentences in the article. With `unlabeled=true` only labelable sentences you have "
        "not labeled are returned, from `offset` on (`limit=1`: the next one to label).",
        parameters=[SentencePageQuerySerializer],
        responses={200: SentencePageSerializer, **errors(400, 404)},
    )
    def get(self, request, pk: int):
        query = validated(SentencePageQuerySerializer, request.query_params)
        body = article_sentences_page(article=self.article, user=request.user, **query)
        return Response(SentencePageSerializer(body).data)
