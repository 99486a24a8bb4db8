"""Machine suggestions, stored apart from human labels.

A ``SuggestionModel`` is one versioned source of suggestions for a corpus:
a model trained here on the corpus's labels (``kind=trained``, versions 1, 2,
...) or an outside model whose predictions an API client posted
(``kind=external``, named and versioned by the client). Its ``Suggestion``
rows are its label and score for sentences. Nothing here is an
``Annotation``: accepting a suggestion stores a person's label through the
annotation service, which records the model version it came from.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from articles.models import Sentence
from corpora.models import Corpus


class NextPolicy(models.TextChoices):
    DOCUMENT = "document", "Document order"
    LEAST_CONFIDENT = "least_confident", "Least confident suggestion first"
    DISAGREEMENT = "disagreement", "Where the model and annotators disagree most"


class SuggestionSettings(models.Model):
    """A corpus's choices about suggestions; a corpus without a row has the defaults."""

    corpus = models.OneToOneField(
        Corpus, on_delete=models.CASCADE, related_name="suggestion_settings"
    )
    show_to_annotators = models.BooleanField(
        default=True,
        help_text="Off: nobody labeling sees suggestions (blind labeling for agreement studies).",
    )
    next_policy = models.CharField(
        max_length=20, choices=NextPolicy.choices, default=NextPolicy.DOCUMENT
    )
    labels_at_last_training = models.PositiveIntegerField(
        default=0, help_text="How many labels the corpus had when its last training was queued."
    )

    def __str__(self) -> str:
        return f"suggestion settings of {self.corpus_id}"


class SuggestionModel(models.Model):
    class Kind(models.TextChoices):
        TRAINED = "trained", "Trained on this corpus"
        EXTERNAL = "external", "Outside model"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Training"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="suggestion_models")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=100)
    version = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    training_size = models.PositiveIntegerField(default=0)
    label_set = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(
        default=dict,
        blank=True,
        help_text="Cross-validated per-label precision, recall and F1, macro-F1, and the cue "
        "baseline's scores on the same labels.",
    )
    weights = models.BinaryField(null=True, blank=True, editable=False)
    requested_by = models.CharField(max_length=20, blank=True, help_text="labels, owner or api")
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corpus", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["corpus", "kind", "name", "version"], name="suggestion_model_unique"
            ),
            models.UniqueConstraint(
                fields=["corpus"],
                condition=Q(status__in=["queued", "running"], kind="trained"),
                name="suggestion_model_one_training",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def display_name(self) -> str:
        return f"{self.name} v{self.version}"


class Suggestion(models.Model):
    sentence = models.ForeignKey(Sentence, on_delete=models.CASCADE, related_name="suggestions")
    model = models.ForeignKey(SuggestionModel, on_delete=models.CASCADE, related_name="suggestions")
    label = models.CharField(max_length=40, help_text="The label's key.")
    score = models.FloatField()
    out_of_fold = models.BooleanField(
        default=False,
        help_text="A labeled sentence's prediction by a model trained without it "
        "(cross-validation), so comparisons with its labels are fair.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["model", "sentence"], name="suggestion_one_per_model"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="suggestion_score_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.score:.2f})"
