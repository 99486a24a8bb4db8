from django.urls import path

from articles.views import imports, members

urlpatterns: list = [
    # Imports and members (import engineer).
    path("corpora/<slug:slug>/import/", imports.corpus_import, name="corpus_import"),
    path("corpora/<slug:slug>/imports/<int:pk>/", imports.import_job, name="import_job"),
    path(
        "corpora/<slug:slug>/imports/<int:pk>/status.json",
        imports.import_job_status,
        name="import_job_status",
    ),
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
]
