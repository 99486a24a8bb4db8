"""Datasets for API clients: a filtered, cursor-paginated listing and streamed exports."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from annotator.api.pagination import DatasetCursorPagination
from annotator.api.schema import errors
from annotator.api.serializers import validated
from corpora.api.access import CorpusSlugView
from corpora.permissions import Right, corpus_for
from datasets.api.serializers import DatasetPageSerializer, DatasetQuerySerializer
from datasets.export import export_csv, export_jsonl, export_parquet
from datasets.selectors import dataset_listing, dataset_rows, dataset_scope


class DatasetSentencesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="datasets_sentences_list",
        summary="Sentences with their labels, filtered, in stable cursor pages",
        description="Rows follow sentence id. Annotators get their own labels only and no "
        "gold; owners, reviewers and viewers get everyone's. For incremental sync, pass "
        "`changed_since` the time of your last sync: sentences whose labels were set, "
        "changed or cleared since come back (a cleared label shows as a missing annotation).",
        parameters=[DatasetQuerySerializer],
        responses={200: DatasetPageSerializer, **errors(400, 404)},
    )
    def get(self, request):
        query = validated(DatasetQuerySerializer, request.query_params)
        corpus_id = None
        if query.get("corpus"):
            corpus, _ = corpus_for(request.user, slug=query["corpus"], right=Right.VIEW)
            corpus_id = corpus.pk
        listing = dataset_listing(
            user=request.user,
            corpus_id=corpus_id,
            annotator=query.get("annotator"),
            article_id=query.get("article"),
            label=query.get("label"),
            changed_since=query.get("changed_since"),
            gold=query.get("gold"),
            kind=query.get("kind"),
            older_guidelines=query.get("older_guidelines"),
        )
        # DRF's keyset paginator reads its cursor from the request and writes the links.
        paginator = DatasetCursorPagination()
        page = paginator.paginate_queryset(listing.sentences, request, view=self)
        rows = dataset_rows(sentence_ids=[s.pk for s in page], scope=listing.scope)
        return paginator.get_paginated_response(rows)


class CorpusExportView(CorpusSlugView):
    rights = {"GET": Right.VIEW}
    fmt = "jsonl"

    @extend_schema(
        summary="The whole corpus, streamed (JSONL: one dataset row per line; CSV: one line "
        "per sentence and annotation; Parquet: one row per sentence, a row group per 2,000)",
        description="A consistent snapshot in a deterministic order: the same data gives the "
        "same bytes. Annotators get their own labels only. The JSONL ends with the line "
        '`{"export":{"complete":true,"rows":N}}`, the CSV with `#export complete rows=N` '
        "(N data lines): a file without it was cut short. A Parquet file cut short has "
        "no footer and does not open.",
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
            (200, "application/vnd.apache.parquet"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(404),
        },
    )
    def get(self, request, slug: str):
        if self.fmt not in ("jsonl", "csv", "parquet"):  # pragma: no cover - fixed by the urls
            raise NotFound("Export as .jsonl, .csv or .parquet.")
        scope = dataset_scope(user=request.user, corpus_id=self.corpus.pk)
        if self.fmt == "jsonl":
            stream = export_jsonl(corpus_id=self.corpus.pk, scope=scope)
            content_type = "application/x-ndjson; charset=utf-8"
        elif self.fmt == "parquet":
            stream = export_parquet(corpus_id=self.corpus.pk, scope=scope)
            content_type = "application/vnd.apache.parquet"
        else:
            stream = export_csv(corpus_id=self.corpus.pk, scope=scope)
            content_type = "text/csv; charset=utf-8"
        response = StreamingHttpResponse(stream, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.corpus.slug}.{self.fmt}"'
        response["Cache-Control"] = "no-store"
        return response
