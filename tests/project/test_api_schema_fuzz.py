"""Property-based fuzzing of every operation against the published OpenAPI schema.

Schemathesis generates valid and invalid requests from /api/schema/ and sends
them to the WSGI application in-process, as a token client whose corpus has
an article, and runs every check it has on each answer: no server error,
status code, content type, headers and body as declared, valid requests
accepted (``positive_data_acceptance``) and invalid ones refused with a 4xx
(``negative_data_rejection``), authentication not ignored. Any failure fails
the test; at least 3,000 cases run across the API.

The operations are dealt round-robin into ``SHARDS`` tests, so that parallel test workers
share the fuzzing instead of one of them doing all of it.

A schema states shapes, not the database. So in valid (positive) cases the
references a request makes are to things that exist, as a real client's are:
path ids are swapped for real ones in half of the cases, label keys are the
corpus's, users and articles named in a body exist, an article's text is new
to the corpus, an import is of pasted text, and a cursor is left out (a
cursor only comes from a page's ``next``). Everything else is as generated.
"""

from __future__ import annotations

import itertools
import random

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from accounts.services import token_create
from annotator.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES_PER_MODE = 50
SHARDS = 4
MIN_CASES = 3000


def _real_ids(path: str, *, slug: str, article: int, sentence: int) -> dict:
    # Path ids are declared as digit strings (annotator.api.converters).
    if "{slug}" in path:
        return {"slug": slug}
    if path.startswith("/api/articles/{id}"):
        return {"id": str(article)}
    if path.startswith("/api/sentences/{id}"):
        return {"id": str(sentence)}
    return {}  # tokens: a real id would revoke the fuzzer's own token


def _number(digits) -> str | None:
    """A path id as the server reads it: ``07`` is 7."""
    return str(int(digits)) if isinstance(digits, str) and digits.isdigit() else None


class Reality:
    """What exists, for the references of valid requests."""

    def __init__(self, *, owner, annotator, article, sentences, make_user):
        self.owner, self.annotator, self.article = owner, annotator, article
        self.sentences = sentences
        self.headings = {
            str(pk) for pk in article.sentences.filter(kind="heading").values_list("pk", flat=True)
        }
        self.make_user = make_user
        self.serial = itertools.count()

    def body(self, path: str, body):
        if not isinstance(body, dict):
            return body
        body = dict(body)
        if "label" in body:
            body["label"] = self.label_for(body)
        if path.endswith("/members/") and "user" in body:
            body["user"] = self.make_user(f"fuzz{next(self.serial)}").username
        if path.endswith("/assignments/"):
            body.update(article=self.article.pk, annotator=self.annotator.pk)
        if "/assignments/{article_id}/{user_id}/" in path:
            body["annotator"] = self.annotator.pk
        if path.endswith("/assignments/bulk/"):
            body = {k: v for k, v in body.items() if k != "filters"}
            body.update(articles=[self.article.pk], annotators=[self.annotator.pk], per_article=1)
        if path.endswith("/segmentation/"):
            # A split needs `at` and a merge `next` (a rule tying fields together); the
            # sentence named is generated, so usually none: 404.
            if body.get("action") == "split":
                body.setdefault("at", 1)
            if body.get("action") == "merge":
                body.setdefault("next", 1)
        if path.startswith("/api/articles/{id}") and "archived" in body:
            body["archived"] = False  # the other cases need the article in the list
        if path.endswith("/predictions/") and isinstance(body.get("predictions"), list):
            for name in ("model_name", "model_version"):  # blank once trimmed: 400
                if not str(body.get(name, "")).strip():
                    body[name] = "outside"
            items = [i for i in body["predictions"] if isinstance(i, dict)] or [{"score": 0.5}]
            body["predictions"] = [
                {**item, "sentence": s.pk, "label": "claim"}
                for item, s in zip(items, self.sentences, strict=False)
            ]
        if path.endswith("/releases/"):
            # Language codes, split percentages adding up to 100 and ready article ids are
            # rules on values; the defaults satisfy them.
            body = {k: v for k, v in body.items() if k in ("name", "description", "citation")}
            body.update(licence="CC-BY-4.0", version=f"1.{next(self.serial)}")
        if path.endswith("/articles/") and isinstance(body.get("text"), str):
            body["text"] += f" {next(self.serial)}."
        if path.endswith("/imports/"):
            body = {k: v for k, v in body.items() if k not in ("file", "url")}
            body.update(kind="text", text=f"{body.get('text') or ''} {next(self.serial)}.")
        if isinstance(body.get("annotations"), list):
            items = [i for i in body["annotations"] if isinstance(i, dict)]
            body["annotations"] = [
                {**item, "sentence": s.pk, "label": self.label_for(item)}
                for item, s in zip(items, self.sentences, strict=False)
            ]
        return body

    @staticmethod
    def label_for(body: dict) -> str:
        # Only a sourced fact takes a source (400 otherwise).
        source = body.get("source")
        return "sourced_fact" if isinstance(source, str) and source.strip() else "claim"

    def path(self, path: str, params: dict) -> dict:
        # The last owner cannot leave or be demoted (400): act on another member.
        if "/members/{user_id}" in path and _number(params.get("user_id")) == str(self.owner.pk):
            params = {**params, "user_id": str(self.annotator.pk)}
        # Headings take no label (400): label a sentence.
        if path.startswith("/api/sentences/{id}") and _number(params.get("id")) in self.headings:
            params = {**params, "id": str(self.sentences[0].pk)}
        return params


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


