"""On PostgreSQL an archive is one moment: labels written while it is exported stay out."""

from __future__ import annotations

import threading
import zipfile

import pytest
from django.db import connection

from archives.selectors import corpus_archive_export
from articles.models import Sentence
from articles.services.annotations import annotation_set
from corpora.models import Label


@pytest.mark.postgres
def test_labels_written_during_the_export_are_not_in_the_archive(
    transactional_db, corpus, article, annotator, tmp_path
):
    sentences = list(article.sentences.filter(kind=Sentence.Kind.SENTENCE).order_by("index"))
    claim = Label.objects.get(corpus=corpus, key="claim")
    annotation_set(sentence=sentences[0], annotator=annotator, label=claim)
    written = []

    def label_elsewhere() -> None:
        try:
            sentence = Sentence.objects.select_related("article__corpus").get(pk=sentences[1].pk)
            annotation_set(sentence=sentence, annotator=annotator, label=claim)
            written.append(sentence.pk)
        finally:
            connection.close()

    def progress(member: str, done: int, total: int) -> None:
        # Between reading the sentences and the annotations, another connection commits.
        if member == "sentences" and done == total and not written:
            writer = threading.Thread(target=label_elsewhere)
            writer.start()
            writer.join()

    path = tmp_path / "moment.zip"
    written_archive = corpus_archive_export(corpus=corpus, path=str(path), progress=progress)

    assert written, "the concurrent label was not written"
    assert written_archive.counts["annotations"] == 1
    assert written_archive.counts["annotation_events"] == 1
    with zipfile.ZipFile(path) as archive:
        assert len(archive.read("annotations.jsonl").splitlines()) == 1
