"""What the labeling screen shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from articles.models import Annotation, Article, Sentence
from corpora.models import Corpus, Label


@dataclass
class Paragraph:
    number: int
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def is_heading(self) -> bool:
        return all(s.kind == Sentence.Kind.HEADING for s in self.sentences)


def corpus_labels(*, corpus: Corpus) -> list[Label]:
    """The corpus's labels in its order: the keys, names and colours a page offers."""
    return list(corpus.labels.all())


def article_paragraphs(article: Article, user) -> list[Paragraph]:
    """The article's sentences grouped by paragraph, each with ``mine``: the
    user's annotation or None. Two queries whatever the length."""
    mine = Annotation.objects.filter(annotator=user).select_related("label")
    sentences = (
        Sentence.objects.filter(article=article)
        .order_by("index")
        .prefetch_related(Prefetch("annotations", queryset=mine, to_attr="my_annotations"))
    )
    paragraphs: list[Paragraph] = []
    for sentence in sentences:
        own = sentence.my_annotations[0] if sentence.my_annotations else None
        # The page reads the caller's label as sentence.mine: set per row, like the
        # prefetch's to_attr, and not a field the model declares.
        sentence.mine = own  # type: ignore[attr-defined]
        if not paragraphs or paragraphs[-1].number != sentence.paragraph:
            paragraphs.append(Paragraph(number=sentence.paragraph))
        paragraphs[-1].sentences.append(sentence)
    return paragraphs


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def split_headline(
    article: Article, paragraphs: list[Paragraph]
) -> tuple[Sentence | None, list[Paragraph]]:
    """The article's first segment when it is a heading repeating the title, and
    the paragraphs without it.

    Many articles start with their own headline. The page then shows that
    segment, exactly as imported, as its title instead of the title metadata,
    so the headline reads once and no text is dropped (docs/architecture.md,
    invariant 1: the sentences cover the whole text).
    """
    if not paragraphs or not article.title.strip():
        return None, paragraphs
    first = paragraphs[0].sentences[0]
    if first.kind != Sentence.Kind.HEADING or not _same_words(first.text, article.title):
        return None, paragraphs
    rest = Paragraph(number=paragraphs[0].number, sentences=paragraphs[0].sentences[1:])
    return first, ([rest] if rest.sentences else []) + paragraphs[1:]
