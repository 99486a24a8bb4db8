"""Labeling: set, change or clear my label on a sentence; its history; bulk writes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.api.errors import error_body
from annotator.api.schema import errors
from annotator.api.serializers import MAX_VERSION, validated
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
from articles.exceptions import VersionConflict
from articles.models import AnnotationEvent, Sentence
from articles.services.annotations import (
    MAX_NOTE_CHARS,
    MAX_SOURCE_CHARS,
    annotation_clear,
    annotation_set,
)
from corpora.api.access import CorpusScopedView, CorpusSlugView
from corpora.models import Label
from corpora.permissions import Right, corpus_roles, has_right, require_right

CONFLICT = OpenApiResponse(ConflictSerializer, description="Version conflict; `current` is stored.")


def _label_in(corpus_id: int, key: str) -> Label:
    label = next(iter(Label.objects.filter(corpus_id=corpus_id, key=key).order_by()[:1]), None)
    if label is None:
        keys = ", ".join(Label.objects.filter(corpus_id=corpus_id).values_list("key", flat=True))
        raise ValidationError({"label": f"No label {key!r} in this corpus; use one of: {keys}."})
    return label


_WRITE_LIMITS = {"label": 40, "note": MAX_NOTE_CHARS, "source": MAX_SOURCE_CHARS}


def _write_body(data) -> dict:
    """The PUT body as AnnotationWriteSerializer would validate it.

    Every label write goes through here, and the serializer costs a fifth of
    the write's Python time, so a body that plainly passes (the right keys,
    strings within their limits, a whole version in range) is taken as is,
    trimmed as DRF trims. Anything else goes to the serializer, which gives the
    same errors as ever.
    """
    if (
        isinstance(data, dict)
        and "label" in data
        and type(data.get("version")) is int
        and 0 <= data["version"] <= MAX_VERSION
        and data.keys() <= {"label", "note", "source", "version"}
    ):
        body = {"version": data["version"]}
        for name, limit in _WRITE_LIMITS.items():
            value = data.get(name, "")
            if type(value) is not str or "\x00" in value:
                break
            value = value.strip()
            if len(value) > limit or (name == "label" and not value):
                break
            body[name] = value
        else:
            return body
    return validated(AnnotationWriteSerializer, data)


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
            _label_in(sentence.article.corpus_id, data["label"])  # raises, naming the keys
        result = annotation_set(
            sentence=sentence,
            annotator=request.user,
            label=label,
            note=data["note"],
            source=data["source"],
            expected_version=data["version"],
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
        events = AnnotationEvent.objects.filter(sentence=self.sentence).select_related(
            "changed_by", "annotator"
        )
        if not has_right(self.role, Right.SEE_ALL_LABELS):
            events = events.filter(annotator=request.user)
        return Response(AnnotationEventSerializer(events.order_by("at", "pk"), many=True).data)


class CorpusHistoryEventSerializer(AnnotationEventSerializer):
    sentence = serializers.IntegerField(source="sentence_id")
    article = serializers.IntegerField(source="sentence.article_id")

    class Meta(AnnotationEventSerializer.Meta):
        fields = ["id", "sentence", "article", *AnnotationEventSerializer.Meta.fields]


class CorpusHistoryQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(required=False, help_text="Changes at or after this time.")
    annotator = serializers.CharField(required=False, max_length=150, help_text="A username.")


class CorpusHistoryPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CorpusHistoryEventSerializer(many=True)


class HistoryPagination(CursorPagination):
    ordering = "pk"
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 2000


class CorpusHistoryView(CorpusSlugView):
    rights = {"GET": Right.VIEW}

    @extend_schema(
        operation_id="corpora_history_list",
        summary="Every label change in the corpus, oldest first (annotators: their own)",
        parameters=[
            CorpusHistoryQuerySerializer,
            OpenApiParameter("cursor", str, description="From the previous page's `next`."),
            OpenApiParameter("page_size", int, description="Up to 2000; 200 by default."),
        ],
        responses={200: CorpusHistoryPageSerializer, **errors(400, 404)},
    )
    def get(self, request, slug: str):
        query = validated(CorpusHistoryQuerySerializer, request.query_params)
        events = AnnotationEvent.objects.filter(
            sentence__article__corpus=self.corpus
        ).select_related("changed_by", "annotator", "sentence")
        if not has_right(self.role, Right.SEE_ALL_LABELS):
            events = events.filter(annotator=request.user)
        if query.get("since"):
            events = events.filter(at__gte=query["since"])
        if query.get("annotator"):
            events = events.filter(annotator__username=query["annotator"])
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(events, request, view=self)
        return paginator.get_paginated_response(CorpusHistoryEventSerializer(page, many=True).data)


class BulkConflictSerializer(ConflictSerializer):
    conflicts = serializers.ListField(child=serializers.DictField())


class _BulkConflicts(Exception):
    def __init__(self, conflicts: list[dict]) -> None:
        self.conflicts = conflicts


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
        sentences = self._sentences(request.user, items)
        labels = {
            (label.corpus_id, label.key): label
            for label in Label.objects.filter(
                corpus_id__in={s.article.corpus_id for s in sentences.values()}
            )
        }
        try:
            with transaction.atomic():
                results = self._write(request.user, items, sentences, labels)
        except _BulkConflicts as exc:
            body = error_body(
                "version_conflict",
                f"{len(exc.conflicts)} label(s) changed since the versions you sent; nothing "
                "was written. Reload them, or omit `version` to overwrite.",
            )
            body["current"] = None
            body["conflicts"] = exc.conflicts
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response({"results": results})

    def _sentences(self, user, items) -> dict[int, Sentence]:
        ids = [item["sentence"] for item in items]
        seen: set[int] = set()
        for i, pk in enumerate(ids):
            if pk in seen:
                raise ValidationError(
                    {f"annotations[{i}].sentence": f"Sentence {pk} appears twice; send it once."}
                )
            seen.add(pk)
        roles = corpus_roles(user)
        found = {
            s.pk: s
            for s in Sentence.objects.filter(
                pk__in=ids, article__corpus_id__in=list(roles)
            ).select_related("article__corpus")
        }
        missing = [pk for pk in ids if pk not in found]
        if missing:
            shown = ", ".join(str(pk) for pk in missing[:10])
            raise NotFound(f"No such sentence(s): {shown}.")
        for sentence in found.values():
            try:
                require_right(roles[sentence.article.corpus_id], Right.LABEL)
            except Exception as exc:
                raise PermissionDenied(f"Sentence {sentence.pk}: {exc}") from None
        return found

    def _write(self, user, items, sentences, labels) -> list[dict]:
        results, conflicts = [], []
        for i, item in enumerate(items):
            sentence = sentences[item["sentence"]]
            label = labels.get((sentence.article.corpus_id, item["label"]))
            if label is None:
                raise ValidationError(
                    {f"annotations[{i}].label": f"No label {item['label']!r} in this corpus."}
                )
            try:
                result = annotation_set(
                    sentence=sentence,
                    annotator=user,
                    label=label,
                    note=item["note"],
                    source=item["source"],
                    expected_version=item["version"],
                )
            except ValidationError as exc:
                fields = getattr(exc, "message_dict", {"sentence": exc.messages})
                raise ValidationError(
                    {f"annotations[{i}].{name}": msgs for name, msgs in fields.items()}
                ) from None
            except VersionConflict as exc:
                current = exc.current
                conflicts.append(
                    {
                        "index": i,
                        "sentence": sentence.pk,
                        "current": AnnotationSerializer(current).data if current else None,
                    }
                )
                continue
            outcome = "created" if result.created else "changed" if result.changed else "unchanged"
            results.append(
                {
                    "sentence": sentence.pk,
                    "result": outcome,
                    "annotation": annotation_data(result.annotation),
                }
            )
        if conflicts:
            raise _BulkConflicts(conflicts)
        return results
