"""Shapes of the dataset listing: one row per sentence with its labels and gold."""

from __future__ import annotations

from rest_framework import serializers

from annotator.api.serializers import MAX_ID, CursorQuerySerializer
from articles.models import Sentence


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
    start = serializers.IntegerField(help_text="In the article's text, in code points.")
    end = serializers.IntegerField(help_text="In code points.")
    start_utf16 = serializers.IntegerField(
        help_text="start in UTF-16 code units (JavaScript's string index)."
    )
    end_utf16 = serializers.IntegerField(help_text="end in UTF-16 code units.")
    paragraph = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Sentence.Kind.values)


class DatasetAnnotationSerializer(serializers.Serializer):
    annotator = serializers.CharField()
    label = serializers.CharField()
    note = serializers.CharField()
    source = serializers.CharField()
    guideline_version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    suggested_by = serializers.CharField(
        help_text="The model whose suggestion the annotator accepted; empty: their own choice."
    )


class DatasetGoldSerializer(serializers.Serializer):
    label = serializers.CharField()
    origin = serializers.ChoiceField(choices=["unanimous", "adjudicated"])
    decided_by = serializers.CharField(
        allow_null=True, help_text="The reviewer who chose it; null for unanimous gold."
    )
    note = serializers.CharField()
    source = serializers.CharField(help_text="For a sourced fact: the URL or citation, or empty.")
    decided_at = serializers.DateTimeField(help_text="When the gold label was last decided (UTC).")


class DatasetSuggestionSerializer(serializers.Serializer):
    model = serializers.CharField(help_text="The model's name and version.")
    label = serializers.CharField()
    score = serializers.FloatField()


class DatasetRowSerializer(serializers.Serializer):
    corpus = serializers.SlugField()
    article = DatasetArticleSerializer()
    sentence = DatasetSentenceSerializer()
    annotations = DatasetAnnotationSerializer(many=True)
    gold = DatasetGoldSerializer(allow_null=True)
    suggestions = DatasetSuggestionSerializer(
        many=True,
        allow_null=True,
        help_text="Machine suggestions and outside models' predictions, never labels; "
        "null for those who see only their own labels.",
    )


class DatasetPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page; null at the end.")
    previous = serializers.URLField(allow_null=True)
    results = DatasetRowSerializer(many=True)


class DatasetQuerySerializer(CursorQuerySerializer):
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
    gold = serializers.BooleanField(required=False, help_text="true: only sentences with gold.")
    kind = serializers.ChoiceField(choices=Sentence.Kind.values, required=False)
    older_guidelines = serializers.BooleanField(
        required=False,
        help_text="true: only sentences with a label (of those you see) made under guidelines "
        "older than the corpus's current version, for a re-check.",
    )
