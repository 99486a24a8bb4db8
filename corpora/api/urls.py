from django.urls import path

from corpora.api import views

urlpatterns = [
    path("corpora/", views.CorpusListView.as_view(), name="api-corpora"),
    path("corpora/<slug:slug>/", views.CorpusDetailView.as_view(), name="api-corpus"),
    path(
        "corpora/<slug:slug>/segmentation-settings/",
        views.SegmentationSettingsView.as_view(),
        name="api-corpus-segmentation-settings",
    ),
    path(
        "corpora/<slug:slug>/members/",
        views.CorpusMembersManageView.as_view(),  # GET for members, POST for owners
        name="api-corpus-members",
    ),
    path(
        "corpora/<slug:slug>/members/<id:user_id>/",
        views.CorpusMemberView.as_view(),
        name="api-corpus-member",
    ),
]
