from django.urls import path

from articles.views import adjudication, assignment, dashboard, imports, members, snapshots

urlpatterns: list = [
    # Imports and members (import engineer).
    path("corpora/<slug:slug>/import/", imports.corpus_import, name="corpus_import"),
    path("corpora/<slug:slug>/imports/<int:pk>/", imports.import_job, name="import_job"),
    path(
        "corpora/<slug:slug>/imports/<int:pk>/status.json",
        imports.import_job_status,
        name="import_job_status",
    ),
    path("articles/<int:pk>/archived-copy/", snapshots.article_snapshot, name="article_snapshot"),
    path("corpora/<slug:slug>/members/", members.corpus_members, name="corpus_members"),
    path("corpora/<slug:slug>/members/add/", members.member_add_view, name="member_add"),
    path(
        "corpora/<slug:slug>/members/<int:user_id>/role/",
        members.member_role_view,
        name="member_role",
    ),
    path(
        "corpora/<slug:slug>/members/<int:user_id>/remove/",
        members.member_remove_view,
        name="member_remove",
    ),
    # Assignment, progress, agreement, adjudication (workflow engineer).
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
    path("corpora/<slug:slug>/my-articles/", assignment.my_assignments, name="my_assignments"),
]
