"""Property-based fuzzing of every operation against the published OpenAPI schema.

Schemathesis generates valid and invalid requests from /api/schema/ and sends
them to the WSGI application in-process, as a token client whose corpus has
an article, so the success paths are reached too (path ids are swapped for
real ones in half of the cases). Zero server errors, zero answers outside the
schema: any status, content type or body the schema does not declare fails.
"""

from __future__ import annotations

import random

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import token_create
from annotator.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES_PER_MODE = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _real_ids(path: str, *, slug: str, article: int, sentence: int) -> dict:
    if "{slug}" in path:
        return {"slug": slug}
    if path.startswith("/api/articles/{id}"):
        return {"id": article}
    if path.startswith("/api/sentences/{id}"):
        return {"id": sentence}
    return {}  # tokens: a real id would revoke the fuzzer's own token


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection (and its transaction) across WSGI calls.

    Django closes connections when a request finishes; its own test client
    turns that off for the same reason.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _fuzz(operation, mode, *, real: dict, auth: dict, chooser: random.Random) -> None:
    @settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        if real and mode is GenerationMode.POSITIVE and chooser.random() < 0.5:
            case.path_parameters = {**(case.path_parameters or {}), **real}
        response = case.call(headers=auth)
        case.validate_response(response, checks=CHECKS, headers=auth)

    run()


@override_settings(API_THROTTLE_RATE="100000/min")
@pytest.mark.usefixtures("in_process_requests")
def test_every_operation_conforms_to_the_schema(owner, corpus, article, sentence):
    _, secret = token_create(user=owner, name="fuzzer")
    auth = {"Authorization": f"Token {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=auth)
    chooser = random.Random(7)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        real = _real_ids(operation.path, slug=corpus.slug, article=article.pk, sentence=sentence.pk)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, real=real, auth=auth, chooser=chooser)
            except Unsatisfiable:
                continue  # nothing in this operation can be made invalid
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported together
                failures.append(
                    f"{operation.method.upper()} {operation.path} [{mode.value}]: {exc}"
                )
    assert operations >= 13
    assert not failures, "\n\n".join(failures)
