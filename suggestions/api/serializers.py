"""Shapes of suggestions in the API. Class names give the schema's component names."""

from __future__ import annotations

from rest_framework import serializers

from annotator.api.serializers import MAX_ID, StrictSerializer
from suggestions.models import NextPolicy, SuggestionModel
from suggestions.services import MAX_PREDICTIONS


class SuggestionSourceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["cue", "trained", "external"])
    name = serializers.CharField()
    version = serializers.CharField()
    model = serializers.CharField(help_text="Name and version; send it back as `suggestion`.")
    explanation = serializers.CharField()


class SentenceSuggestionSerializer(serializers.Serializer):
    sentence = serializers.IntegerField()
    label = serializers.CharField(help_text="The suggested label's key.")
    score = serializers.FloatField(help_text="Confidence, 0 to 1.")
    model = serializers.CharField(help_text="The model and version that suggests it.")
    cue = serializers.CharField(help_text="For the cue baseline: the words that decided it.")


class NextPolicyInEffectSerializer(serializers.Serializer):
    policy = serializers.ChoiceField(choices=NextPolicy.choices, help_text="The owners' choice.")
    name = serializers.CharField()
    active = serializers.BooleanField(
        help_text="False: the policy needs a trained model the corpus does not have yet, "
        "so next follows document order meanwhile."
    )


class ArticleSuggestionsSerializer(serializers.Serializer):
    shown = serializers.BooleanField(help_text="False when the corpus labels blind.")
    reason = serializers.CharField(help_text="Why nothing is shown, when so.")
    source = SuggestionSourceSerializer(allow_null=True)
    results = SentenceSuggestionSerializer(many=True)
    next_policy = NextPolicyInEffectSerializer(
        help_text="The policy the labeling screen's next follows (see corpora_next_sentence)."
    )


class SuggestionModelSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="display_name")

    class Meta:
        model = SuggestionModel
        fields = [
            "id", "kind", "name", "version", "model", "status", "error", "training_size",
            "label_set", "metrics", "requested_by", "created_at", "trained_at", "duration_ms",
        ]  # fmt: skip


class LearningPointSerializer(serializers.Serializer):
    version = serializers.CharField()
    labels = serializers.IntegerField()
    macro_f1 = serializers.FloatField(allow_null=True)
    cue_macro_f1 = serializers.FloatField(allow_null=True)
    trained_at = serializers.DateTimeField(allow_null=True)


class SuggestionModelsSerializer(serializers.Serializer):
    current = serializers.CharField(
        allow_null=True, help_text="The model whose suggestions are shown; null: the cue baseline."
    )
    models = SuggestionModelSerializer(many=True)
    learning_curve = LearningPointSerializer(many=True)


class TrainingQueuedSerializer(serializers.Serializer):
    model = SuggestionModelSerializer()
    created = serializers.BooleanField(help_text="False: a training was already queued.")


class SuggestionSettingsSerializer(StrictSerializer):
    show_to_annotators = serializers.BooleanField(
        required=False, help_text="False: blind labeling; omitted: unchanged."
    )
    next_policy = serializers.ChoiceField(choices=NextPolicy.choices, required=False)


class PredictionSerializer(StrictSerializer):
    sentence = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    label = serializers.CharField(max_length=40, help_text="A label key of the corpus.")
    score = serializers.FloatField(min_value=0.0, max_value=1.0)


class PredictionsSerializer(StrictSerializer):
    model_name = serializers.CharField(max_length=100)
    model_version = serializers.CharField(max_length=100)
    predictions = PredictionSerializer(many=True, max_length=MAX_PREDICTIONS, min_length=1)


class PredictionsStoredSerializer(serializers.Serializer):
    model = SuggestionModelSerializer()
    stored = serializers.IntegerField()


class NextSentenceSerializer(serializers.Serializer):
    sentence = serializers.IntegerField(allow_null=True)
    article = serializers.IntegerField(allow_null=True)
    policy = serializers.ChoiceField(choices=NextPolicy.choices)
