from django.urls import path

from imports import views

urlpatterns = [
    path("corpora/<slug:slug>/import/", views.corpus_import, name="corpus_import"),
    path(
        "corpora/<slug:slug>/import/preview/",
        views.corpus_import_preview,
        name="corpus_import_preview",
    ),
    path("corpora/<slug:slug>/imports/<int:pk>/", views.import_job, name="import_job"),
    path(
        "corpora/<slug:slug>/imports/<int:pk>/retry/",
        views.import_job_retry,
        name="import_job_retry",
    ),
    path(
        "corpora/<slug:slug>/imports/<int:pk>/status.json",
        views.import_job_status,
        name="import_job_status",
    ),
    path("articles/<int:pk>/archived-copy/", views.article_snapshot, name="article_snapshot"),
]
