"""What the labeling screen shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from articles.models import Annotation, Article, Sentence


@dataclass
class Paragraph:
    number: int
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def is_heading(self) -> bool:
        return all(s.kind == Sentence.Kind.HEADING for s in self.sentences)


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
        sentence.mine = sentence.my_annotations[0] if sentence.my_annotations else None
        if not paragraphs or paragraphs[-1].number != sentence.paragraph:
            paragraphs.append(Paragraph(number=sentence.paragraph))
        paragraphs[-1].sentences.append(sentence)
    return paragraphs
