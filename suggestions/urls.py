from django.urls import path

from suggestions import views

urlpatterns = [
    path("corpora/<slug:slug>/suggestions/", views.corpus_suggestions, name="corpus_suggestions"),
    path(
        "corpora/<slug:slug>/suggestions/settings/",
        views.suggestion_settings_save,
        name="suggestion_settings_save",
    ),
    path(
        "corpora/<slug:slug>/suggestions/train/",
        views.suggestion_model_train,
        name="suggestion_model_train",
    ),
]
