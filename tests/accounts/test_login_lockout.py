"""Brute force on sign-in: failures are limited per account and per address.

Past ``LOGIN_FAILURES_PER_ACCOUNT`` failures for one username (or
``LOGIN_FAILURES_PER_ADDRESS`` from one address) within ``LOGIN_FAILURE_WINDOW_MINUTES``,
sign-in is refused, the right password too, with a form error that says when to retry
(status 429, ``Retry-After``). Once the window has passed, the right password works.
"""

from __future__ import annotations

import time

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 15


@pytest.fixture
def later(monkeypatch):
    """Move the clock on (the limits' and the cache's expiry both read ``time.time``)."""

    def move(seconds: float) -> None:
        now = time.time()
        monkeypatch.setattr(time, "time", lambda: now + seconds)

    return move


def sign_in(username: str, password: str, address: str = "192.0.2.1", client=None):
    client = client or Client()
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_after_too_many_wrong_ones(annotator):
    for _ in range(3):
        _, wrong = sign_in("anna", "guess")
        assert wrong.status_code == 200
        assert "correct username and password" in wrong.content.decode()

    client, refused = sign_in("anna", "pw-anna")
    assert refused.status_code == 429
    assert not signed_in(client)
    page = refused.content.decode()
    assert "Too many failed sign-ins for this account; try again in 15 minutes." in page
    assert 'role="alert"' in page  # shown as the form's error, on the sign-in page
    assert 14 * 60 < int(refused["Retry-After"]) <= 15 * 60


def test_the_lockout_holds_from_any_address(annotator):
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        sign_in("anna", "guess", address)
    client, refused = sign_in("anna", "pw-anna", "198.51.100.9")
    assert refused.status_code == 429
    assert not signed_in(client)


def test_the_right_password_works_once_the_window_has_passed(annotator, later):
    for _ in range(4):
        sign_in("anna", "guess")
    later(14 * 60)
    _, still = sign_in("anna", "pw-anna")
    assert still.status_code == 429
    assert "try again in 1 minute." in still.content.decode()

    later(15 * 60 + 1)
    client, response = sign_in("anna", "pw-anna")
    assert response.status_code == 302
    assert signed_in(client)


def test_a_success_forgets_the_accounts_earlier_failures(annotator):
    for _ in range(2):
        sign_in("anna", "guess")
    assert sign_in("anna", "pw-anna")[1].status_code == 302
    for _ in range(2):
        sign_in("anna", "guess")
    client, response = sign_in("anna", "pw-anna")
    assert response.status_code == 302
    assert signed_in(client)


def test_one_address_trying_many_accounts_is_locked_out(make_user):
    make_user("zoe")
    for name in ("ann", "bob", "cy", "dee", "eve"):  # one failure each: no account locked
        sign_in(name, "guess", "203.0.113.7")

    client, refused = sign_in("zoe", "pw-zoe", "203.0.113.7")
    assert refused.status_code == 429
    assert not signed_in(client)
    assert "Too many failed sign-ins from your address; try again in" in refused.content.decode()
    # Another address is not concerned.
    assert sign_in("zoe", "pw-zoe", "198.51.100.1")[1].status_code == 302


def test_an_ipv6_host_cannot_step_around_the_limit_within_its_network(make_user):
    make_user("zoe")
    for i in range(5):
        sign_in(f"user{i}", "guess", f"2001:db8:1:2::{i + 1}")
    assert sign_in("zoe", "pw-zoe", "2001:db8:1:2::ff")[1].status_code == 429
    assert sign_in("zoe", "pw-zoe", "2001:db8:1:3::1")[1].status_code == 302


def test_the_admin_sign_in_is_locked_out_too(owner):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    for _ in range(3):
        sign_in("olivia", "guess")
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "olivia", "password": "pw-olivia"},
        REMOTE_ADDR="192.0.2.1",
    )
    assert response.status_code == 200  # the admin's own form, not signed in
    assert not signed_in(client)
