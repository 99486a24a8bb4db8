"""Labeling: set, change or clear my label on a sentence; its history; bulk writes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.api.errors import error_body
from annotator.api.pagination import HistoryPagination
from annotator.api.schema import errors
from annotator.api.serializers import (
    MAX_ID,
    CursorQuerySerializer,
    QuickValidation,
    validated,
)
from articles.access import sentence_for, sentence_for_labeling
from articles.api.errors import AnswersVersionConflicts
from articles.api.serializers import (
    AnnotationClearQuerySerializer,
    AnnotationEventSerializer,
    AnnotationSerializer,
    AnnotationWriteSerializer,
    BulkResponseSerializer,
    BulkSerializer,
    ConflictSerializer,
    annotation_data,
)
from articles.models import GoldEvent
from articles.selectors.history import corpus_gold_history, corpus_history, sentence_history
from articles.services.annotations import (
    annotation_clear,
    annotation_set,
    annotations_bulk_set,
)
from corpora.api.access import CorpusScopedView, CorpusSlugView
from corpora.permissions import Right
from corpora.selectors import label_keys

CONFLICT = OpenApiResponse(ConflictSerializer, description="Version conflict; `current` is stored.")


# Every label write reads its body here. The serializer cost about 0.1 ms of
# the write's 2.5-4 ms of server CPU; a body that plainly passes is read by
# the serializer's own fields' rules without building it (QuickValidation).
_write_body = QuickValidation(AnnotationWriteSerializer)


class SentenceAnnotationView(AnswersVersionConflicts, CorpusScopedView):
    rights = {"PUT": Right.LABEL, "DELETE": Right.LABEL}

    def resolve(self, request, right) -> None:
        if request.method == "PUT":
            # put() checks access in the same query that finds the label it names.
            return
        self.sentence, self.role = sentence_for(request.user, self.kwargs["pk"], right=right)

    @extend_schema(
        operation_id="sentences_annotation_update",
        summary="Set or change my label on a sentence (idempotent: a retry answers 200)",
        request=AnnotationWriteSerializer,
        responses={
            200: AnnotationSerializer,
            201: AnnotationSerializer,
            409: CONFLICT,
            **errors(400, 403, 404, 413),
        },
    )
    def put(self, request, pk: int):
        try:
            data = _write_body(request.data)
        except APIException:
            # An outsider learns nothing from a bad body: 404 (or 403) comes first.
            sentence_for(request.user, pk, right=self.rights["PUT"])
            raise
        sentence, self.role, label = sentence_for_labeling(
            request.user, pk, label_key=data["label"], right=self.rights["PUT"]
        )
        if label is None:
            keys = ", ".join(label_keys(corpus_id=sentence.article.corpus_id))
            raise ValidationError(
                {"label": f"No label {data['label']!r} in this corpus; use one of: {keys}."}
            )
        result = annotation_set(
            sentence=sentence,
            annotator=request.user,
            label=label,
            note=data["note"],
            source=data["source"],
            expected_version=data["version"],
            suggested_by=data["suggestion"],
        )
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(annotation_data(result.annotation), status=code)

    @extend_schema(
        operation_id="sentences_annotation_destroy",
        summary="Clear my label on a sentence (the history keeps it)",
        parameters=[AnnotationClearQuerySerializer],
        responses={204: None, 409: CONFLICT, **errors(400, 403, 404)},
    )
    def delete(self, request, pk: int):
        query = validated(AnnotationClearQuerySerializer, request.query_params)
        annotation_clear(
            sentence=self.sentence, annotator=request.user, expected_version=query["version"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class SentenceHistoryView(CorpusScopedView):
    rights = {"GET": Right.VIEW}

    def resolve(self, request, right) -> None:
        self.sentence, self.role = sentence_for(request.user, self.kwargs["pk"], right=right)

    @extend_schema(
        operation_id="sentences_history_list",
        summary="Every change to the labels on a sentence, oldest first "
        "(annotators see their own only)",
        responses={200: AnnotationEventSerializer(many=True), **errors(404)},
    )
    def get(self, request, pk: int):
        events = sentence_history(sentence=self.sentence, user=request.user, role=self.role)
        return Response(AnnotationEventSerializer(events, many=True).data)


class CorpusHistoryEventSerializer(AnnotationEventSerializer):
    sentence = serializers.IntegerField(
        source="sentence_id",
        allow_null=True,
        help_text="Null once a change of boundaries removed the sentence (the event stays).",
    )
    article = serializers.IntegerField(source="article_id")

    class Meta(AnnotationEventSerializer.Meta):
        fields = ["id", "sentence", "article", *AnnotationEventSerializer.Meta.fields]


class CorpusHistoryQuerySerializer(CursorQuerySerializer):
    since = serializers.DateTimeField(required=False, help_text="Changes at or after this time.")
    annotator = serializers.CharField(required=False, max_length=150, help_text="A username.")


class CorpusHistoryPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CorpusHistoryEventSerializer(many=True)


class CorpusHistoryView(CorpusSlugView):
    rights = {"GET": Right.VIEW}

    @extend_schema(
        operation_id="corpora_history_list",
        summary="Every label change in the corpus, oldest first (annotators: their own)",
        parameters=[CorpusHistoryQuerySerializer],
        responses={200: CorpusHistoryPageSerializer, **errors(400, 404)},
    )
    def get(self, request, slug: str):
        query = validated(CorpusHistoryQuerySerializer, request.query_params)
        events = corpus_history(
            corpus=self.corpus,
            user=request.user,
            role=self.role,
            since=query.get("since"),
            annotator_username=query.get("annotator"),
        )
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(CorpusHistoryEventSerializer(page, many=True).data)


class GoldEventSerializer(serializers.ModelSerializer):
    sentence = serializers.IntegerField(
        source="sentence_id",
        allow_null=True,
        help_text="Null once the sentence was deleted (re-segmented); its offsets and text stay.",
    )
    article = serializers.IntegerField(source="article_id")
    decided_by = serializers.CharField(source="decided_by.get_username")

    class Meta:
        model = GoldEvent
        fields = [
            "id", "sentence", "article", "sentence_start", "sentence_end", "sentence_text",
            "action", "old_label", "old_origin", "old_note", "old_source", "new_label",
            "new_note", "new_source", "decided_by", "at",
        ]  # fmt: skip


class GoldHistoryQuerySerializer(CursorQuerySerializer):
    since = serializers.DateTimeField(required=False, help_text="Decisions at or after this time.")
    reviewer = serializers.CharField(required=False, max_length=150, help_text="A username.")
    sentence = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="One sentence's decisions."
    )


class GoldHistoryPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = GoldEventSerializer(many=True)


class CorpusGoldHistoryView(CorpusSlugView):
    rights = {"GET": Right.SEE_ALL_LABELS}

    @extend_schema(
        operation_id="corpora_gold_history_list",
        summary="Every reviewer's gold decision and withdrawal in the corpus, oldest first "
        "(owners, reviewers, viewers)",
        parameters=[GoldHistoryQuerySerializer],
        responses={200: GoldHistoryPageSerializer, **errors(400, 403, 404)},
    )
    def get(self, request, slug: str):
        query = validated(GoldHistoryQuerySerializer, request.query_params)
        events = corpus_gold_history(
            corpus=self.corpus,
            since=query.get("since"),
            reviewer_username=query.get("reviewer"),
            sentence_id=query.get("sentence"),
        )
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(GoldEventSerializer(page, many=True).data)


class BulkConflictSerializer(ConflictSerializer):
    conflicts = serializers.ListField(child=serializers.DictField())


class AnnotationBulkView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="annotations_bulk_create",
        summary="Set many of my labels at once (pre-annotations); all or nothing",
        description="Each sentence must belong to a corpus where you may label. Omit an "
        "item's `version` to overwrite whatever is stored. Any invalid item, or any version "
        "conflict, leaves every label as it was.",
        request=BulkSerializer,
        responses={
            200: BulkResponseSerializer,
            409: OpenApiResponse(BulkConflictSerializer, description="Version conflicts."),
            **errors(400, 403, 404, 413),
        },
    )
    def post(self, request):
        items = validated(BulkSerializer, request.data)["annotations"]
        outcome = annotations_bulk_set(annotator=request.user, items=items)
        if outcome.conflicts:
            body = error_body(
                "version_conflict",
                f"{len(outcome.conflicts)} label(s) changed since the versions you sent; nothing "
                "was written. Reload them, or omit `version` to overwrite.",
            )
            body["current"] = None
            body["conflicts"] = [
                {
                    "index": conflict.index,
                    "sentence": conflict.sentence.pk,
                    "current": AnnotationSerializer(conflict.current).data
                    if conflict.current
                    else None,
                }
                for conflict in outcome.conflicts
            ]
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(
            {
                "results": [
                    {
                        "sentence": sentence.pk,
                        "result": "created"
                        if result.created
                        else "changed"
                        if result.changed
                        else "unchanged",
                        "annotation": annotation_data(result.annotation),
                    }
                    for sentence, result in outcome.results
                ]
            }
        )
