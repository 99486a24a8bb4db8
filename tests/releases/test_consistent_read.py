"""A release is one moment of the database: labels written while it is built stay out
(PostgreSQL: one REPEATABLE READ snapshot; SQLite: one read transaction)."""

from __future__ import annotations

import threading

import pytest

from articles.models import Annotation, Sentence
from releases.models import Release
from releases.services.build import release_build
from releases.services.releases import release_create
from tests.releases.conftest import label

pytestmark = pytest.mark.django_db(transaction=True)


def test_labels_written_during_the_build_are_not_in_the_release(labeled_corpus, owner, annotator):
    last = Sentence.objects.filter(article__corpus=labeled_corpus).order_by("-pk").first()
    assert not Annotation.objects.filter(sentence=last).exists()
    before = Annotation.objects.count()
    written = []

    def write_a_label(read_so_far: int) -> None:
        if written:
            return
        # Another connection, as another user's request would be.
        thread = threading.Thread(target=lambda: (label(annotator, last, "claim"), _close()))
        thread.start()
        thread.join(30)
        written.append(read_so_far)

    release = release_create(
        corpus=labeled_corpus, user=owner, name="x", version="1.0", licence="MIT", contents="all"
    )
    assert release_build(release_id=release.pk, chunk_size=3, after_chunk=write_a_label) == "done"
    release = Release.objects.get(pk=release.pk)
    assert written and Annotation.objects.count() == before + 1
    assert release.counts["annotations"] == before
    assert release.processed == release.total


def _close() -> None:
    from django.db import connection

    connection.close()
