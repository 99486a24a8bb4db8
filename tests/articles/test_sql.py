"""The label write's raw statements (articles/sql.py): each column lands in the field it names.

Every value compared is distinct from its neighbours, so two columns swapped
in a statement (or in a row type) make a test fail.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from articles.models import Annotation, AnnotationEvent, Sentence
from articles.sql import (
    annotation_event_insert,
    annotation_event_last_version,
    annotation_locked_row,
    annotation_update,
    labeling_row,
)
from corpora.models import Corpus, Label

pytestmark = pytest.mark.django_db


@pytest.fixture
def sentence(article) -> Sentence:
    """A sentence whose index, offsets and paragraph all differ from each other."""
    sentences = article.sentences.filter(kind="sentence").order_by("index")
    chosen = next(s for s in sentences if len({s.pk, s.index, s.start, s.end, s.paragraph}) == 5)
    Corpus.objects.filter(pk=article.corpus_id).update(guidelines_version=7)
    return chosen


def test_labeling_row_names_each_column(annotator, sentence):
    label = Label.objects.get(corpus_id=sentence.article.corpus_id, key="speculation")
    row = labeling_row(user_id=annotator.pk, sentence_id=sentence.pk, label_key="speculation")
    assert row._asdict() == {
        "sentence_id": sentence.pk,
        "article_id": sentence.article_id,
        "index": sentence.index,
        "start": sentence.start,
        "end": sentence.end,
        "paragraph": sentence.paragraph,
        "kind": "sentence",
        "corpus_id": sentence.article.corpus_id,
        "article_status": "ready",
        "guidelines_version": 7,
        "role": "annotator",
        "label_id": label.pk,
        "label_name": label.name,
        "label_takes_source": label.takes_source,
    }


def test_labeling_row_is_none_for_an_outsider_and_label_none_for_an_unknown_key(
    annotator, outsider, sentence
):
    assert labeling_row(user_id=outsider.pk, sentence_id=sentence.pk, label_key="claim") is None
    row = labeling_row(user_id=annotator.pk, sentence_id=sentence.pk, label_key="no-such")
    assert (row.label_id, row.label_name, row.label_takes_source) == (None, None, None)


def test_sentence_for_labeling_builds_the_objects_from_named_values(annotator, sentence):
    from articles.access import sentence_for_labeling

    found, role, label = sentence_for_labeling(annotator, sentence.pk, label_key="sourced_fact")
    assert (found.pk, found.index, found.start, found.end, found.paragraph) == (
        sentence.pk,
        sentence.index,
        sentence.start,
        sentence.end,
        sentence.paragraph,
    )
    assert found.article.status == "ready" and found.article.corpus.guidelines_version == 7
    stored = Label.objects.get(corpus_id=sentence.article.corpus_id, key="sourced_fact")
    assert (label.pk, label.key, label.name, label.takes_source) == (
        stored.pk,
        "sourced_fact",
        stored.name,
        stored.takes_source,
    )
    assert role == "annotator"
    # Fields the statement did not read are deferred, loaded if ever read.
    assert found.text == sentence.text


def _annotation(sentence, annotator, owner) -> Annotation:
    label = Label.objects.get(corpus_id=sentence.article.corpus_id, key="sourced_fact")
    return Annotation.objects.create(
        sentence=sentence,
        annotator=annotator,
        label=label,
        note="the note",
        source="the source",
        guideline_version=3,
        version=5,
    )


def test_locked_row_names_each_column(annotator, owner, sentence):
    stored = _annotation(sentence, annotator, owner)
    Annotation.objects.filter(pk=stored.pk).update(
        updated_at=stored.created_at + dt.timedelta(hours=1)
    )
    stored.refresh_from_db()
    with transaction.atomic():
        row = annotation_locked_row(sentence_id=sentence.pk, annotator_id=annotator.pk)
    values = row._asdict()
    for name in ("created_at", "updated_at"):
        # SQLite hands raw timestamps back naive (in UTC); instance() converts them.
        if timezone.is_naive(values[name]):
            values[name] = timezone.make_aware(values[name], dt.UTC)
    assert values == {
        "id": stored.pk,
        "sentence_id": sentence.pk,
        "annotator_id": annotator.pk,
        "label_id": stored.label_id,
        "label_key": "sourced_fact",
        "note": "the note",
        "source": "the source",
        "guideline_version": 3,
        "version": 5,
        "created_at": stored.created_at,
        "updated_at": stored.updated_at,
        "suggested_by": "",
    }
    assert annotation_locked_row(sentence_id=sentence.pk, annotator_id=owner.pk) is None


def test_update_writes_each_column_it_names(annotator, owner, sentence):
    stored = _annotation(sentence, annotator, owner)
    claim = Label.objects.get(corpus_id=sentence.article.corpus_id, key="claim")
    at = timezone.now() + dt.timedelta(days=1)
    annotation_update(
        id=stored.pk,
        label_id=claim.pk,
        note="new note",
        source="new source",
        guideline_version=11,
        version=12,
        updated_at=at,
    )
    stored.refresh_from_db()
    assert (
        stored.label_id,
        stored.note,
        stored.source,
        stored.guideline_version,
        stored.version,
        stored.updated_at,
    ) == (claim.pk, "new note", "new source", 11, 12, at)


def test_event_insert_writes_each_column_it_names(annotator, owner, sentence):
    at = timezone.now() - dt.timedelta(days=2)
    annotation_event_insert(
        sentence_id=sentence.pk,
        annotator_id=annotator.pk,
        changed_by_id=owner.pk,
        action="update",
        old_label="claim",
        old_note="old note",
        old_source="old source",
        new_label="speculation",
        new_note="new note",
        new_source="new source",
        version=4,
        at=at,
    )
    event = AnnotationEvent.objects.get(sentence=sentence)
    assert (
        event.annotator_id,
        event.changed_by_id,
        event.action,
        event.old_label,
        event.old_note,
        event.old_source,
        event.new_label,
        event.new_note,
        event.new_source,
        event.version,
        event.at,
    ) == (
        annotator.pk,
        owner.pk,
        "update",
        "claim",
        "old note",
        "old source",
        "speculation",
        "new note",
        "new source",
        4,
        at,
    )
    assert annotation_event_last_version(sentence_id=sentence.pk, annotator_id=annotator.pk) == 4
    assert annotation_event_last_version(sentence_id=sentence.pk, annotator_id=owner.pk) == 0
