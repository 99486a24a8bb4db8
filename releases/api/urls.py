"""API routes of releases, under /api/corpora/<slug>/releases/."""

from django.urls import path

from releases.api import views

urlpatterns = [
    path("corpora/<slug:slug>/releases/", views.ReleasesView.as_view(), name="api-releases"),
    path(
        "corpora/<slug:slug>/releases/splits/reset/",
        views.SplitsResetView.as_view(),
        name="api-splits-reset",
    ),
    path(
        "corpora/<slug:slug>/releases/<str:version>/",
        views.ReleaseDetailView.as_view(),
        name="api-release",
    ),
    path(
        "corpora/<slug:slug>/releases/<str:version>/withdraw/",
        views.ReleaseWithdrawView.as_view(),
        name="api-release-withdraw",
    ),
    path(
        "corpora/<slug:slug>/releases/<str:version>/files/<path:name>",
        views.ReleaseFileView.as_view(),
        name="api-release-file",
    ),
    path(
        "corpora/<slug:slug>/releases/<str:version>/diff/<str:other>/",
        views.ReleaseDiffView.as_view(),
        name="api-release-diff",
    ),
]
