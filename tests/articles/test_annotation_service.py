"""Labels: versions, conflicts, idempotent retries and the history.

docs/architecture.md, invariant 3: no label is lost.
"""

import pytest
from django.core.exceptions import ValidationError

from articles.exceptions import VersionConflict
from articles.models import Annotation, AnnotationEvent, Sentence
from articles.services.annotations import annotation_clear, annotation_set
from corpora.services.corpora import corpus_guidelines_update


@pytest.fixture
def sentence(article):
    return article.sentences.filter(kind=Sentence.Kind.SENTENCE).first()


@pytest.fixture
def labels(corpus):
    return {label.key: label for label in corpus.labels.all()}


def test_it_creates_a_label_and_records_it(sentence, annotator, labels):
    result = annotation_set(
        sentence=sentence,
        annotator=annotator,
        label=labels["claim"],
        note=" why ",
        expected_version=0,
    )
    assert result.created and result.changed
    assert result.annotation.version == 1
    assert result.annotation.note == "why"
    assert result.annotation.guideline_version == sentence.article.corpus.guidelines_version
    event = AnnotationEvent.objects.get()
    assert (event.action, event.old_label, event.new_label, event.changed_by) == (
        "create",
        "",
        "claim",
        annotator,
    )


def test_changing_a_label_keeps_the_old_value_in_history(sentence, annotator, labels):
    annotation_set(
        sentence=sentence, annotator=annotator, label=labels["claim"], expected_version=0
    )
    result = annotation_set(
        sentence=sentence,
        annotator=annotator,
        label=labels["sourced_fact"],
        source="https://example.org/report",
        expected_version=1,
    )
    assert result.annotation.version == 2
    events = list(
        AnnotationEvent.objects.values_list(
            "action", "old_label", "new_label", "new_source", "version"
        )
    )
    assert events == [
        ("create", "", "claim", "", 1),
        ("update", "claim", "sourced_fact", "https://example.org/report", 2),
    ]


def test_a_stale_write_is_refused_with_the_current_value(sentence, annotator, labels):
    annotation_set(
        sentence=sentence, annotator=annotator, label=labels["claim"], expected_version=0
    )
    annotation_set(
        sentence=sentence, annotator=annotator, label=labels["speculation"], expected_version=1
    )
    with pytest.raises(VersionConflict) as exc:
        annotation_set(
            sentence=sentence, annotator=annotator, label=labels["sourced_fact"], expected_version=1
        )
    assert exc.value.current.label.key == "speculation"
    assert exc.value.current.version == 2
    assert Annotation.objects.get().label.key == "speculation"


def test_a_retried_write_that_landed_is_not_a_conflict(sentence, annotator, labels):
    first = annotation_set(
        sentence=sentence, annotator=annotator, label=labels["claim"], expected_version=0
    )
    again = annotation_set(
        sentence=sentence, annotator=annotator, label=labels["claim"], expected_version=0
    )
    assert not again.changed
    assert again.annotation.pk == first.annotation.pk
    assert AnnotationEvent.objects.count() == 1


def test_clearing_keeps_history_and_versions_keep_rising(sentence, annotator, labels):
    annotation_set(
        sentence=sentence, annotator=annotator, label=labels["claim"], expected_version=0
    )
    annotation_clear(sentence=sentence, annotator=annotator, expected_version=1)
    assert not Annotation.objects.exists()
    with pytest.raises(VersionConflict):
        # A client still holding version 1 must not overwrite blindly.
        annotation_set(
            sentence=sentence, annotator=annotator, label=labels["speculation"], expected_version=1
        )
    result = annotation_set(
        sentence=sentence, annotator=annotator, label=labels["speculation"], expected_version=0
    )
    assert result.annotation.version == 3
    actions = list(AnnotationEvent.objects.values_list("action", "old_label", "new_label"))
    assert actions == [
        ("create", "", "claim"),
        ("clear", "claim", ""),
        ("create", "", "speculation"),
    ]


def test_annotators_labels_are_independent(sentence, annotator, reviewer, labels):
    annotation_set(
        sentence=sentence, annotator=annotator, label=labels["claim"], expected_version=0
    )
    annotation_set(
        sentence=sentence, annotator=reviewer, label=labels["speculation"], expected_version=0
    )
    assert Annotation.objects.count() == 2


def test_a_heading_takes_no_label(article, annotator, labels):
    heading = article.sentences.filter(kind=Sentence.Kind.HEADING).first()
    with pytest.raises(ValidationError) as exc:
        annotation_set(sentence=heading, annotator=annotator, label=labels["claim"])
    assert "heading" in exc.value.message_dict["sentence"][0]


def test_a_label_of_another_corpus_is_refused(sentence, annotator, outsider):
    foreign = outsider.corpora.get().labels.first()
    with pytest.raises(ValidationError) as exc:
        annotation_set(sentence=sentence, annotator=annotator, label=foreign)
    assert "another corpus" in exc.value.message_dict["label"][0]
    assert not Annotation.objects.exists()


def test_a_source_needs_a_label_that_takes_one(sentence, annotator, labels):
    with pytest.raises(ValidationError) as exc:
        annotation_set(
            sentence=sentence, annotator=annotator, label=labels["claim"], source="Reuters, 3 March"
        )
    assert "takes no source" in exc.value.message_dict["source"][0]


def test_labels_record_the_guideline_version_they_were_made_under(sentence, annotator, labels):
    corpus = sentence.article.corpus
    corpus_guidelines_update(corpus=corpus, guidelines="# New rules\n")
    assert corpus.guidelines_version == 2
    sentence = Sentence.objects.select_related("article__corpus").get(pk=sentence.pk)
    result = annotation_set(sentence=sentence, annotator=annotator, label=labels["claim"])
    assert result.annotation.guideline_version == 2
