"""A huge article built fast: sentences written with bulk_create at exact offsets.

Running the segmenter on 20,000 sentences would take most of a test's time; the
article built here holds what segmentation would store (docs/architecture.md,
invariant 1: every sentence is ``text[start:end]``), checked by the tests that use it.
"""

from __future__ import annotations

from articles.models import Annotation, Article, Sentence
from articles.services.label_counts import label_counts_rebuild
from corpora.models import Corpus, Label

PER_PARAGRAPH = 10
# Every HEADING_EVERY-th paragraph is a one-line heading (no label).
HEADING_EVERY = 50


def huge_article_create(*, corpus: Corpus, sentences: int = 20_000) -> Article:
    """A ready article of ``sentences`` segments, ten to a paragraph, some of them headings."""
    spans: list[tuple[int, int, int, str]] = []
    parts: list[str] = []
    pos = paragraph = 0
    index = 0
    while index < sentences:
        if paragraph % HEADING_EVERY == HEADING_EVERY - 1:
            lines = [(f"Part {paragraph // HEADING_EVERY + 1}", Sentence.Kind.HEADING)]
        else:
            lines = [
                (f"Line {index + k + 1} says something short.", Sentence.Kind.SENTENCE)
                for k in range(min(PER_PARAGRAPH, sentences - index))
            ]
        for k, (line, kind) in enumerate(lines):
            spans.append((pos, pos + len(line), paragraph, kind))
            parts.append(line)
            pos += len(line)
            separator = " " if k < len(lines) - 1 else "\n\n"
            parts.append(separator)
            pos += len(separator)
        index += len(lines)
        paragraph += 1
    text = "".join(parts).rstrip("\n")
    article = Article.objects.create(
        corpus=corpus,
        title="A very long list",
        text=text,
        content_hash=f"huge-{sentences}",
        status=Article.Status.READY,
    )
    fields = {f.name for f in Sentence._meta.fields}
    rows = []
    for i, (start, end, number, kind) in enumerate(spans):
        # Plain ASCII: UTF-16 offsets, where the model has them, equal the others.
        extra = {"start_utf16": start, "end_utf16": end} if "start_utf16" in fields else {}
        rows.append(
            Sentence(
                article=article,
                index=i,
                start=start,
                end=end,
                paragraph=number,
                kind=kind,
                text=text[start:end],
                **extra,
            )
        )
    Sentence.objects.bulk_create(rows, batch_size=5000)
    # Written around the services: the list's derived counts are counted as a restore does.
    label_counts_rebuild(corpus_id=corpus.pk)
    article.refresh_from_db()
    return article


def labels_bulk_set(*, article: Article, user, count: int, key: str = "claim") -> None:
    """The first ``count`` labelable sentences labeled by ``user`` (history left out)."""
    label = Label.objects.get(corpus=article.corpus, key=key)
    sentences = Sentence.objects.filter(article=article, kind=Sentence.Kind.SENTENCE).order_by(
        "index"
    )[:count]
    Annotation.objects.bulk_create(
        [
            Annotation(sentence=s, annotator=user, label=label, guideline_version=1)
            for s in sentences
        ]
    )
    label_counts_rebuild(corpus_id=article.corpus_id)
