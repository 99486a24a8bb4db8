"""Articles, their sentences, annotators' labels with their history, and gold labels.

Row-local rules only; anything that changes several rows lives in
``articles.services``. Invariants are also held by database constraints (see
docs/architecture.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from corpora.models import Corpus, Label


class ArticleQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=Article.Status.READY)

    def visible_to(self, user):
        return self.filter(corpus__memberships__user=user)


class Article(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SEGMENTING = "segmenting", "Segmenting"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=300, blank=True)
    outlet = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    published_on = models.DateField(null=True, blank=True)
    text = models.TextField(help_text="Exactly as imported, line endings normalised to \\n.")
    content_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    failure_reason = models.TextField(blank=True)
    segmenter_version = models.CharField(max_length=32, blank=True)
    # The Celery task that holds the "segmenting" claim, and since when.
    segmentation_task_id = models.CharField(max_length=64, blank=True)
    # Background work heals itself (ops/reconciler.py): when the segmentation
    # task was last handed to the broker (null while it could not be), and how
    # many workers have started it. A start that never finishes (the worker was
    # killed) is counted; at TASK_MAX_ATTEMPTS the article is given up as failed.
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["corpus_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corpus", "content_hash"], name="article_text_unique_in_corpus"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "segmenting", "ready", "failed"]),
                name="article_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Article {self.pk}"


class Sentence(models.Model):
    class Kind(models.TextChoices):
        SENTENCE = "sentence", "Sentence"
        HEADING = "heading", "Heading"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sentences")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    paragraph = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SENTENCE)
    text = models.TextField()

    class Meta:
        ordering = ["article_id", "index"]
        constraints = [
            models.UniqueConstraint(fields=["article", "index"], name="sentence_index_unique"),
            models.UniqueConstraint(fields=["article", "start"], name="sentence_start_unique"),
            models.CheckConstraint(
                condition=Q(start__lt=F("end")), name="sentence_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["sentence", "heading"]), name="sentence_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}#{self.index}: {self.text[:60]}"


class Annotation(models.Model):
    """One annotator's current label on one sentence.

    ``version`` goes up on every change; a write based on an older version is
    refused, so nobody overwrites newer work unknowingly.
    """

    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="annotations")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations"
    )
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="annotations")
    note = models.TextField(blank=True)
    source = models.CharField(
        max_length=2000, blank=True, help_text="For a sourced fact: the URL or citation."
    )
    guideline_version = models.PositiveIntegerField()
    version = models.PositiveIntegerField(default=1)
    suggested_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="The machine suggestion a person accepted to set this label (model name and "
        "version); empty when the person chose the label themselves.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sentence", "annotator"], name="annotation_one_per_sentence_annotator"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="annotation_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.annotator} on {self.sentence_id}: {self.label_id}"


class AnnotationEvent(models.Model):
    """Append-only history of every label change: who, when, old and new value.

    Kept by sentence and annotator rather than by annotation row, so clearing a
    label (which deletes the annotation) leaves its history in place.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        CLEAR = "clear", "Cleared"

    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="events")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotation_events"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="annotation_changes",
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    old_label = models.CharField(max_length=40, blank=True)
    old_note = models.TextField(blank=True)
    old_source = models.CharField(max_length=2000, blank=True)
    new_label = models.CharField(max_length=40, blank=True)
    new_note = models.TextField(blank=True)
    new_source = models.CharField(max_length=2000, blank=True)
    version = models.PositiveIntegerField(help_text="The annotation's version after the change.")
    suggested_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="The machine suggestion a person accepted to make this change (model name and "
        "version); empty when the person chose the label themselves.",
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["sentence", "annotator"])]

    def __str__(self) -> str:
        return f"{self.action} {self.old_label}->{self.new_label} by {self.changed_by_id}"


class GoldLabel(models.Model):
    """The settled label of a sentence: unanimous, or chosen by a reviewer."""

    class Origin(models.TextChoices):
        UNANIMOUS = "unanimous", "Unanimous"
        ADJUDICATED = "adjudicated", "Adjudicated"

    sentence = models.OneToOneField(Sentence, on_delete=models.CASCADE, related_name="gold")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="gold_labels")
    origin = models.CharField(max_length=16, choices=Origin.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="gold_decisions",
    )
    note = models.TextField(blank=True)
    source = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(origin__in=["unanimous", "adjudicated"]), name="gold_origin_valid"
            ),
            models.CheckConstraint(
                condition=Q(origin="unanimous") | Q(decided_by__isnull=False),
                name="gold_adjudicated_has_reviewer",
            ),
        ]
        indexes = [
            # The adjudication queue counts reviewers' decisions among its sentences.
            models.Index(
                fields=["sentence"],
                condition=Q(origin="adjudicated"),
                name="gold_adjudicated_sentence",
            )
        ]

    def __str__(self) -> str:
        return f"gold {self.label_id} on {self.sentence_id} ({self.origin})"
