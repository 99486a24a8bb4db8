"""Mail bombing through password reset: requests are limited per e-mail and per address.

Past ``PASSWORD_RESETS_PER_EMAIL`` requests for one e-mail address (or
``PASSWORD_RESETS_PER_ADDRESS`` from one network address) within
``PASSWORD_RESET_WINDOW_MINUTES``, the request is refused with a form error that says
when to retry (429, ``Retry-After``) and no e-mail is sent. Every request counts, for an
address with an account or not, so the refusal says nothing about who has an account.
"""

from __future__ import annotations

import time

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PASSWORD_RESETS_PER_EMAIL = 2
    settings.PASSWORD_RESETS_PER_ADDRESS = 4
    settings.PASSWORD_RESET_WINDOW_MINUTES = 60


@pytest.fixture
def anna(annotator):
    annotator.email = "anna@example.org"
    annotator.save()
    return annotator


def ask(email: str, address: str = "192.0.2.1"):
    return Client().post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_a_reset_past_the_limit_for_an_email_is_refused_and_sends_nothing(anna):
    for _ in range(2):
        assert ask("anna@example.org").status_code == 302
    assert len(mail.outbox) == 2

    refused = ask("anna@example.org", "198.51.100.9")  # from anywhere
    assert refused.status_code == 429
    assert len(mail.outbox) == 2
    page = refused.content.decode()
    assert (
        "Too many password reset requests for this e-mail address; no e-mail was sent; "
        "try again in 60 minutes." in page
    )
    assert 'role="alert"' in page  # the form's error, on the reset page
    assert 'value="anna@example.org"' in page  # what was typed is kept
    assert 59 * 60 < int(refused["Retry-After"]) <= 60 * 60


def test_the_email_limit_is_counted_without_regard_to_case(anna):
    ask("anna@example.org")
    ask("Anna@Example.org")
    assert ask("ANNA@example.org").status_code == 429
    assert len(mail.outbox) == 2


def test_an_address_without_an_account_is_limited_the_same_way(anna):
    for _ in range(2):
        assert ask("nobody@example.org").status_code == 302
    assert ask("nobody@example.org").status_code == 429
    assert mail.outbox == []
    # Another e-mail address is not concerned.
    assert ask("anna@example.org", "198.51.100.9").status_code == 302
    assert len(mail.outbox) == 1


def test_one_address_asking_for_many_emails_is_refused(anna):
    for name in ("a", "b", "c", "d"):
        assert ask(f"{name}@example.org", "203.0.113.7").status_code == 302
    refused = ask("anna@example.org", "203.0.113.7")
    assert refused.status_code == 429
    assert "Too many password reset requests from your address" in refused.content.decode()
    assert mail.outbox == []
    assert ask("anna@example.org", "198.51.100.1").status_code == 302
    assert len(mail.outbox) == 1


def test_a_reset_works_again_once_the_window_has_passed(anna, monkeypatch):
    for _ in range(3):
        ask("anna@example.org")
    assert len(mail.outbox) == 2
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 60 * 60 + 1)
    assert ask("anna@example.org").status_code == 302
    assert len(mail.outbox) == 3


def test_a_malformed_email_is_a_form_error_and_is_not_counted(anna):
    for _ in range(3):
        bad = ask("not-an-address")
        assert bad.status_code == 200 and "valid email address" in bad.content.decode()
    assert ask("anna@example.org").status_code == 302
