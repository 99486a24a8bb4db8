"""Assignments of articles to annotators, agreement reports and the ranked disagreements."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from articles.models import Article, Sentence
from corpora.models import Corpus


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
        indexes = [
            models.Index(fields=["annotator", "finished_at"]),
            # The article list's "assigned to": a member's articles in id order,
            # from the index alone (the list's own order).
            models.Index(fields=["annotator", "article"], name="assignment_annotator_article"),
        ]

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


class ArticleAgreement(models.Model):
    """One article's agreement figures from the latest stored report, one row each.

    The report keeps every article's figures in JSON; this copy is indexed so the
    article list can filter "agreement below a value" over a large corpus. It is
    replaced with the report by each refresh, and derived: archives leave it out.
    """

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="agreement_figures"
    )
    # No index of its own: the filter's index starts with the corpus.
    corpus = models.ForeignKey(
        Corpus, on_delete=models.CASCADE, related_name="article_agreements", db_index=False
    )
    alpha = models.FloatField(null=True, blank=True)
    percent_agreement = models.FloatField(
        null=True, blank=True, help_text="Share of agreeing pairs of labels, 0 to 1."
    )

    class Meta:
        indexes = [
            models.Index(fields=["corpus", "percent_agreement"], name="article_agreement_filter")
        ]

    def __str__(self) -> str:
        return f"agreement of article {self.article_id}: {self.percent_agreement}"


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
