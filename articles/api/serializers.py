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
from articles.models import Annotation, AnnotationEvent, Article, ReviewReason, Sentence
from articles.selectors.listing import DEFAULT_SORT, SORTS
from articles.services.annotations import MAX_NOTE_CHARS, MAX_SOURCE_CHARS


class ArticleSerializer(serializers.ModelSerializer):
    corpus = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    sentence_count = serializers.IntegerField(help_text="Labelable sentences (not headings).")
    labeled_count = serializers.IntegerField(help_text="Of those, how many the caller labeled.")

    class Meta:
        model = Article
        fields = [
            "id", "corpus", "title", "author", "outlet", "source_url", "published_on", "status",
            "failure_reason", "attempts", "archived", "created_at", "sentence_count",
            "labeled_count",
        ]  # fmt: skip


class ArticlePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="Articles matching; with a search, counted up to 10,001 (see count_capped)."
    )
    count_capped = serializers.BooleanField(
        help_text="true: a search matches more than 10,000 articles; count stopped at 10,001 "
        "and the pages end there: narrow the search."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ArticleSerializer(many=True)


class ReviewFromSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The old sentence's text.")
    label = serializers.CharField(help_text="The label it had there.")
    note = serializers.CharField()
    source = serializers.CharField()


class MyAnnotationSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The label's key.")
    note = serializers.CharField()
    source = serializers.CharField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    needs_review = serializers.BooleanField(
        help_text="A change of boundaries carried this label here from a sentence that was not "
        "quite this one: check it (writing any value, the same included, settles it)."
    )
    review_reason = serializers.ChoiceField(
        choices=["", *ReviewReason.values], help_text="What changed: split, merge, ..."
    )
    review_from = ReviewFromSerializer(
        many=True, help_text="The sentences the label came from, as they were."
    )


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
    archived = serializers.BooleanField(help_text="Left out of lists, assignment and exports.")
    created_at = serializers.DateTimeField()
    content_hash = serializers.CharField(
        help_text="SHA-256 of the text: `based_on` of PUT /api/articles/{id}/text/."
    )
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
    search = serializers.CharField(
        required=False,
        max_length=200,
        help_text="Words in the title, author, outlet or text. On PostgreSQL the text matches "
        "whole words (every word of the query); title, author and outlet match any part.",
    )
    status = serializers.ChoiceField(choices=Article.Status.values, required=False)
    labeled_by_me = serializers.BooleanField(
        required=False,
        help_text="true: articles I labeled every sentence of; false: the others.",
    )
    assigned_to = serializers.RegexField(
        r"^(none|[1-9][0-9]{0,17})$",
        required=False,
        help_text="A member's user id: the articles assigned to them; none: articles assigned "
        "to nobody.",
    )
    agreement_below = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=1,
        help_text="Articles whose stored percent agreement (0 to 1, from the last background "
        "refresh) is below this value.",
    )
    archived = serializers.BooleanField(
        required=False,
        help_text="true: only archived articles; false or absent: only the others.",
    )
    sort = serializers.ChoiceField(
        choices=list(SORTS),
        required=False,
        default=DEFAULT_SORT,
        help_text="Default created (oldest first).",
    )
    # Read by the paginator (annotator.api.pagination); declared here so they are checked.
    page = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Page number, from 1."
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=500, help_text="Up to 500; 50 by default."
    )


class ArticleMetadataSerializer(StrictSerializer):
    """An owner's change to an article's metadata or archived state; omitted fields stay."""

    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    author = serializers.CharField(required=False, allow_blank=True, max_length=300)
    outlet = serializers.CharField(required=False, allow_blank=True, max_length=300)
    source_url = HttpUrlTextField(required=False, allow_blank=True, max_length=2000)
    published_on = serializers.DateField(required=False, allow_null=True)
    archived = serializers.BooleanField(
        required=False,
        help_text="true: the article leaves lists, assignment and exports; its labels stay.",
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
    sentence_start = serializers.IntegerField(help_text="The sentence's start at the time.")
    sentence_end = serializers.IntegerField(help_text="The sentence's end at the time.")
    sentence_text = serializers.CharField(help_text="The sentence's text at the time.")
    edit = serializers.IntegerField(
        source="edit_id",
        allow_null=True,
        help_text="The change of boundaries that carried (carry) or took off (retire) the label.",
    )

    class Meta:
        model = AnnotationEvent
        fields = [
            "action", "old_label", "new_label", "old_note", "new_note", "old_source",
            "new_source", "version", "guideline_version", "at", "changed_by", "annotator",
            "suggested_by", "sentence_start", "sentence_end", "sentence_text", "edit",
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
