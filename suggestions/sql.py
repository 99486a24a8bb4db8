"""Hand-written statements of suggestions, where the ORM's cost showed in a training.

A training stores a suggestion for every labelable sentence of its corpus (57,000
in a corpus of 1,000 articles): ``bulk_create`` built a model instance and
prepared each value of each row in Python, about a third of the training's time.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

from annotator.prepared import prepared_cursor
from suggestions.models import Suggestion

_TABLE = Suggestion._meta.db_table
# Each column one array, as articles.sql stores an article's sentences.
_INSERT_UNNEST = (
    f"INSERT INTO {_TABLE} (model_id, out_of_fold, sentence_id, label, score) "
    "SELECT %(model_id)s, %(out_of_fold)s, * FROM unnest(%(sentence_id)s::bigint[], "
    "%(label)s::text[], %(score)s::double precision[])"
)
_INSERT_ROW = (
    f"INSERT INTO {_TABLE} (model_id, out_of_fold, sentence_id, label, score) "
    "VALUES (%s, %s, %s, %s, %s)"
)


def suggestions_insert(
    *,
    model_id: int,
    out_of_fold: bool,
    sentence_ids: Sequence[int],
    labels: Sequence[str],
    scores: Sequence[float],
) -> None:
    """Store one suggestion per sentence (the i-th label and score for the i-th sentence)
    of the model, all or none: one statement on PostgreSQL, one transaction elsewhere."""
    if not sentence_ids:
        return
    if connection.vendor == "postgresql":
        with prepared_cursor() as cursor:
            cursor.execute(
                _INSERT_UNNEST,
                {
                    "model_id": model_id,
                    "out_of_fold": out_of_fold,
                    "sentence_id": list(sentence_ids),
                    "label": list(labels),
                    "score": list(scores),
                },
            )
        return
    with transaction.atomic(), connection.cursor() as cursor:  # all rows or none, as on PostgreSQL
        cursor.executemany(
            _INSERT_ROW,
            [
                (model_id, out_of_fold, sid, label, score)
                for sid, label, score in zip(sentence_ids, labels, scores, strict=True)
            ],
        )
