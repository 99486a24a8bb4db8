"""Shapes of what the API reads and writes. Thin: rules live in services."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from articles.models import Annotation, AnnotationEvent, Article, Label, Role, Sentence
from articles.services.annotations import MAX_NOTE_CHARS, MAX_SOURCE_CHARS

MAX_ID = 2**63 - 1  # the largest bigint: a larger id cannot exist, and would reach SQL as an error
MAX_VERSION = 2**31 - 1
BULK_MAX_ITEMS = 1000


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, naming them, instead of silently ignoring them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                allowed = ", ".join(name for name, f in self.fields.items() if not f.read_only)
                raise serializers.ValidationError(
                    {key: [f"Unknown field; the fields are: {allowed}."] for key in unknown}
                )
        return super().to_internal_value(data)


# --- errors (for the schema) ----------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable, e.g. invalid, not_found.")
    message = serializers.CharField(help_text="What went wrong and what to do about it.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: each field with what to fix.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


# --- corpora --------------------------------------------------------------------


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["key", "name", "description", "color", "shortcut", "order", "takes_source"]


class CorpusSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    description = serializers.CharField()
    my_role = serializers.ChoiceField(choices=Role.choices)
    guidelines_version = serializers.IntegerField()
    overlap = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class CorpusDetailSerializer(CorpusSerializer):
    labels = LabelSerializer(many=True)
    guidelines = serializers.CharField(help_text="Markdown.")
    guidelines_html = serializers.CharField(help_text="The guidelines rendered and sanitised.")
    auto_gold_unanimous = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


class MemberSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(
        help_text="For PATCH/DELETE /api/corpora/{slug}/members/{user_id}/."
    )
    username = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    since = serializers.DateTimeField()


# --- articles and sentences -----------------------------------------------------


class ArticleSerializer(serializers.ModelSerializer):
    corpus = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sentence_count = serializers.IntegerField(help_text="Labelable sentences (not headings).")
    labeled_count = serializers.IntegerField(help_text="Of those, how many the caller labeled.")

    class Meta:
        model = Article
        fields = [
            "id", "corpus", "title", "author", "outlet", "source_url", "published_on", "status",
            "failure_reason", "created_at", "sentence_count", "labeled_count",
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
    start = serializers.IntegerField(help_text="Offset of the first character in the text.")
    end = serializers.IntegerField(help_text="Offset after the last character.")
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
    segmenter_version = serializers.CharField()
    created_at = serializers.DateTimeField()
    text = serializers.CharField(help_text="Exactly as imported; sentences are offsets into it.")
    sentences = SentenceSerializer(many=True)


class ArticleCreateSerializer(StrictSerializer):
    text = serializers.CharField(trim_whitespace=False, max_length=settings.MAX_ARTICLE_CHARS)
    title = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    author = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    outlet = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    source_url = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default=""
    )
    published_on = serializers.DateField(required=False, allow_null=True, default=None)


class ArticleListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Article.Status.values, required=False)
    search = serializers.CharField(required=False, max_length=200, help_text="In the title.")
    labeled_by_me = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: articles I labeled every sentence of; false: the others.",
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


class AnnotationClearQuerySerializer(serializers.Serializer):
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
            "new_source", "version", "at", "changed_by", "annotator",
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
    annotations = BulkItemSerializer(many=True, min_length=1, max_length=BULK_MAX_ITEMS)


class BulkResultSerializer(serializers.Serializer):
    sentence = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["created", "changed", "unchanged"])
    annotation = AnnotationSerializer()


class BulkResponseSerializer(serializers.Serializer):
    results = BulkResultSerializer(many=True)


# --- datasets -------------------------------------------------------------------


class DatasetArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = serializers.CharField()
    outlet = serializers.CharField()
    source_url = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)


class DatasetSentenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    index = serializers.IntegerField()
    text = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    paragraph = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Sentence.Kind.values)


class DatasetAnnotationSerializer(serializers.Serializer):
    annotator = serializers.CharField()
    label = serializers.CharField()
    note = serializers.CharField()
    source = serializers.CharField()
    guideline_version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class DatasetGoldSerializer(serializers.Serializer):
    label = serializers.CharField()
    origin = serializers.ChoiceField(choices=["unanimous", "adjudicated"])
    decided_by = serializers.CharField(allow_null=True)
    note = serializers.CharField()


class DatasetRowSerializer(serializers.Serializer):
    corpus = serializers.SlugField()
    article = DatasetArticleSerializer()
    sentence = DatasetSentenceSerializer()
    annotations = DatasetAnnotationSerializer(many=True)
    gold = DatasetGoldSerializer(allow_null=True)


class DatasetPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page; null at the end.")
    previous = serializers.URLField(allow_null=True)
    results = DatasetRowSerializer(many=True)


class DatasetQuerySerializer(serializers.Serializer):
    corpus = serializers.SlugField(required=False, max_length=80, help_text="A corpus slug.")
    article = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    label = serializers.SlugField(
        required=False, max_length=40, help_text="Sentences someone gave this label key."
    )
    annotator = serializers.CharField(
        required=False, max_length=150, help_text="Only this annotator's labels (a username)."
    )
    changed_since = serializers.DateTimeField(
        required=False,
        help_text="Sentences whose labels were set, changed or cleared, or whose gold label "
        "changed, at or after this time: for incremental sync.",
    )
    gold = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: only sentences with gold."
    )
    kind = serializers.ChoiceField(choices=Sentence.Kind.values, required=False)
