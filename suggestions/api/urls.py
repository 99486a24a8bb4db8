"""API routes of suggestions: an article's suggestions, models, settings, predictions, next."""

from django.urls import path

from suggestions.api import views

urlpatterns = [
    path(
        "articles/<id:pk>/suggestions/",
        views.ArticleSuggestionsView.as_view(),
        name="api-article-suggestions",
    ),
    path(
        "corpora/<slug:slug>/suggestion-models/",
        views.SuggestionModelsView.as_view(),
        name="api-suggestion-models",
    ),
    path(
        "corpora/<slug:slug>/suggestion-settings/",
        views.SuggestionSettingsView.as_view(),
        name="api-suggestion-settings",
    ),
    path(
        "corpora/<slug:slug>/predictions/",
        views.PredictionsView.as_view(),
        name="api-predictions",
    ),
    path(
        "corpora/<slug:slug>/next-sentence/",
        views.NextSentenceView.as_view(),
        name="api-next-sentence",
    ),
]
