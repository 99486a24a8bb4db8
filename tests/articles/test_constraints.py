"""Invariants the database holds for articles, sentences and labels, whatever code writes."""

import pytest
from django.db import IntegrityError, transaction

from articles.models import Annotation, Sentence


def test_one_label_per_sentence_and_annotator(article, annotator):
    sentence = article.sentences.filter(kind="sentence").first()
    label = article.corpus.labels.first()
    Annotation.objects.create(
        sentence=sentence, annotator=annotator, label=label, guideline_version=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(
            sentence=sentence, annotator=annotator, label=label, guideline_version=1
        )


def test_a_sentence_starts_before_it_ends(article):
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.create(article=article, index=99, start=10, end=10, paragraph=0, text="")


def test_sentence_indexes_are_unique_in_an_article(article):
    first = article.sentences.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.create(
            article=article, index=first.index, start=9000, end=9001, paragraph=0, text="x"
        )
