"""Exports are foreground reads; background work sees them from another connection
and steps aside while they stream, never longer than its budget (both databases)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext

import pytest
from django.db import connection, transaction

from annotator.foreground import background_yield, foreground_busy, foreground_read
from datasets.export import export_csv, export_jsonl
from datasets.selectors import DatasetScope
from suggestions import learning, services
from suggestions.models import SuggestionModel
from suggestions.services import model_train, training_request
from tests.concurrency import held_elsewhere
from tests.suggestions.corpus_data import TOPICS, article_text, label_all

pytestmark = pytest.mark.django_db(transaction=True)


def busy_elsewhere() -> bool:
    """``foreground_busy`` as a worker asks it: from another thread, on its own connection."""
    answer: list[bool] = []

    def ask() -> None:
        try:
            answer.append(foreground_busy())
        finally:
            connection.close()

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join(30)
    return answer[0]


@contextmanager
def _marked() -> Iterator[None]:
    # PostgreSQL's mark belongs to a transaction; SQLite's (a file lock) needs none, and
    # a transaction there would hold the database's write lock.
    outer = transaction.atomic() if connection.vendor == "postgresql" else nullcontext()
    with outer, foreground_read() as marked:
        assert marked
        yield


def export_streaming_for(seconds: float):
    """Another thread holds a foreground read (as a streaming export does) for ``seconds``."""
    return held_elsewhere(_marked, seconds=seconds)


@pytest.fixture
def scope(corpus, owner):
    return DatasetScope(user_id=owner.pk, see_all=frozenset({corpus.pk}), own_only=frozenset())


@pytest.fixture
def articles(corpus, make_article):
    return [make_article(corpus, article_text(TOPICS[i : i + 3])) for i in range(3)]


@pytest.mark.parametrize("export", [export_jsonl, export_csv])
def test_an_export_is_busy_from_its_first_chunk_until_it_ends(corpus, scope, articles, export):
    assert busy_elsewhere() is False
    stream = export(corpus_id=corpus.pk, scope=scope, chunk_size=5)
    first = next(stream)
    assert first
    assert busy_elsewhere() is True
    rest = b"".join(stream)
    assert rest.endswith(b"\n")
    assert busy_elsewhere() is False


def test_an_export_abandoned_midway_is_no_longer_busy(corpus, scope, articles):
    stream = export_jsonl(corpus_id=corpus.pk, scope=scope, chunk_size=5)
    next(stream)
    assert busy_elsewhere() is True
    stream.close()  # the client went away: the server closes the response's iterator
    assert busy_elsewhere() is False


def test_a_yield_waits_for_the_export_to_end_and_no_longer_than_its_budget():
    assert background_yield(5) == 0
    with export_streaming_for(0.8):
        waited = background_yield(10)
    assert 0.5 <= waited < 5
    with export_streaming_for(1.5):
        waited = background_yield(0.3)
        assert busy_elsewhere() is True  # gave up while the export still streams
    assert 0.25 <= waited < 1.0


@pytest.fixture
def labeled(corpus, make_article, annotator, settings):
    settings.SUGGESTIONS_MIN_LABELS = 12
    for i in range(4):
        label_all(make_article(corpus, article_text(TOPICS[i * 3 : i * 3 + 3])), annotator)


def test_a_training_steps_aside_while_an_export_streams(corpus, labeled, settings):
    settings.SUGGESTIONS_YIELD_MAX_SECONDS = 60
    quiet = model_train(model_id=training_request(corpus=corpus, requested_by="owner")[0].pk)
    assert quiet.status == SuggestionModel.Status.DONE
    model, _ = training_request(corpus=corpus, requested_by="owner")
    with export_streaming_for(1.5):
        started = time.monotonic()
        trained = model_train(model_id=model.pk)
        took = time.monotonic() - started
    assert trained.status == SuggestionModel.Status.DONE
    assert took >= 1.2 > quiet.duration_ms / 1000
    assert trained.duration_ms >= 1200


def test_a_training_with_no_budget_does_not_wait(corpus, labeled, settings):
    settings.SUGGESTIONS_YIELD_MAX_SECONDS = 0
    model, _ = training_request(corpus=corpus, requested_by="owner")
    with export_streaming_for(3):
        trained = model_train(model_id=model.pk)
        assert busy_elsewhere() is True  # done while the export still streams
    assert trained.status == SuggestionModel.Status.DONE


def test_a_training_the_export_began_after_fits_nothing_while_it_streams(
    corpus, labeled, settings, monkeypatch
):
    """The export starts once the training has read its labels: every fit (the
    training's CPU) waits for it to end, as the batches of database work do."""
    settings.SUGGESTIONS_YIELD_MAX_SECONDS = 60
    later = ExitStack()
    read_labels, real_fit = services.training_set, learning.fit
    busy_at_fit: list[bool] = []

    def labels_then_an_export(**kwargs):
        data = read_labels(**kwargs)
        later.enter_context(export_streaming_for(1.0))
        return data

    def fit(*args, **kwargs):
        busy_at_fit.append(foreground_busy())
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(services, "training_set", labels_then_an_export)
    monkeypatch.setattr(learning, "fit", fit)
    model, _ = training_request(corpus=corpus, requested_by="owner")
    with later:
        trained = model_train(model_id=model.pk)
    assert trained.status == SuggestionModel.Status.DONE
    assert busy_at_fit
    assert not any(busy_at_fit)
