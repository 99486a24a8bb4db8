"""Shapes of articles, sentences, labels and their history in the API.

Thin: rules live in services.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from rest_framework import serializers

from annotator.api.serializers import (
    BULK_MAX_ITEMS,
    MAX_ID,
    MAX_VERSION,
    ErrorSerializer,
    HttpUrlTextField,
    QuerySerializer,
    StrictSerializer,
)
from articles.models import Annotation, AnnotationEvent, Article, Sentence
from articles.services.annotations import MAX_NOTE_CHARS, MAX_SOURCE_CHARS


class ArticleSerializer(serializers.ModelSerializer):
    corpus = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sentence_count = serializers.IntegerField(help_text="Labelable sentences (not headings).")
    labeled_count = serializers.IntegerField(help_text="Of those, how many the caller labeled.")

    class Meta:
        model = Article
        fields = [
            "id", "corpus", "title", "author", "outlet", "source_url", "published_on", "status",
            "failure_reason", "attempts", "created_at", "sentence_count", "labeled_count",
        ]  # fmt: skip


class ArticlePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ArticleSerializer(many=True)


class MyAnnotationSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The label's key.")
    note = serializers.CharField()
    source = serializers.CharField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class SentenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    index = serializers.IntegerField()
    start = serializers.IntegerField(
        help_text="Offset of the first character in the text, in Unicode code points "
        "(Python's str index)."
    )
    end = serializers.IntegerField(help_text="Offset after the last character, in code points.")
    start_utf16 = serializers.IntegerField(
        help_text="start in UTF-16 code units (JavaScript's string index): a character "
        "outside the Basic Multilingual Plane, such as an emoji, counts two."
    )
    end_utf16 = serializers.IntegerField(help_text="end in UTF-16 code units.")
    paragraph = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Sentence.Kind.values)
    text = serializers.CharField()
    my_annotation = MyAnnotationSerializer(allow_null=True)


class ArticleDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    corpus = serializers.SlugField()
    title = serializers.CharField()
    author = serializers.CharField()
    outlet = serializers.CharField()
    source_url = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=Article.Status.values)
    failure_reason = serializers.CharField()
    attempts = serializers.IntegerField(
        help_text="Workers that started segmenting it; at TASK_MAX_ATTEMPTS starts that never "
        "finished it is given up as failed."
    )
    segmenter_version = serializers.CharField()
    created_at = serializers.DateTimeField()
    text = serializers.CharField(help_text="Exactly as imported; sentences are offsets into it.")
    sentences = SentenceSerializer(many=True)


class ArticleCreateSerializer(StrictSerializer):
    text = serializers.CharField(
        trim_whitespace=False,
        max_length=settings.MAX_ARTICLE_CHARS,
        # In the schema as a pattern: whitespace alone is no article.
        validators=[RegexValidator(r"\S", "The article has no text; paste its text.")],
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    author = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    outlet = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    source_url = HttpUrlTextField(required=False, allow_blank=True, max_length=2000, default="")
    published_on = serializers.DateField(required=False, allow_null=True, default=None)


class ArticleListQuerySerializer(QuerySerializer):
    status = serializers.ChoiceField(choices=Article.Status.values, required=False)
    search = serializers.CharField(required=False, max_length=200, help_text="In the title.")
    labeled_by_me = serializers.BooleanField(
        required=False,
        help_text="true: articles I labeled every sentence of; false: the others.",
    )
    # Read by the paginator (annotator.api.pagination); declared here so they are checked.
    page = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Page number, from 1."
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=500, help_text="Up to 500; 50 by default."
    )


# --- annotations ----------------------------------------------------------------


class AnnotationSerializer(serializers.ModelSerializer):
    label = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Annotation
        fields = [
            "sentence",
            "label",
            "note",
            "source",
            "version",
            "guideline_version",
            "updated_at",
            "suggested_by",
        ]


def annotation_data(annotation: Annotation) -> dict:
    """What AnnotationSerializer writes, without building a serializer (the hot path)."""
    return {
        "sentence": annotation.sentence_id,
        "label": annotation.label.key,
        "note": annotation.note,
        "source": annotation.source,
        "version": annotation.version,
        "guideline_version": annotation.guideline_version,
        "updated_at": annotation.updated_at,
        "suggested_by": annotation.suggested_by,
    }


class AnnotationWriteSerializer(StrictSerializer):
    label = serializers.CharField(max_length=40, help_text="The label's key, e.g. claim.")
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_NOTE_CHARS, default=""
    )
    source = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_SOURCE_CHARS, default=""
    )
    version = serializers.IntegerField(
        min_value=0,
        max_value=MAX_VERSION,
        help_text="The version you last saw; 0 when you saw no label.",
    )
    suggestion = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        default="",
        help_text="When you accept a machine suggestion: its model and version, as "
        "GET /api/articles/{id}/suggestions/ names it (`model`). Stored with your label.",
    )


class AnnotationClearQuerySerializer(QuerySerializer):
    version = serializers.IntegerField(
        min_value=0, max_value=MAX_VERSION, help_text="The version you last saw."
    )


class ConflictSerializer(ErrorSerializer):
    current = AnnotationSerializer(allow_null=True, help_text="The stored value, or null.")


class AnnotationEventSerializer(serializers.ModelSerializer):
    changed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    annotator = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AnnotationEvent
        fields = [
            "action", "old_label", "new_label", "old_note", "new_note", "old_source",
            "new_source", "version", "at", "changed_by", "annotator", "suggested_by",
        ]  # fmt: skip


class BulkItemSerializer(StrictSerializer):
    sentence = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    label = serializers.CharField(max_length=40)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_NOTE_CHARS, default=""
    )
    source = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_SOURCE_CHARS, default=""
    )
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_VERSION,
        default=None,
        help_text="Omit (or null) to overwrite whatever is stored.",
    )


class BulkSerializer(StrictSerializer):
    annotations = BulkItemSerializer(many=True, max_length=BULK_MAX_ITEMS)  # [] writes nothing


class BulkResultSerializer(serializers.Serializer):
    sentence = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["created", "changed", "unchanged"])
    annotation = AnnotationSerializer()


class BulkResponseSerializer(serializers.Serializer):
    results = BulkResultSerializer(many=True)
