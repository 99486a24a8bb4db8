"""Password reset by e-mail and password change: Django's views with the project's pages."""

from __future__ import annotations

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_a_password_is_reset_through_the_mailed_link(client, annotator):
    annotator.email = "anna@example.org"
    annotator.save()
    assert b"Forgot your password?" in client.get("/accounts/login/").content
    form = client.get("/accounts/password/reset/")
    assert form.status_code == 200 and b"app.css" in form.content  # the project's page
    response = client.post("/accounts/password/reset/", {"email": "anna@example.org"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(\S+)", mail.outbox[0].body).group(1)
    confirm = client.get(link, follow=True)
    assert b"Choose a new password" in confirm.content
    weak = client.post(
        confirm.redirect_chain[-1][0], {"new_password1": "abc", "new_password2": "abc"}
    )
    assert weak.status_code == 200 and b"too short" in weak.content
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "quiet-harbour-77", "new_password2": "quiet-harbour-77"},
    )
    assert done.status_code == 302
    annotator.refresh_from_db()
    assert annotator.check_password("quiet-harbour-77")
    assert b"not valid any more" in client.get(link, follow=True).content  # used once


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and mail.outbox == []


def test_a_signed_in_user_changes_their_password(client, annotator):
    client.force_login(annotator)
    page = client.get("/accounts/password/change/")
    assert page.status_code == 200 and b"Change your password" in page.content
    wrong = client.post(
        "/accounts/password/change/",
        {"old_password": "nope", "new_password1": "x", "new_password2": "x"},
    )
    assert wrong.status_code == 200 and b"incorrect" in wrong.content
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "pw-anna",
            "new_password1": "quiet-harbour-77",
            "new_password2": "quiet-harbour-77",
        },
    )
    assert response.status_code == 302
    annotator.refresh_from_db()
    assert annotator.check_password("quiet-harbour-77")


def test_password_change_needs_a_signed_in_user(client):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
