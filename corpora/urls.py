from django.urls import path

from corpora.views import corpus_settings, invitations, members

urlpatterns = [
    path("corpora/new/", corpus_settings.corpus_new, name="corpus_new"),
    path("corpora/<slug:slug>/settings/", corpus_settings.corpus_settings, name="corpus_settings"),
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
    path(
        "corpora/<slug:slug>/invitations/",
        invitations.invitation_create_view,
        name="invitation_create",
    ),
    path(
        "corpora/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        invitations.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", invitations.invitation_accept_view, name="invitation_accept"),
]
