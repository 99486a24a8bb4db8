"""What the labeling screen shows."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

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


def article_paragraphs(
    article: Article, user, *, start: int = 0, stop: int | None = None
) -> list[Paragraph]:
    """The article's sentences with index in [start, stop) grouped by paragraph,
    each with ``mine``: the user's annotation or None. Two queries whatever the
    length."""
    mine = Annotation.objects.filter(annotator=user).select_related("label")
    sentences = Sentence.objects.filter(article=article, index__gte=start)
    if stop is not None:
        sentences = sentences.filter(index__lt=stop)
    sentences = sentences.order_by("index").prefetch_related(
        Prefetch("annotations", queryset=mine, to_attr="my_annotations")
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


# How many sentences (headings included) the labeling screen's first response
# holds; the rest is fetched as the analyst moves (GET /api/articles/{id}/sentences/).
WINDOW_SENTENCES = 200
# Sentences shown above the first unlabeled one when the window starts there.
WINDOW_LEAD = 10


@dataclass(frozen=True)
class LabelingWindow:
    paragraphs: list[Paragraph]
    start: int  # index of the window's first sentence
    stop: int  # index after its last sentence
    sentence_count: int  # sentences in the article, headings included
    total: int  # labelable sentences in the article
    labeled: int  # of those, labeled by the user
    before: int  # labelable sentences before the window
    focus: int | None = None  # position (among labelable sentences) to open on, if asked


def labeling_window(
    *, article: Article, user, size: int = WINDOW_SENTENCES, at: int | None = None
) -> LabelingWindow:
    """The part of the article the labeling screen opens on, and the whole article's counts.

    The window starts a few sentences before the user's first unlabeled sentence
    (where the screen puts the focus), or at the top when there is none, so the
    first response stays the same size however long the article is. Six queries.
    ``at`` (a sentence index, e.g. from the re-check list) starts it there
    instead, and ``focus`` says which sentence the screen opens on (one more query).
    """
    labelable = Sentence.objects.filter(article=article, kind=Sentence.Kind.SENTENCE)
    mine = Annotation.objects.filter(annotator=user, sentence__article=article)
    # NOT IN (the user's labels here) rather than NOT EXISTS: PostgreSQL hashes the
    # list once. Before the tables of a fresh bulk import were analysed, NOT EXISTS
    # was planned as a scan of the annotations per sentence (10 s at 2,000 labels).
    first_open = (
        labelable.exclude(pk__in=mine.values("sentence_id"))
        .order_by("index")
        .values_list("index", flat=True)
        .first()
    )
    start = max(0, first_open - WINDOW_LEAD) if first_open is not None else 0
    focus = None
    if at is not None:
        start = max(0, at - WINDOW_LEAD)
        focus = labelable.filter(index__lt=at).count()
    stop = start + size
    return LabelingWindow(
        paragraphs=article_paragraphs(article, user, start=start, stop=stop),
        start=start,
        stop=stop,
        sentence_count=Sentence.objects.filter(article=article).count(),
        total=labelable.count(),
        labeled=mine.filter(sentence__kind=Sentence.Kind.SENTENCE).count(),
        before=labelable.filter(index__lt=start).count(),
        focus=focus,
    )


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


def labels_under_older_guidelines(*, corpus: Corpus, user) -> QuerySet[Annotation]:
    """The user's labels in the corpus made under guidelines older than the current version,
    by article and sentence order, for a re-check."""
    return (
        Annotation.objects.filter(
            annotator=user,
            sentence__article__corpus=corpus,
            guideline_version__lt=corpus.guidelines_version,
        )
        .select_related("label", "sentence__article")
        .defer("sentence__article__text")
        .order_by("sentence__article_id", "sentence__index")
    )
