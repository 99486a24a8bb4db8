"""What the read-only reading view shows: the article and its labels.

Members who see all labels (viewers, reviewers, owners) get every annotator's
label on every sentence and the gold label where one is settled; anyone else
gets their own labels only (annotators never see colleagues' choices). A long
article is read a part at a time (``READING_PART`` sentences); the summary
counts the whole article. Four queries whatever the article's length or the
number of annotators.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery

from articles.models import Annotation, Article, GoldLabel, Sentence
from articles.selectors.labeling import Paragraph

# Sentences (headings included) one response of the reading view holds.
READING_PART = 300


@dataclass(frozen=True)
class Reading:
    paragraphs: list[Paragraph]
    annotators: list[str]  # usernames with at least one label in the article
    labeled_sentences: int  # sentences with at least one label
    split_sentences: int  # sentences whose annotators chose different labels
    gold_sentences: int
    start: int  # index of the part's first sentence
    stop: int  # index after its last
    sentence_count: int  # sentences in the article, headings included


def _summary(article: Article, annotations, *, all_labels: bool) -> dict:
    """The whole article's figures for the side panel: two queries."""
    per_sentence = annotations.filter(sentence=OuterRef("pk")).order_by()
    labels_used = Subquery(
        per_sentence.values("sentence").annotate(n=Count("label", distinct=True)).values("n"),
        output_field=IntegerField(),
    )
    counts = (
        Sentence.objects.filter(article=article)
        .annotate(
            labels_used=labels_used,
            has_gold=Exists(GoldLabel.objects.filter(sentence=OuterRef("pk"))),
        )
        .aggregate(
            labeled=Count("pk", filter=Q(labels_used__gt=0)),
            split=Count("pk", filter=Q(labels_used__gt=1)),
            gold=Count("pk", filter=Q(has_gold=True)),
        )
    )
    annotators = (
        annotations.filter(sentence__article=article)
        .order_by("annotator__username")
        .values_list("annotator__username", flat=True)
        .distinct()
    )
    return {
        "annotators": list(annotators),
        "labeled_sentences": counts["labeled"],
        "split_sentences": counts["split"],
        "gold_sentences": counts["gold"] if all_labels else 0,
    }


def article_reading(
    article: Article, *, user, all_labels: bool, start: int = 0, size: int = READING_PART
) -> Reading:
    """The part of the article from sentence index ``start`` on, in paragraphs whose
    sentences carry ``readings`` (annotations, by annotator name), ``gold`` (a
    GoldLabel or None) and ``split`` (annotators disagree); the summary and
    ``sentence_count`` cover the whole article."""
    annotations = Annotation.objects.select_related("label", "annotator").order_by(
        "annotator__username"
    )
    if not all_labels:
        annotations = annotations.filter(annotator=user)
    sentences = (
        Sentence.objects.filter(article=article, index__gte=start, index__lt=start + size)
        .order_by("index")
        .prefetch_related(Prefetch("annotations", queryset=annotations, to_attr="readings"))
    )
    if all_labels:
        sentences = sentences.select_related("gold__label", "gold__decided_by")
    paragraphs: list[Paragraph] = []
    for sentence in sentences:
        # A missing reverse one-to-one raises an AttributeError subclass.
        gold = getattr(sentence, "gold", None) if all_labels else None
        # The page reads these as attributes set per row, like the prefetch's
        # to_attr: they are not fields the model declares.
        sentence.gold_label = gold  # type: ignore[attr-defined]
        sentence.split = len({a.label_id for a in sentence.readings}) > 1  # type: ignore[attr-defined]
        if not paragraphs or paragraphs[-1].number != sentence.paragraph:
            paragraphs.append(Paragraph(number=sentence.paragraph))
        paragraphs[-1].sentences.append(sentence)
    # The part's last sentence tells whether more follow; a count only when it is full.
    shown = sum(len(p.sentences) for p in paragraphs)
    sentence_count = (
        start + shown if shown < size else Sentence.objects.filter(article=article).count()
    )
    return Reading(
        paragraphs=paragraphs,
        **_summary(article, annotations, all_labels=all_labels),
        start=start,
        stop=start + shown,
        sentence_count=sentence_count,
    )
