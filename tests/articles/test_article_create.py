"""Importing one article: validation, normalisation, duplicates, queueing."""

import pytest
from django.core.exceptions import ValidationError

from articles.models import Article
from articles.services.articles import article_create


def test_it_stores_the_text_with_normalised_line_endings(corpus):
    article = article_create(corpus=corpus, text="First line.\r\nSecond <b>line</b>.\rThird.")
    assert article.text == "First line.\nSecond <b>line</b>.\nThird."
    assert article.status == Article.Status.PENDING
    assert len(article.content_hash) == 64


def test_it_queues_segmentation_when_the_transaction_commits(
    corpus, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        article_create(corpus=corpus, text="One sentence here.")
    assert len(callbacks) == 1


def test_it_refuses_a_duplicate_text_in_the_same_corpus(corpus, outsider):
    article_create(corpus=corpus, text="Same text.", title="First")
    with pytest.raises(ValidationError) as exc:
        article_create(corpus=corpus, text="Same text.\r\n".rstrip(), title="Second")
    assert "already in the corpus" in str(exc.value)
    assert "First" in str(exc.value)
    assert Article.objects.filter(corpus=corpus).count() == 1


def test_the_same_text_may_live_in_another_corpus(corpus, outsider):
    other = outsider.corpora.get()
    article_create(corpus=corpus, text="Shared text.")
    article_create(corpus=other, text="Shared text.")
    assert Article.objects.count() == 2


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("   \n\t ", "text", "no text"),
        ("binary\x00junk", "text", "NUL"),
    ],
)
def test_it_refuses_unusable_text(corpus, text, field, message):
    with pytest.raises(ValidationError) as exc:
        article_create(corpus=corpus, text=text)
    assert message in exc.value.message_dict[field][0]
    assert not Article.objects.exists()


def test_it_refuses_oversized_text(corpus, settings):
    settings.MAX_ARTICLE_CHARS = 1000
    with pytest.raises(ValidationError) as exc:
        article_create(corpus=corpus, text="x" * 1001)
    assert "limit is 1,000" in exc.value.message_dict["text"][0]


def test_it_refuses_a_malformed_source_url(corpus):
    with pytest.raises(ValidationError) as exc:
        article_create(corpus=corpus, text="Fine text.", source_url="javascript:alert(1)")
    assert "source_url" in exc.value.message_dict
