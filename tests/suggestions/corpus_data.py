"""A small labeled corpus whose labels a model can learn: each label has its own words."""

from __future__ import annotations

from articles.models import Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label

# The model must learn these from words the cue baseline does not know, so a
# trained model beats the cue baseline on them.
PATTERNS = {
    "claim": "The {0} plan is a scandal and a waste of public money.",
    "speculation": "Next winter the {0} scheme collapses under its own costs.",
    "sourced_fact": "Ministry records put the {0} budget at four million euros.",
}
TOPICS = [
    "harbour", "tram", "school", "museum", "river", "grain", "housing", "bridge", "library",
    "airport", "clinic", "stadium",
]  # fmt: skip


def article_text(topics: list[str]) -> str:
    """Paragraph after paragraph, one sentence per label and topic, in a fixed order."""
    return "\n".join(
        " ".join(PATTERNS[label].format(topic) for label in PATTERNS) for topic in topics
    )


def expected_label(text: str) -> str:
    for label, pattern in PATTERNS.items():
        if pattern.split("{0}")[1] in text:
            return label
    raise AssertionError(text)


def label_all(article, user, *, limit: int | None = None) -> int:
    """Label the article's sentences as their pattern says; how many were labeled."""
    labels = {label.key: label for label in Label.objects.filter(corpus=article.corpus)}
    sentences = article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index")
    done = 0
    for sentence in sentences[:limit] if limit else sentences:
        annotation_set(
            sentence=sentence, annotator=user, label=labels[expected_label(sentence.text)]
        )
        done += 1
    return done
