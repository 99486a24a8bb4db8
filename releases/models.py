"""Dataset releases: immutable, versioned sets of files built from one read of a corpus.

Row-local rules only; building, withdrawing and the splits live in ``releases.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from articles.models import Article
from corpora.models import Corpus


class Split(models.TextChoices):
    TRAIN = "train", "Train"
    VALIDATION = "validation", "Validation"
    TEST = "test", "Test"


class Release(models.Model):
    """One published version of a corpus's dataset.

    What it holds is decided when it is requested (the options below) and read
    from the database once, in one transaction, by the build task. Once ``done``
    its files never change: they are listed with their SHA-256 in ``manifest``.
    A release can be withdrawn (hidden from researchers, with a reason), never edited.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Building"
        DONE = "done", "Published"
        FAILED = "failed", "Failed"

    class Contents(models.TextChoices):
        GOLD = "gold", "Gold labels only"
        ALL = "all", "Gold and every annotator's labels"

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="releases")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    description = models.TextField(blank=True)
    licence = models.CharField(max_length=64, help_text="An SPDX licence identifier.")
    citation = models.TextField(blank=True)
    language = models.CharField(max_length=16, default="en")
    contents = models.CharField(max_length=8, choices=Contents.choices, default=Contents.GOLD)
    # The articles it may hold (ids), or null for every article of the corpus.
    article_ids = models.JSONField(null=True, blank=True)
    show_usernames = models.BooleanField(
        default=False, help_text="Name annotators by username instead of a pseudonym."
    )
    seed = models.PositiveIntegerField(default=0)
    # Percent of new articles in each split; what earlier releases assigned stays.
    train_percent = models.PositiveSmallIntegerField(default=80)
    validation_percent = models.PositiveSmallIntegerField(default=10)
    test_percent = models.PositiveSmallIntegerField(default=10)

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    # The build's progress: sentences read so far of ``total``.
    processed = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # Self-healing (ops/reconciler.py): when the task was handed to the broker
    # (null while it could not be) and how many workers started it.
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written once, when the build ends: where its files are, what they are.
    storage_prefix = models.CharField(max_length=300, blank=True)
    manifest = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corpus_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corpus", "version"], name="release_version_unique_in_corpus"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="release_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(contents__in=["gold", "all"]), name="release_contents_valid"
            ),
            models.CheckConstraint(
                condition=Q(train_percent__gt=0)
                & Q(validation_percent__gte=0)
                & Q(test_percent__gte=0),
                name="release_split_percent_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.corpus} {self.version}"

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ArticleSplit(models.Model):
    """The split an article belongs to, kept across releases so none leaks into training.

    Assigned the first time a release holds the article; later releases reuse
    it until an owner resets the corpus's splits.
    """

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="article_splits")
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="release_split")
    split = models.CharField(max_length=12, choices=Split.choices)
    release = models.ForeignKey(
        Release, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corpus_id", "article_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(split__in=["train", "validation", "test"]), name="article_split_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.split}"


class PseudonymKey(models.Model):
    """The corpus's secret for annotator pseudonyms (an HMAC key): stable across releases."""

    corpus = models.OneToOneField(Corpus, on_delete=models.CASCADE, related_name="pseudonym_key")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"pseudonym key of {self.corpus_id}"
