"""The dataset row's one declared shape (datasets.selectors.DatasetRow) and its serializers.

The listing builds its rows in the selector (measured faster than writing them
through DatasetRowSerializer); the serializers document the schema. These tests
fail when the two drift apart: a field added, dropped, renamed or moved on
either side, or a row the serializer would write differently.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from articles.models import GoldLabel
from articles.services.annotations import annotation_set
from corpora.models import Label
from datasets.api import serializers
from datasets.selectors import (
    DatasetAnnotation,
    DatasetArticle,
    DatasetGold,
    DatasetRow,
    DatasetSentence,
    dataset_listing,
    dataset_rows,
)

PAIRS = [
    (serializers.DatasetRowSerializer, DatasetRow),
    (serializers.DatasetArticleSerializer, DatasetArticle),
    (serializers.DatasetSentenceSerializer, DatasetSentence),
    (serializers.DatasetAnnotationSerializer, DatasetAnnotation),
    (serializers.DatasetGoldSerializer, DatasetGold),
]


@pytest.mark.parametrize(("serializer", "shape"), PAIRS)
def test_the_serializer_declares_the_row_fields_in_order(serializer, shape):
    assert list(serializer().fields) == list(shape.__annotations__)


def test_nested_serializers_are_the_shapes_of_the_nested_fields():
    fields = serializers.DatasetRowSerializer().fields
    assert isinstance(fields["article"], serializers.DatasetArticleSerializer)
    assert isinstance(fields["sentence"], serializers.DatasetSentenceSerializer)
    assert isinstance(fields["annotations"].child, serializers.DatasetAnnotationSerializer)
    assert isinstance(fields["gold"], serializers.DatasetGoldSerializer)


@pytest.mark.django_db
def test_the_serializer_writes_the_rows_the_selector_builds(article, annotator, reviewer, owner):
    article.published_on = timezone.localdate()
    article.save(update_fields=["published_on"])
    s1, s2 = article.sentences.filter(kind="sentence").order_by("index")[:2]
    claim = Label.objects.get(corpus=article.corpus, key="claim")
    fact = Label.objects.get(corpus=article.corpus, key="sourced_fact")
    annotation_set(sentence=s1, annotator=annotator, label=claim, note="a note")
    annotation_set(sentence=s2, annotator=reviewer, label=fact, source="Reuters")
    GoldLabel.objects.create(sentence=s1, label=claim, origin="adjudicated", decided_by=owner)
    listing = dataset_listing(user=User.objects.get(pk=owner.pk), corpus_id=article.corpus_id)
    rows = dataset_rows(sentence_ids=[s.pk for s in listing.sentences], scope=listing.scope)
    by_id = {row["sentence"]["id"]: row for row in rows}
    assert by_id[s1.pk]["gold"] is not None and by_id[s2.pk]["annotations"]
    assert by_id[s1.pk]["article"]["published_on"] is not None
    written = serializers.DatasetRowSerializer(rows, many=True).data
    assert json.dumps(written) == json.dumps(rows)
