from django.urls import path

from imports.api import views

urlpatterns = [
    path(
        "corpora/<slug:slug>/imports/",
        views.CorpusImportsView.as_view(),
        name="api-corpus-imports",
    ),
    path("imports/<id:pk>/", views.ImportDetailView.as_view(), name="api-import"),
    path("imports/<id:pk>/retry/", views.ImportRetryView.as_view(), name="api-import-retry"),
    path(
        "articles/<id:pk>/snapshot/",
        views.ArticleSnapshotView.as_view(),
        name="api-article-snapshot",
    ),
]
