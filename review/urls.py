"""Pages of the corpus workflow: dashboard, agreement, adjudication, assignments."""

from django.urls import path

from review.views import adjudication, assignment, dashboard

urlpatterns: list = [
    path(
        "corpora/<slug:slug>/dashboard/", dashboard.corpus_dashboard_view, name="corpus_dashboard"
    ),
    path(
        "corpora/<slug:slug>/agreement/state.json",
        dashboard.agreement_state,
        name="agreement_state",
    ),
    path(
        "corpora/<slug:slug>/agreement/articles/<int:article_id>/",
        dashboard.article_agreement_view,
        name="article_agreement",
    ),
    path(
        "corpora/<slug:slug>/agreement/recompute/",
        dashboard.agreement_recompute,
        name="agreement_recompute",
    ),
    path("corpora/<slug:slug>/auto-gold/", dashboard.auto_gold_toggle, name="auto_gold_toggle"),
    path(
        "corpora/<slug:slug>/adjudication/",
        adjudication.adjudication_queue,
        name="adjudication_queue",
    ),
    path(
        "corpora/<slug:slug>/adjudication/<int:sentence_id>/",
        adjudication.adjudication_decide,
        name="adjudication_decide",
    ),
    path(
        "corpora/<slug:slug>/assignments/",
        assignment.corpus_assignments,
        name="corpus_assignments",
    ),
    path(
        "corpora/<slug:slug>/assignments/<int:article_id>/add/",
        assignment.assignment_add,
        name="assignment_add",
    ),
    path(
        "corpora/<slug:slug>/assignments/<int:article_id>/remove/<int:user_id>/",
        assignment.assignment_remove,
        name="assignment_remove",
    ),
    path(
        "corpora/<slug:slug>/assignments/<int:article_id>/reassign/<int:user_id>/",
        assignment.assignment_reassign_view,
        name="assignment_reassign",
    ),
    path(
        "corpora/<slug:slug>/assignments/overlap/",
        assignment.overlap_set_view,
        name="assignments_overlap",
    ),
    path(
        "corpora/<slug:slug>/assignments/bulk/",
        assignment.assignments_bulk,
        name="assignments_bulk",
    ),
    path(
        "corpora/<slug:slug>/assignments/members/<int:user_id>/",
        assignment.member_queue,
        name="member_queue",
    ),
    path(
        "corpora/<slug:slug>/assignments/members/<int:user_id>/reassign/",
        assignment.member_queue_reassign,
        name="member_queue_reassign",
    ),
    path("corpora/<slug:slug>/my-articles/", assignment.my_assignments, name="my_assignments"),
    path("corpora/<slug:slug>/next/", assignment.next_article, name="next_article"),
]
