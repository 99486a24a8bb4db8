"""Management commands: the demo loader and the re-queue of failed or stuck articles."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles.models import Article
from corpora.models import Corpus


def test_load_demo_creates_the_corpus_and_prints_the_users(db, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("load_demo", stdout=out)
    corpus = Corpus.objects.get(slug="demo")
    assert corpus.articles.count() >= 1
    assert corpus.memberships.count() == 3
    assert "analyst / analyst-demo-2026" in out.getvalue()
    assert len(callbacks) == corpus.articles.count()


def test_load_demo_refuses_in_production_and_creates_no_account(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refuses to run with ANNOTATOR_MODE=production"):
        call_command("load_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()
    assert not Corpus.objects.exists()


def test_load_demo_twice_changes_nothing(db):
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert Corpus.objects.count() == 1
    assert Article.objects.count() == Corpus.objects.get().articles.count()


def test_requeue_takes_failed_and_stuck_articles(
    corpus, make_article, django_capture_on_commit_callbacks
):
    failed = make_article(corpus, "First text here.", segment=False)
    stuck = make_article(corpus, "Second text here.", segment=False)
    fresh = make_article(corpus, "Third text here.", segment=False)
    Article.objects.filter(pk=failed.pk).update(status="failed", failure_reason="boom")
    Article.objects.filter(pk=stuck.pk).update(
        status="segmenting", status_changed_at=timezone.now() - timedelta(hours=2)
    )
    out = StringIO()
    with django_capture_on_commit_callbacks() as callbacks:
        call_command("requeue_articles", stdout=out)
    assert "Re-queued 2 article(s)" in out.getvalue()
    assert len(callbacks) == 2
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {failed.pk: "pending", stuck.pk: "pending", fresh.pk: "pending"}
    assert Article.objects.get(pk=failed.pk).failure_reason == ""


def test_requeue_stuck_only_leaves_failed_articles(corpus, make_article):
    failed = make_article(corpus, "First text here.", segment=False)
    Article.objects.filter(pk=failed.pk).update(status="failed")
    call_command("requeue_articles", "--stuck-only", stdout=StringIO())
    assert Article.objects.get(pk=failed.pk).status == "failed"
