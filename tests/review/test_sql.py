"""The review's raw statements (review/sql.py): each column lands in the field it names.

The values compared differ from column to column (a sentence's id is neither
its number of annotators nor of labels, 3 annotators give 2 labels, a label's
id is not the sentence's), so two columns swapped in a statement or in a row
type make a test fail.
"""

from __future__ import annotations

import math

import pytest
from django.db import connection

from articles.models import GoldLabel
from articles.services.annotations import annotation_set
from corpora.models import Corpus
from review.models import Disagreement
from review.services.adjudication import (
    corpus_disagreements_store,
    corpus_unanimous_gold_apply,
    gold_label_decide,
)
from review.sql import (
    RankedRow,
    RelabelRow,
    disagreements_decided_count,
    disagreements_ranked,
    disagreements_undecided_live_count,
    label_counts_table,
    unanimous_gold_relabel_rows,
    unanimous_table,
)
from tests.review.conftest import label, labelable

pytestmark = pytest.mark.django_db

# Two annotators of three chose one label, the third another.
SPLIT_ENTROPY = math.log(3) - (2 * math.log(2)) / 3


def _pick(sentences, avoid):
    """A sentence whose id differs from every value in ``avoid``."""
    return next(s for s in sentences if s.pk not in avoid)


@pytest.fixture
def split(corpus, articles, annotator, team):
    """A sentence labeled claim, claim, speculation: 3 annotators, 2 labels."""
    claim, speculation = label(corpus, "claim"), label(corpus, "speculation")
    sentence = _pick(labelable(articles[3]), {2, 3, claim.pk, speculation.pk})
    for user, chosen in ((annotator, claim), (team[0], claim), (team[1], speculation)):
        annotation_set(sentence=sentence, annotator=user, label=chosen)
    return sentence


def _ranked(sentence, entropy=SPLIT_ENTROPY) -> RankedRow:
    return RankedRow(sentence_id=sentence.pk, total=3, distinct_labels=2, entropy=entropy)


def test_label_counts_table_names_sentence_label_and_count(corpus, split):
    claim, speculation = label(corpus, "claim"), label(corpus, "speculation")
    with label_counts_table(corpus_id=corpus.pk) as table, connection.cursor() as cursor:
        cursor.execute(f"SELECT sentence_id, label_id, n FROM {table}")
        rows = sorted(cursor.fetchall())
    assert rows == sorted([(split.pk, claim.pk, 2.0), (split.pk, speculation.pk, 1.0)])


def test_live_ranking_names_each_column(corpus, split):
    (row,) = disagreements_ranked(corpus_id=corpus.pk, stored=False, after=None, limit=5, offset=0)
    assert row._asdict() == {**_ranked(split)._asdict(), "entropy": pytest.approx(SPLIT_ENTROPY)}
    assert disagreements_undecided_live_count(corpus_id=corpus.pk) == 1


def test_the_stored_ranking_lands_in_its_columns_and_reads_back_by_name(corpus, split):
    assert corpus_disagreements_store(corpus=corpus) == {
        "removed": 0,
        "added": 1,
        "disagreements": 1,
    }
    stored = Disagreement.objects.values("sentence_id", "total", "distinct_labels", "entropy")
    assert list(stored) == [
        {
            "sentence_id": split.pk,
            "total": 3,
            "distinct_labels": 2,
            "entropy": pytest.approx(SPLIT_ENTROPY),
        }
    ]
    (row,) = disagreements_ranked(corpus_id=corpus.pk, stored=True, after=None, limit=5, offset=0)
    assert row._asdict() == {**_ranked(split)._asdict(), "entropy": pytest.approx(SPLIT_ENTROPY)}


def test_a_re_ranked_sentence_is_replaced_and_decisions_are_counted(corpus, split, team, reviewer):
    corpus_disagreements_store(corpus=corpus)
    # A fourth annotator: 4 labels of 3 kinds, a new ranking for the same sentence.
    annotation_set(sentence=split, annotator=team[2], label=label(corpus, "sourced_fact"))
    assert corpus_disagreements_store(corpus=corpus) == {
        "removed": 1,
        "added": 1,
        "disagreements": 1,
    }
    stored = Disagreement.objects.get(sentence=split)
    assert (stored.total, stored.distinct_labels) == (4, 3)
    assert disagreements_decided_count(corpus_id=corpus.pk) == 0
    gold_label_decide(sentence=split, label=label(corpus, "claim"), reviewer=reviewer)
    assert disagreements_decided_count(corpus_id=corpus.pk) == 1
    assert (
        disagreements_ranked(corpus_id=corpus.pk, stored=True, after=None, limit=5, offset=0) == []
    )


def test_the_page_after_a_row_starts_below_it(corpus, articles, split, annotator, team):
    # A second, more contested sentence: 3 annotators giving 3 labels rank above 2-1.
    other = _pick(labelable(articles[1]), {2, 3})
    for user, key in ((annotator, "claim"), (team[0], "speculation"), (team[1], "sourced_fact")):
        annotation_set(sentence=other, annotator=user, label=label(corpus, key))
    first, second = disagreements_ranked(
        corpus_id=corpus.pk, stored=False, after=None, limit=5, offset=0
    )
    assert (first.sentence_id, first.distinct_labels, second.sentence_id) == (other.pk, 3, split.pk)
    after = (first.entropy, first.total, first.sentence_id)
    (row,) = disagreements_ranked(corpus_id=corpus.pk, stored=False, after=after, limit=5, offset=0)
    assert row.sentence_id == split.pk


@pytest.fixture
def unanimous(corpus, articles, annotator, team):
    """A sentence two annotators labeled claim, with unanimous gold on for the corpus."""
    Corpus.objects.filter(pk=corpus.pk).update(auto_gold_unanimous=True)
    corpus.refresh_from_db()
    claim, speculation = label(corpus, "claim"), label(corpus, "speculation")
    sentence = _pick(labelable(articles[2]), {claim.pk, speculation.pk})
    for user in (annotator, team[0]):
        annotation_set(sentence=sentence, annotator=user, label=claim)
    return sentence


def test_unanimous_gold_lands_in_its_columns(corpus, unanimous):
    assert corpus_unanimous_gold_apply(corpus=corpus) == {"created": 1, "changed": 0, "removed": 0}
    gold = GoldLabel.objects.get()
    assert (gold.sentence_id, gold.label_id, gold.origin, gold.note, gold.source) == (
        unanimous.pk,
        label(corpus, "claim").pk,
        "unanimous",
        "",
        "",
    )
    assert gold.created_at == gold.updated_at


def test_relabel_rows_name_the_sentence_and_its_new_label(corpus, unanimous, annotator, team):
    corpus_unanimous_gold_apply(corpus=corpus)
    speculation = label(corpus, "speculation")
    for user in (annotator, team[0]):
        annotation_set(sentence=unanimous, annotator=user, label=speculation)
    with (
        label_counts_table(corpus_id=corpus.pk) as counts,
        unanimous_table(counts=counts, quorum=2),
    ):
        assert unanimous_gold_relabel_rows() == [
            RelabelRow(sentence_id=unanimous.pk, label_id=speculation.pk)
        ]
    assert corpus_unanimous_gold_apply(corpus=corpus) == {"created": 0, "changed": 1, "removed": 0}
    assert GoldLabel.objects.get().label_id == speculation.pk
