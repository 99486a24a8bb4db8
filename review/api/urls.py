"""API routes of the corpus workflow: next article, assignment, agreement, adjudication."""

from django.urls import path

from review.api import views as workflow

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
        "corpora/<slug:slug>/assignments/bulk/",
        workflow.BulkAssignmentView.as_view(),
        name="api-assignments-bulk",
    ),
    path("corpora/<slug:slug>/queues/", workflow.MemberQueuesView.as_view(), name="api-queues"),
    path(
        "corpora/<slug:slug>/assignments/<id:article_id>/<id:user_id>/",
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
    path("sentences/<id:pk>/gold/", workflow.SentenceGoldView.as_view(), name="api-sentence-gold"),
]
