"""Invariants the database holds for corpora, labels and members, whatever code writes."""

import pytest
from django.db import IntegrityError, transaction

from corpora.models import Corpus, Label, Membership


def test_label_colour_must_be_hex(corpus):
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(corpus=corpus, key="odd", name="Odd", color="red", shortcut="9")


def test_label_shortcuts_are_unique_in_a_corpus(corpus):
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(corpus=corpus, key="other", name="Other", shortcut="1")


def test_overlap_is_at_least_one(corpus):
    with pytest.raises(IntegrityError), transaction.atomic():
        Corpus.objects.filter(pk=corpus.pk).update(overlap=0)


def test_one_membership_per_user_and_corpus(corpus, annotator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(corpus=corpus, user=annotator, role="viewer")


def test_a_new_corpus_starts_with_the_three_labels(corpus):
    labels = list(corpus.labels.values_list("key", "shortcut", "takes_source"))
    assert labels == [
        ("claim", "1", False),
        ("speculation", "2", False),
        ("sourced_fact", "3", True),
    ]
    assert all(corpus.labels.values_list("description", flat=True))
