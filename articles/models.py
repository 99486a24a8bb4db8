"""Corpora, articles, sentences and annotators' labels.

Row-local rules only; anything that changes several rows lives in
``articles.services``. Invariants are also held by database constraints.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class Corpus(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    guidelines = models.TextField(blank=True, help_text="Markdown.")
    guidelines_version = models.PositiveIntegerField(default=1)
    overlap = models.PositiveSmallIntegerField(
        default=1, help_text="How many annotators label each article."
    )
    auto_gold_unanimous = models.BooleanField(
        default=False, help_text="Sentences on which every annotator agrees become gold."
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="corpora"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "corpora"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(overlap__gte=1), name="corpus_overlap_positive"),
            models.CheckConstraint(
                condition=Q(guidelines_version__gte=1), name="corpus_guidelines_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANNOTATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "corpus"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.corpus}"


class Label(models.Model):
    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="labels")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    color = models.CharField(max_length=7, default="#4063d8", help_text="#rrggbb")
    shortcut = models.CharField(max_length=1, help_text="One digit or letter.")
    takes_source = models.BooleanField(
        default=False, help_text="Annotators attach the source (URL or citation) it rests on."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["corpus_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["corpus", "key"], name="label_key_unique"),
            models.UniqueConstraint(fields=["corpus", "shortcut"], name="label_shortcut_unique"),
            models.CheckConstraint(
                condition=Q(color__regex=r"^#[0-9a-fA-F]{6}$"), name="label_color_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
    # The import that created it, so a job's segmentation progress counts its own
    # articles only, even while other imports into the corpus run.
    import_job = models.ForeignKey(
        "ImportJob",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
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


class WorkerHeartbeat(models.Model):
    """Last sign of life of a Celery worker, so pages can tell when none is running."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at}"


class Assignment(models.Model):
    """An article given to an annotator, by "next article" or by an owner's hand.

    ``finished_at`` records when the workflow first saw every labelable sentence
    labeled by the annotator; whether an article is finished is always decided
    from the labels themselves, this only dates it.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments_made",
        help_text="Empty when the annotator took it with 'next article'.",
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "annotator"], name="assignment_one_per_article_annotator"
            ),
        ]
        indexes = [models.Index(fields=["annotator", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.article_id} -> {self.annotator_id}"


class AgreementReport(models.Model):
    """The latest agreement figures of a corpus, computed in the background.

    One row per corpus, replaced by each computation. ``refresh_queued_at`` is
    the debounce marker: the time a queued recomputation is due, cleared when a
    worker starts it, so a burst of label changes queues one task, not many.
    """

    corpus = models.OneToOneField(Corpus, on_delete=models.CASCADE, related_name="agreement")
    computed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    labels_seen = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict, blank=True)
    refresh_queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the queued refresh is due; empty when none is."
    )
    error = models.TextField(blank=True, help_text="Why the last computation failed.")
    articles = models.JSONField(
        default=list,
        blank=True,
        help_text="Per-article figures (alpha, agreement, Cohen's kappa per pair); kept apart "
        "from data so the dashboard does not load them.",
    )
    disagreements_at = models.DateTimeField(
        null=True, blank=True, help_text="When the disagreement ranking was last stored."
    )
    disagreements = models.PositiveIntegerField(
        default=0, help_text="How many disagreements that ranking holds, decided or not."
    )

    def __str__(self) -> str:
        return f"agreement of {self.corpus_id} at {self.computed_at}"


class Disagreement(models.Model):
    """A sentence whose annotators disagree, ranked for the adjudication queue.

    Stored for the whole corpus by the background refresh, so the queue pages
    through an index (keyset on entropy, annotators, sentence) instead of
    ranking every label on each visit. Decided sentences are filtered out when
    read, so a decision takes them off the queue at once.
    """

    sentence = models.OneToOneField(
        Sentence, on_delete=models.CASCADE, primary_key=True, related_name="disagreement"
    )
    # No index of its own: the queue index starts with the corpus.
    corpus = models.ForeignKey(
        Corpus, on_delete=models.CASCADE, related_name="disagreements", db_index=False
    )
    entropy = models.FloatField(help_text="Entropy of the sentence's labels (nats).")
    total = models.PositiveIntegerField(help_text="How many annotators labeled the sentence.")
    distinct_labels = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["corpus", "-entropy", "-total", "sentence"], name="disagreement_queue_order"
            )
        ]

    def __str__(self) -> str:
        return f"disagreement on {self.sentence_id} ({self.entropy:.3f})"
