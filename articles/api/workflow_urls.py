"""API routes of the corpus workflow, included by articles/api/urls.py."""

from django.urls import path, register_converter

from articles.api import workflow


class IdConverter:
    """A positive id that fits a bigint (the same rule as the rest of the API)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "wid")

urlpatterns = [
    path(
        "corpora/<slug:slug>/next-article/",
        workflow.NextArticleView.as_view(),
        name="api-next-article",
    ),
    path(
        "corpora/<slug:slug>/assignments/",
        workflow.AssignmentsView.as_view(),
        name="api-assignments",
    ),
    path(
        "corpora/<slug:slug>/assignments/<wid:article_id>/<wid:user_id>/",
        workflow.AssignmentDetailView.as_view(),
        name="api-assignment",
    ),
    path("corpora/<slug:slug>/agreement/", workflow.AgreementView.as_view(), name="api-agreement"),
    path("corpora/<slug:slug>/progress/", workflow.ProgressView.as_view(), name="api-progress"),
    path(
        "corpora/<slug:slug>/workflow-settings/",
        workflow.WorkflowSettingsView.as_view(),
        name="api-workflow-settings",
    ),
    path(
        "corpora/<slug:slug>/adjudication/",
        workflow.AdjudicationQueueView.as_view(),
        name="api-adjudication",
    ),
    path("sentences/<wid:pk>/gold/", workflow.SentenceGoldView.as_view(), name="api-sentence-gold"),
]
