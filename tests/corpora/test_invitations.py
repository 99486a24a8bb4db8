"""Invitations by e-mail or link: made and revoked by owners, accepted by sign-up or sign-in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.utils import timezone

from corpora.models import Invitation, Membership, Role

pytestmark = pytest.mark.django_db


def _invite(client, corpus, **data):
    return client.post(f"/corpora/{corpus.slug}/invitations/", {"role": "annotator", **data})


def _link(response) -> str:
    match = re.search(r'id="invite-link" value="([^"]+)"', response.content.decode())
    assert match, "no invitation link on the page"
    return match.group(1)


def _path(link: str) -> str:
    return link.split("testserver", 1)[1]


def test_an_owner_invites_by_email_and_only_the_hash_is_stored(
    client, corpus, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client, corpus, email="nina@example.org", role="reviewer")
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    link = _link(response)
    token = link.rstrip("/").rsplit("/", 1)[1]
    invitation = Invitation.objects.get(corpus=corpus)
    assert invitation.role == Role.REVIEWER and invitation.email == "nina@example.org"
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.org"]
    assert link in mail.outbox[0].body and corpus.name in mail.outbox[0].subject
    listed = client.get(f"/corpora/{corpus.slug}/members/").content.decode()
    assert "nina@example.org" in listed and token not in listed  # the link is shown once


def test_an_invitation_by_link_sends_no_mail(client, corpus, owner):
    client.force_login(owner)
    response = _invite(client, corpus)
    assert response.status_code == 201 and _link(response)
    assert mail.outbox == []


def test_bad_invitation_input_is_a_400_with_a_message(client, corpus, owner):
    client.force_login(owner)
    bad_mail = _invite(client, corpus, email="not-an-address")
    assert bad_mail.status_code == 400 and "is not an e-mail address" in bad_mail.content.decode()
    too_long = _invite(client, corpus, expires_in_days="400")
    assert too_long.status_code == 400 and "Valid for (days)" in too_long.content.decode()
    assert not Invitation.objects.exists()


def test_only_owners_invite(client, corpus, annotator, outsider):
    client.force_login(annotator)
    assert _invite(client, corpus).status_code == 403
    client.force_login(outsider)
    assert _invite(client, corpus).status_code == 404
    assert not Invitation.objects.exists()


def test_a_newcomer_signs_up_through_the_link_and_lands_in_the_corpus(client, corpus, owner):
    client.force_login(owner)
    path = _path(_link(_invite(client, corpus, email="nina@example.org")))
    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and "Create your account" in page.content.decode()
    weak = client.post(
        path, {"username": "nina", "email": "", "password1": "123", "password2": "123"}
    )
    assert weak.status_code == 400 and "too short" in weak.content.decode()
    assert not User.objects.filter(username="nina").exists()
    response = client.post(
        path,
        {
            "username": "nina",
            "email": "nina@example.org",
            "password1": "lantern-orbit-42",
            "password2": "lantern-orbit-42",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/corpora/{corpus.slug}/"
    nina = User.objects.get(username="nina")
    assert nina.check_password("lantern-orbit-42") and nina.email == "nina@example.org"
    assert Membership.objects.get(corpus=corpus, user=nina).role == Role.ANNOTATOR
    invitation = Invitation.objects.get()
    assert invitation.used_by == nina and invitation.used_at is not None
    assert client.get(f"/corpora/{corpus.slug}/").status_code == 200  # signed in
    # Used once: the same link now says so.
    client.logout()
    again = client.get(path)
    assert again.status_code == 410 and "already used" in again.content.decode()


def test_a_taken_user_name_is_refused_and_the_invitation_stays_open(client, corpus, owner):
    client.force_login(owner)
    path = _path(_link(_invite(client, corpus)))
    client.logout()
    response = client.post(
        path,
        {"username": "anna", "password1": "lantern-orbit-42", "password2": "lantern-orbit-42"},
    )
    assert response.status_code == 400 and "already exists" in response.content.decode()
    assert Invitation.objects.get().used_at is None


def test_someone_with_an_account_joins_when_signed_in(client, corpus, owner, outsider):
    client.force_login(owner)
    path = _path(_link(_invite(client, corpus, role="viewer")))
    client.force_login(outsider)
    page = client.get(path).content.decode()
    assert "Join as viewer" in page
    response = client.post(path)
    assert response.status_code == 302
    assert Membership.objects.get(corpus=corpus, user=outsider).role == Role.VIEWER


def test_a_member_cannot_use_an_invitation_and_it_stays_open(client, corpus, owner, annotator):
    client.force_login(owner)
    path = _path(_link(_invite(client, corpus, role="owner")))
    client.force_login(annotator)
    response = client.post(path)
    assert response.status_code == 409 and "already a member" in response.content.decode()
    assert Membership.objects.get(corpus=corpus, user=annotator).role == Role.ANNOTATOR
    assert Invitation.objects.get().used_at is None


def test_revoked_expired_and_made_up_links_do_not_work(client, corpus, owner, outsider):
    client.force_login(owner)
    revoked = _path(_link(_invite(client, corpus)))
    expired = _path(_link(_invite(client, corpus)))
    first, second = Invitation.objects.order_by("pk")
    response = client.post(f"/corpora/{corpus.slug}/invitations/{first.pk}/revoke/")
    assert response.status_code == 302
    Invitation.objects.filter(pk=second.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(outsider)
    assert client.post(revoked).status_code == 410
    assert "withdrawn" in client.get(revoked).content.decode()
    assert "expired" in client.get(expired).content.decode()
    assert client.get("/invitations/made-up-token/").status_code == 404
    assert not Membership.objects.filter(corpus=corpus, user=outsider).exists()


def test_only_owners_revoke(client, corpus, owner, annotator):
    client.force_login(owner)
    _invite(client, corpus)
    invitation = Invitation.objects.get()
    client.force_login(annotator)
    url = f"/corpora/{corpus.slug}/invitations/{invitation.pk}/revoke/"
    assert client.post(url).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_sign_ups_past_the_limit_for_an_address_are_refused_with_a_form_error(
    client, corpus, owner, outsider, settings
):
    """Each attempt to sign up or join through a link counts for the caller's network
    address (``SIGN_UPS_PER_ADDRESS`` in ``SIGN_UP_WINDOW_MINUTES``), successful or not."""
    settings.SIGN_UPS_PER_ADDRESS = 2
    settings.SIGN_UP_WINDOW_MINUTES = 60
    client.force_login(owner)
    path = _path(_link(_invite(client, corpus)))
    other = _path(_link(_invite(client, corpus)))
    client.logout()
    weak = {"username": "nina", "email": "", "password1": "123", "password2": "123"}
    for _ in range(2):
        assert client.post(path, weak, REMOTE_ADDR="192.0.2.1").status_code == 400
    good = {**weak, "password1": "lantern-orbit-42", "password2": "lantern-orbit-42"}
    refused = client.post(path, good, REMOTE_ADDR="192.0.2.1")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many sign-up attempts from your address; try again in 60 minutes." in page
    assert 'role="alert"' in page and 'value="nina"' in page  # the user name is kept
    assert 59 * 60 < int(refused["Retry-After"]) <= 60 * 60
    assert not User.objects.filter(username="nina").exists()
    assert Invitation.objects.filter(used_at__isnull=True).count() == 2
    # A signed-in account joining from that address is refused the same way.
    client.force_login(outsider)
    joined = client.post(other, REMOTE_ADDR="192.0.2.1")
    assert joined.status_code == 429 and "Too many sign-up attempts" in joined.content.decode()
    assert not Membership.objects.filter(corpus=corpus, user=outsider).exists()
    # Another address is not concerned.
    client.logout()
    assert client.post(path, good, REMOTE_ADDR="198.51.100.4").status_code == 302
    assert User.objects.get(username="nina").check_password("lantern-orbit-42")
