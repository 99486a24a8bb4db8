"""A corpus's rows as plain values, for comparing a restored corpus with its original.

Written apart from archives.format on purpose: every concrete field of every
model a corpus owns is read from the model's metadata here, so a field the
archive forgot shows up as a difference. Surrogate keys are left out; a
foreign key becomes the username (users), "the corpus", or the position of
the row it points to among its model's rows in id order (a restore keeps that
order).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    GoldEvent,
    GoldLabel,
    SegmentationEdit,
    Sentence,
)
from corpora.models import Corpus, GuidelineVersion, Label, Membership
from imports.models import ArticleSnapshot
from review.models import Assignment
from suggestions.models import SuggestionSettings

OWNED = [
    (Corpus, "pk"),
    (GuidelineVersion, "corpus"),
    (Label, "corpus"),
    (Membership, "corpus"),
    (Article, "corpus"),
    (Sentence, "article__corpus"),
    (Annotation, "sentence__article__corpus"),
    (SegmentationEdit, "article__corpus"),
    (AnnotationEvent, "article__corpus"),
    (GoldLabel, "sentence__article__corpus"),
    (GoldEvent, "article__corpus"),
    (Assignment, "article__corpus"),
    (ArticleSnapshot, "article__corpus"),
    (SuggestionSettings, "corpus"),
]


def corpus_state(corpus: Corpus) -> dict[str, list[dict]]:
    User = get_user_model()
    usernames = dict(User.objects.values_list("pk", "username"))
    rows = {
        model: list(model._default_manager.filter(**{lookup: corpus.pk}).order_by("pk"))
        for model, lookup in OWNED
    }
    position = {model: {obj.pk: i for i, obj in enumerate(objs)} for model, objs in rows.items()}
    state: dict[str, list[dict]] = {}
    for model, objs in rows.items():
        out = []
        for obj in objs:
            row = {}
            for field in model._meta.concrete_fields:
                if field.primary_key:
                    continue
                value = getattr(obj, field.attname)
                if field.is_relation and value is not None:
                    if field.related_model is User:
                        value = ("user", usernames[value])
                    elif field.related_model is Corpus:
                        assert value == corpus.pk
                        value = ("the corpus",)
                    else:
                        target = field.related_model
                        value = (target.__name__, position[target][value])
                elif isinstance(value, memoryview):
                    value = bytes(value)
                row[field.name] = value
            out.append(row)
        state[model.__name__] = out
    return state
