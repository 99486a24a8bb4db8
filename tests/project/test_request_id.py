"""Every answer carries a request id; an API server error shows it in JSON, and the log line too."""

from __future__ import annotations

import logging
import re

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.urls("tests.project.urls_failing")


@pytest.fixture
def client():
    # Answer 500 as in production instead of re-raising the view's exception.
    return Client(raise_request_exception=False)


def error_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "django.request" and r.levelno >= logging.ERROR]


def test_an_unexpected_api_exception_answers_json_with_the_request_id(client, caplog, db):
    response = client.get("/api/test-crash/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    request_id = response["X-Request-ID"]
    error = response.json()["error"]
    assert error["code"] == "server_error"
    assert error["request_id"] == request_id
    assert request_id in error["message"]
    (record,) = error_records(caplog)
    assert record.request_id == request_id
    assert record.exc_info and "unexpected bug in an API view" in str(record.exc_info[1])
    line = logging.Formatter(settings.LOGGING["formatters"]["console"]["format"]).format(record)
    assert f"[{request_id}]" in line


def test_a_sane_incoming_request_id_is_kept(client, caplog, db):
    response = client.get("/api/test-crash/", HTTP_X_REQUEST_ID="lb-2f7c9e31-aa01")
    assert response["X-Request-ID"] == "lb-2f7c9e31-aa01"
    assert response.json()["error"]["request_id"] == "lb-2f7c9e31-aa01"
    assert error_records(caplog)[0].request_id == "lb-2f7c9e31-aa01"


@pytest.mark.parametrize("incoming", ["", "short", "a b c d e f g h", "x" * 129, "id\nFAKE LOG"])
def test_an_odd_incoming_request_id_is_replaced(client, db, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_a_drf_server_error_carries_the_request_id_too(client, db):
    response = client.get("/api/test-unavailable/")
    assert response.status_code == 500
    body = response.json()
    assert body["error"]["message"] == "The upstream store did not answer."
    assert body["error"]["request_id"] == response["X-Request-ID"]


def test_a_client_error_keeps_its_shape_without_a_request_id(client, db):
    response = client.get("/api/corpora/")  # not signed in
    assert response.status_code in {401, 403}
    assert set(response.json()["error"]) == {"code", "message"}
    assert response["X-Request-ID"]


def test_a_page_error_stays_an_html_page_with_the_request_id_header(client, caplog, db):
    response = client.get("/test-page-crash/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert error_records(caplog)[0].request_id == response["X-Request-ID"]
