"""EMAIL_URL: one URL for Django's e-mail settings."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from annotator.settings import email_settings


def test_console_is_the_default_backend(settings):
    assert email_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_an_smtp_url_with_tls_gives_host_port_and_credentials():
    got = email_settings("smtp://mailer%40example.org:s%3Acret@smtp.example.org:587/?tls=true")
    assert got["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (got["EMAIL_HOST"], got["EMAIL_PORT"]) == ("smtp.example.org", 587)
    assert (got["EMAIL_HOST_USER"], got["EMAIL_HOST_PASSWORD"]) == ("mailer@example.org", "s:cret")
    assert got["EMAIL_USE_TLS"] is True and got["EMAIL_USE_SSL"] is False


def test_smtps_means_ssl_on_port_465_by_default():
    got = email_settings("smtps://relay.example.org")
    assert got["EMAIL_USE_SSL"] is True and got["EMAIL_PORT"] == 465


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("imap://host", "scheme 'imap'"),
        ("smtp://", "names no host"),
        ("smtp://host/?tls=maybe", "tls='maybe'"),
        ("smtps://host/?tls=true", "not both"),
    ],
)
def test_a_malformed_url_stops_the_start_with_a_message(url, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        email_settings(url)