def _fuzz(operation, mode, *, real: dict, reality: Reality, auth: dict, rng, counter) -> None:
    positive = mode is GenerationMode.POSITIVE

    @settings(
        max_examples=EXAMPLES_PER_MODE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        if not positive and not case.meta.generation.mode.is_negative:
            return  # nothing in this case could be made invalid
        if positive:
            if real and rng.random() < 0.5:
                case.path_parameters = {**(case.path_parameters or {}), **real}
            case.path_parameters = reality.path(operation.path, case.path_parameters or {})
            if case.query:
                case.query = {k: v for k, v in case.query.items() if k != "cursor"}
            body = reality.body(operation.path, case.body)
            if body != case.body:  # an assignment marks the body changed, even to itself
                case.body = body
        counter[0] += 1
        response = case.call(headers=auth)
        case.validate_response(response, headers=auth)

    run()


@override_settings(API_THROTTLE_RATE="100000/min")
@pytest.mark.usefixtures("in_process_requests")
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_operation_conforms_to_the_schema(
    shard, owner, annotator, corpus, article, sentence, make_user
):
    _, secret = token_create(user=owner, name="fuzzer")
    auth = {"Authorization": f"Token {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers=auth)
    reality = Reality(
        owner=owner,
        annotator=annotator,
        article=article,
        sentences=list(article.sentences.filter(kind="sentence").order_by("index")),
        make_user=make_user,
    )
    rng = random.Random(7)
    counter = [0]
    failures: list[str] = []
    operations = 0
    for index, result in enumerate(schema.get_all_operations()):
        operation = result.ok()
        operations += 1
        if index % SHARDS != shard:
            continue
        real = _real_ids(operation.path, slug=corpus.slug, article=article.pk, sentence=sentence.pk)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(
                    operation, mode, real=real, reality=reality, auth=auth, rng=rng, counter=counter
                )
            except Unsatisfiable:
                continue  # nothing in this operation can be made invalid
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported together
                failures.append(
                    f"{operation.method.upper()} {operation.path} [{mode.value}]: {exc}"
                )
    assert operations >= 38
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
    # Every shard does its share of the cases (the shares are near equal: operations are dealt
    # in turn, and each runs up to EXAMPLES_PER_MODE cases per mode).
    assert counter[0] >= MIN_CASES // SHARDS, counter[0]
