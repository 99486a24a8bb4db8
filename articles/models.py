"""Articles, their sentences, annotators' labels with their history, and gold labels.

Row-local rules only; anything that changes several rows lives in
``articles.services``. Invariants are also held by database constraints (see
docs/architecture.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, JSONField, Q, Value

from corpora.models import Corpus, Label


class ArticleQuerySet(models.QuerySet):
    def ready(self):
        return self.filter(status=Article.Status.READY)

    def visible_to(self, user):
        return self.filter(corpus__memberships__user=user)

    def current(self):
        """Articles not archived: what lists, "next article" and exports show."""
        return self.filter(archived=False)


class Article(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SEGMENTING = "segmenting", "Segmenting"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    # No index of its own: every index of the list starts with the corpus, and so
    # does the unique constraint on the text (migration 0013).
    corpus = models.ForeignKey(
        Corpus, on_delete=models.CASCADE, related_name="articles", db_index=False
    )
    title = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=300, blank=True)
    outlet = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    published_on = models.DateField(null=True, blank=True)
    text = models.TextField(help_text="Exactly as imported, line endings normalised to \\n.")
    content_hash = models.CharField(max_length=64, editable=False)
    # Not indexed on PostgreSQL, so that the status changes of segmentation update
    # the row in place (HOT: no index entry is written again, the full-text ones
    # included; the table keeps room on each page for it). The reconciler's sweep
    # of pending and segmenting articles reads the table, which holds no text
    # (PostgreSQL keeps it apart). SQLite, which keeps the text in the row, has
    # the index (migration 0013).
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
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
    # An archived article leaves the lists, "next article", assignment and every
    # export; its sentences and labels stay, and unarchiving brings it back.
    archived = models.BooleanField(default=False)
    # How many of its sentences take a label (headings do not): with
    # ArticleLabelCount, what the list's "labeled by me" compares. Derived, kept
    # by whatever writes sentences (docs/architecture.md, "Derived counts").
    labelable_count = models.PositiveIntegerField(default=0, db_default=0)
    # How many annotators hold it (review's assignments): the list's "assigned to
    # nobody" reads the articles at 0 from their own index instead of an anti-join
    # over every assignment. Derived, kept by review's assignment services, which
    # alone write assignments; the core never reads it (docs/architecture.md,
    # "Derived counts").
    assignment_count = models.PositiveIntegerField(default=0, db_default=0)
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
        # The corpus page sorts a corpus's articles by these (docs/architecture.md,
        # "The article list"), each ending with the id as the sorts do, so a page
        # is read from the index in order and the scan stops at its end (read
        # backwards for the descending sorts). Newest published first wants the
        # dates descending with no date last, which no backward scan of these
        # gives: migration 0009 adds that index on PostgreSQL. Searching has its
        # own indexes, made by migration 0003 on PostgreSQL only (trigram and
        # full-text GIN indexes).
        indexes = [
            # Also counts a corpus's list and skips to a deep page from the index alone.
            models.Index(fields=["corpus", "archived", "id"], name="article_corpus_order"),
            models.Index(
                fields=["corpus", "archived", "title", "id"], name="article_corpus_title_id"
            ),
            models.Index(
                fields=["corpus", "archived", "published_on", "id"],
                name="article_corpus_published_id",
            ),
            # "Assigned to nobody", in the list's id order.
            models.Index(
                fields=["corpus", "archived", "id"],
                condition=Q(assignment_count=0),
                name="article_corpus_unassigned",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Article {self.pk}"


class Sentence(models.Model):
    class Kind(models.TextChoices):
        SENTENCE = "sentence", "Sentence"
        HEADING = "heading", "Heading"

    # Found through the unique (article, index) constraint's index.
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="sentences", db_index=False
    )
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


class ArticleLabelCount(models.Model):
    """How many of an article's labelable sentences one annotator has labeled.

    Derived from the annotations, for the article list's "labeled by me": an
    article is fully labeled by someone when their ``labeled`` equals its
    ``labelable_count`` (a probe of their own rows, where counting their labels
    and the article's sentences cost 100-200 ms at 100,000 articles). Every
    write that adds or removes an annotation adds to it in the same
    transaction, as an increment, so label writes running side by side never
    overwrite each other's figure (docs/architecture.md, "Derived counts").
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="label_counts")
    # Found through the unique (annotator, article) constraint's index.
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    labeled = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index "labeled by me" reads: one annotator's rows.
            models.UniqueConstraint(
                fields=["annotator", "article"], name="article_label_count_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.labeled} labeled in article {self.article_id} by {self.annotator_id}"


class ReviewReason(models.TextChoices):
    """Why a label carried to a new sentence asks to be checked."""

    SPLIT = "split", "The sentence was split"
    MERGE = "merge", "Sentences were merged"
    RESEGMENTED = "resegmented", "The article was segmented again"
    TEXT = "text", "The article's text was corrected"


class Annotation(models.Model):
    """One annotator's current label on one sentence.

    ``version`` goes up on every change; a write based on an older version is
    refused, so nobody overwrites newer work unknowingly.
    """

    # Found through the unique (sentence, annotator) constraint's index.
    sentence = models.ForeignKey(
        Sentence, on_delete=models.CASCADE, related_name="annotations", db_index=False
    )
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
    # Set when a change of sentence boundaries (a split, a merge, a new segmentation, a
    # corrected text) carried this label here from a sentence that is not quite this one:
    # the label is kept, and its owner is asked to check it against the text it was made on
    # (docs/architecture.md, invariant 3: no label is lost).
    # Defaults in the database too: the hand-written INSERTs of other apps leave them out.
    needs_review = models.BooleanField(default=False, db_default=False)
    review_reason = models.CharField(
        max_length=16, choices=ReviewReason.choices, blank=True, default="", db_default=""
    )
    # The sentences the label came from, as they were: [{"text", "label", "note", "source"}].
    review_from = models.JSONField(default=list, blank=True, db_default=Value([], JSONField()))
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
    label (which deletes the annotation) leaves its history in place. Each event
    keeps the sentence's offsets and text as they were when it was written, and
    belongs to the article as well: when a change of boundaries removes the
    sentence, ``sentence`` becomes null and the event stays (docs/architecture.md,
    invariant 3: history is never deleted).
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        CLEAR = "clear", "Cleared"
        CONFIRM = "confirm", "Checked after a boundary change"
        CARRY = "carry", "Carried here by a boundary change"
        RETIRE = "retire", "Taken off by a boundary change"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="annotation_events")
    # Found through the (sentence, annotator) index.
    sentence = models.ForeignKey(
        Sentence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
    )
    sentence_start = models.PositiveIntegerField(help_text="The sentence's start then.")
    sentence_end = models.PositiveIntegerField(help_text="The sentence's end then.")
    sentence_text = models.TextField(help_text="The sentence's text then.")
    # The change of boundaries that carried or retired the label, for those actions.
    edit = models.ForeignKey(
        "SegmentationEdit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
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
    # The corpus's guidelines version when the change was made (None: recorded
    # before events carried it).
    guideline_version = models.PositiveIntegerField(null=True, blank=True)
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
    # Set when a change of sentence boundaries (a split, a merge, a new segmentation, a
    # corrected text) carried this label here from a sentence that is not quite this one:
    # the label is kept, and its owner is asked to check it against the text it was made on
    # (docs/architecture.md, invariant 3: no label is lost).
    # Defaults in the database too: the hand-written INSERTs of other apps leave them out.
    needs_review = models.BooleanField(default=False, db_default=False)
    review_reason = models.CharField(
        max_length=16, choices=ReviewReason.choices, blank=True, default="", db_default=""
    )
    # The sentences the label came from, as they were: [{"text", "label", "note", "source"}].
    review_from = models.JSONField(default=list, blank=True, db_default=Value([], JSONField()))
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


class SegmentationEdit(models.Model):
    """One change of an article's sentence boundaries: who, when, and what it replaced.

    Written by ``articles.services.boundaries`` for a split, a merge, a heading
    mark, a new segmentation of a labeled article, a corrected text and an undo.
    ``before`` and ``after`` are the sentences replaced and the ones that replaced
    them (``[{"start", "end", "paragraph", "kind", "text"}]``, offsets in
    code points of the text of the time); ``labels`` is every label and gold label
    the replaced sentences held (``[{"sentence", "annotator", "label", "note",
    "source", ...}]``, people by username and labels by key, so the rows mean the
    same in a restored archive), so an undo can put them back. Apart from
    ``undone_at``, never changed, like the label history.
    """

    class Kind(models.TextChoices):
        SPLIT = "split", "Split a sentence"
        MERGE = "merge", "Merged two sentences"
        HEADING = "heading", "Marked a heading (no label)"
        SENTENCE = "sentence", "Marked a sentence to label"
        RESEGMENT = "resegment", "Segmented again"
        TEXT = "text", "Corrected the text"
        UNDO = "undo", "Undid an edit"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="segmentation_edits"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="segmentation_edits",
        help_text="Null for a segmentation run by the system.",
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    before = models.JSONField(default=list)
    after = models.JSONField(default=list)
    labels = models.JSONField(default=list)
    # For a text correction: the whole text before it (the article holds the new one).
    old_text = models.TextField(blank=True)
    segmenter_version = models.CharField(max_length=32, blank=True)
    # For a new segmentation: the hand-made edits it applied again on the new segments
    # and those it could not, with why (``{"kept": [...], "not_kept": [...]}``).
    hand_edits = models.JSONField(default=dict, blank=True)
    # Set on a split, merge or heading mark when an "undo" edit took it back.
    undone_at = models.DateTimeField(null=True, blank=True)
    labels_carried = models.PositiveIntegerField(default=0)
    labels_for_review = models.PositiveIntegerField(default=0)
    labels_retired = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["article_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["split", "merge", "heading", "sentence", "resegment", "text", "undo"]
                ),
                name="segmentation_edit_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on article {self.article_id} by {self.by_id}"


class GoldEvent(models.Model):
    """Append-only history of every reviewer's gold decision: who, when, old and new value.

    The sentence's offsets and text are kept in the row and its sentence key is
    set to NULL if the sentence is deleted (re-segmentation), so a decision's
    history outlives the sentence it was about. Unanimous gold is derived from
    the labels (whose history is ``AnnotationEvent``) and is not recorded here.
    """

    class Action(models.TextChoices):
        DECIDE = "decide", "Decided"
        WITHDRAW = "withdraw", "Withdrawn"

    sentence = models.ForeignKey(
        Sentence, on_delete=models.SET_NULL, null=True, blank=True, related_name="gold_events"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="gold_events")
    sentence_start = models.PositiveIntegerField()
    sentence_end = models.PositiveIntegerField()
    sentence_text = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gold_events"
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    old_label = models.CharField(max_length=40, blank=True)
    old_origin = models.CharField(max_length=16, blank=True)
    old_note = models.TextField(blank=True)
    old_source = models.CharField(max_length=2000, blank=True)
    new_label = models.CharField(max_length=40, blank=True)
    new_note = models.TextField(blank=True)
    new_source = models.CharField(max_length=2000, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["article", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["decide", "withdraw"]), name="gold_event_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"gold {self.action} {self.old_label}->{self.new_label} by {self.decided_by_id}"
