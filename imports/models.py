"""Import jobs, the lines they could not import, and archived copies of fetched pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from articles.models import Article
from corpora.models import Corpus


class ArticleSnapshot(models.Model):
    """The page an article was fetched from, kept as it came over the wire.

    Stored in the database (not on disk) so any web node or worker can serve it.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="snapshot")
    requested_url = models.URLField(max_length=2000)
    final_url = models.URLField(max_length=2000, help_text="After redirects.")
    status_code = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=200, blank=True)
    body = models.BinaryField(help_text="The raw response body, undecoded.")
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"snapshot of {self.final_url}"


class ImportJob(models.Model):
    """One import (pasted text, a file, a URL, a JSONL/CSV batch) run by a worker.

    The UI and the management command poll the counters; rows that could not
    be imported are kept as ``ImportFailure`` rows with their line numbers.
    """

    class Kind(models.TextChoices):
        TEXT = "text", "Pasted text"
        FILE = "file", "File"
        URL = "url", "Web page"
        BULK = "bulk", "JSONL/CSV batch"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    filename = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    # The upload or pasted text, kept in the database so any worker can read it.
    payload = models.BinaryField(blank=True, default=b"")
    # Metadata given with the import (title, author, outlet, source_url, published_on).
    options = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the whole job failed.")
    notices = models.JSONField(
        default=list, blank=True, help_text="Warnings about the input, e.g. unknown columns."
    )
    # One entry per try at fetching a web page: {"attempt", "at", "error"} ("" on success).
    fetch_attempts = models.JSONField(default=list, blank=True)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The article a single-document import created.",
    )
    # The articles it brought in, so a job's segmentation progress counts its own
    # articles only, even while other imports into the same corpus run.
    created_articles = models.ManyToManyField(
        Article, related_name="+", blank=True, help_text="Every article this import created."
    )
    # Background work heals itself (ops/reconciler.py): when the job's task was
    # last handed to the broker (null while it could not be), and how many
    # workers have started it since it last made progress (a committed batch).
    # At TASK_MAX_ATTEMPTS starts that never finished, the job is given up.
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["text", "file", "url", "bulk"]), name="import_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="import_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.kind}, {self.status})"


class ImportFailure(models.Model):
    """A row (or the single document) of an import that was not imported, and why."""

    class Kind(models.TextChoices):
        ERROR = "error", "Error"
        DUPLICATE = "duplicate", "Duplicate"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="failures")
    line = models.PositiveIntegerField(null=True, blank=True, help_text="1-based line number.")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ERROR)
    reason = models.TextField()

    class Meta:
        ordering = ["job_id", "line", "id"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason[:60]}"
