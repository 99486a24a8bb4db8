from django.urls import path

from corpora import views

urlpatterns = [
    path("corpora/<slug:slug>/members/", views.corpus_members, name="corpus_members"),
    path("corpora/<slug:slug>/members/add/", views.member_add_view, name="member_add"),
    path(
        "corpora/<slug:slug>/members/<int:user_id>/role/",
        views.member_role_view,
        name="member_role",
    ),
    path(
        "corpora/<slug:slug>/members/<int:user_id>/remove/",
        views.member_remove_view,
        name="member_remove",
    ),
]
