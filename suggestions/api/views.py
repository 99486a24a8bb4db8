"""Suggestions over the API: an article's suggestions, the corpus's models, settings,
outside predictions, and the next sentence to label.

Thin views: access through ``corpora.permissions`` (CorpusScopedView), shapes in
``suggestions.api.serializers``, logic in ``suggestions.services`` and
``suggestions.selectors``.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from annotator.api.schema import errors
from annotator.api.serializers import validated
from articles.access import article_for
from corpora.api.access import CorpusScopedView, CorpusSlugView
from corpora.permissions import Right
from suggestions.api.serializers import (
    ArticleSuggestionsSerializer,
    NextSentenceSerializer,
    PredictionsSerializer,
    PredictionsStoredSerializer,
    SuggestionModelsSerializer,
    SuggestionSettingsSerializer,
    TrainingQueuedSerializer,
)
from suggestions.selectors import (
    article_suggestions,
    current_model,
    learning_curve,
    next_sentence,
    suggestion_models,
    suggestion_settings_get,
)
from suggestions.services import predictions_store, suggestion_settings_update, training_request


class ArticleSuggestionsView(CorpusScopedView):
    rights = {"GET": Right.VIEW}

    def resolve(self, request, right) -> None:
        self.article, self.role = article_for(request.user, self.kwargs["pk"], right=right)

    @extend_schema(
        operation_id="articles_suggestions",
        summary="The machine suggestion for each sentence of an article (none when labeling blind)",
        responses={200: ArticleSuggestionsSerializer, **errors(404)},
    )
    def get(self, request, pk: int):
        data = article_suggestions(article=self.article, role=self.role)
        return Response(ArticleSuggestionsSerializer(data).data)


class SuggestionModelsView(CorpusSlugView):
    rights = {"GET": Right.SEE_ALL_LABELS, "POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_suggestion_models",
        summary="The corpus's suggestion models with their cross-validated scores, "
        "and its learning curve",
        responses={200: SuggestionModelsSerializer, **errors(403, 404)},
    )
    def get(self, request, slug: str):
        model = current_model(corpus=self.corpus)
        data = {
            "current": model.display_name if model else None,
            "models": suggestion_models(corpus=self.corpus),
            "learning_curve": learning_curve(corpus=self.corpus),
        }
        return Response(SuggestionModelsSerializer(data).data)

    @extend_schema(
        operation_id="corpora_suggestion_models_train",
        summary="Train the corpus's suggestion model again now (owners; 202, in the background)",
        request=None,
        responses={202: TrainingQueuedSerializer, **errors(403, 404)},
    )
    def post(self, request, slug: str):
        model, created = training_request(corpus=self.corpus, requested_by="owner")
        return Response(
            TrainingQueuedSerializer({"model": model, "created": created}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class SuggestionSettingsView(CorpusSlugView):
    rights = {"GET": Right.VIEW, "PATCH": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_suggestion_settings",
        summary="Whether annotators see suggestions, and the next-sentence policy",
        responses={200: SuggestionSettingsSerializer, **errors(404)},
    )
    def get(self, request, slug: str):
        return Response(
            SuggestionSettingsSerializer(suggestion_settings_get(corpus=self.corpus)).data
        )

    @extend_schema(
        operation_id="corpora_suggestion_settings_update",
        summary="Turn suggestions on or off (blind labeling), choose the next-sentence policy",
        request=SuggestionSettingsSerializer,
        responses={200: SuggestionSettingsSerializer, **errors(400, 403, 404, 413)},
    )
    def patch(self, request, slug: str):
        data = validated(SuggestionSettingsSerializer, request.data)
        found = suggestion_settings_update(corpus=self.corpus, **data)
        return Response(SuggestionSettingsSerializer(found).data)


class PredictionsView(CorpusSlugView):
    rights = {"POST": Right.MANAGE}

    @extend_schema(
        operation_id="corpora_predictions_create",
        summary="Store an outside model's predictions as suggestions, never as labels (owners)",
        request=PredictionsSerializer,
        responses={201: PredictionsStoredSerializer, **errors(400, 403, 404, 413)},
    )
    def post(self, request, slug: str):
        data = validated(PredictionsSerializer, request.data)
        model, stored = predictions_store(
            corpus=self.corpus,
            name=data["model_name"],
            version=data["model_version"],
            items=data["predictions"],
        )
        return Response(
            PredictionsStoredSerializer({"model": model, "stored": stored}).data,
            status=status.HTTP_201_CREATED,
        )


class NextSentenceView(CorpusSlugView):
    rights = {"GET": Right.LABEL}

    @extend_schema(
        operation_id="corpora_next_sentence",
        summary="The next sentence for me to label, by the corpus's policy",
        responses={200: NextSentenceSerializer, **errors(403, 404)},
    )
    def get(self, request, slug: str):
        found = next_sentence(corpus=self.corpus, user=request.user)
        if found is None:
            policy = suggestion_settings_get(corpus=self.corpus).next_policy
            found = {"sentence": None, "article": None, "policy": policy}
        return Response(NextSentenceSerializer(found).data)
