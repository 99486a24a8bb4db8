from django.urls import path

from releases import views

urlpatterns = [
    path("corpora/<slug:slug>/releases/", views.corpus_releases, name="corpus_releases"),
    path("corpora/<slug:slug>/releases/diff/", views.release_diff_view, name="release_diff"),
    path(
        "corpora/<slug:slug>/releases/splits/reset/",
        views.splits_reset_view,
        name="splits_reset",
    ),
    path(
        "corpora/<slug:slug>/releases/<str:version>/",
        views.release_detail,
        name="release_detail",
    ),
    path(
        "corpora/<slug:slug>/releases/<str:version>/status.json",
        views.release_status,
        name="release_status",
    ),
    path(
        "corpora/<slug:slug>/releases/<str:version>/withdraw/",
        views.release_withdraw_view,
        name="release_withdraw",
    ),
    path(
        "corpora/<slug:slug>/releases/<str:version>/files/<path:name>",
        views.release_file,
        name="release_file",
    ),
]
