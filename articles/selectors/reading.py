"""What the read-only reading view shows: the article and its labels.

Members who see all labels (viewers, reviewers, owners) get every annotator's
label on every sentence and the gold label where one is settled; anyone else
gets their own labels only (annotators never see colleagues' choices). Two
queries whatever the article's length or the number of annotators.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from articles.models import Annotation, Article, Sentence
from articles.selectors.labeling import Paragraph


@dataclass(frozen=True)
class Reading:
    paragraphs: list[Paragraph]
    annotators: list[str]  # usernames with at least one label in the article
    labeled_sentences: int  # sentences with at least one label
    split_sentences: int  # sentences whose annotators chose different labels
    gold_sentences: int


def article_reading(article: Article, *, user, all_labels: bool) -> Reading:
    """Paragraphs whose sentences carry ``readings`` (annotations, by annotator
    name), ``gold`` (a GoldLabel or None) and ``split`` (annotators disagree)."""
    annotations = Annotation.objects.select_related("label", "annotator").order_by(
        "annotator__username"
    )
    if not all_labels:
        annotations = annotations.filter(annotator=user)
    sentences = (
        Sentence.objects.filter(article=article)
        .order_by("index")
        .prefetch_related(Prefetch("annotations", queryset=annotations, to_attr="readings"))
    )
    if all_labels:
        sentences = sentences.select_related("gold__label", "gold__decided_by")
    paragraphs: list[Paragraph] = []
    annotators: set[str] = set()
    labeled = split = gold_count = 0
    for sentence in sentences:
        # A missing reverse one-to-one raises an AttributeError subclass.
        gold = getattr(sentence, "gold", None) if all_labels else None
        is_split = len({a.label_id for a in sentence.readings}) > 1
        # The page reads these as attributes set per row, like the prefetch's
        # to_attr: they are not fields the model declares.
        sentence.gold_label = gold  # type: ignore[attr-defined]
        sentence.split = is_split  # type: ignore[attr-defined]
        annotators.update(a.annotator.username for a in sentence.readings)
        labeled += bool(sentence.readings)
        split += is_split
        gold_count += gold is not None
        if not paragraphs or paragraphs[-1].number != sentence.paragraph:
            paragraphs.append(Paragraph(number=sentence.paragraph))
        paragraphs[-1].sentences.append(sentence)
    return Reading(
        paragraphs=paragraphs,
        annotators=sorted(annotators),
        labeled_sentences=labeled,
        split_sentences=split,
        gold_sentences=gold_count,
    )
